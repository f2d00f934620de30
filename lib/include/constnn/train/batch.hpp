// Mini-batches: the gradients of B examples averaged, then one optimizer update.
//
// Batch 1 needs no buffer (train_step hands each gradient to the optimizer as backward finds
// it); a batch of B > 1 sums the gradients into a buffer of parameters_size() scalars (part
// of training_ram_bytes_with), in example order, and divides by B, the mean-loss gradient
// torch.optim sees with reduction="mean".
#pragma once

#include <cstddef>
#include <limits>
#include <span>

#include "../core/check.hpp"
#include "dataset.hpp"
#include "optimizer.hpp"

namespace constnn {

/// Adds each gradient to grad[k], leaving the parameters unchanged. grad starts at +0 and
/// a sum of finite values that starts at +0 is never -0, so adding a zero gradient changes
/// nothing and is skipped.
template <class T>
struct gradient_accumulate {
  T* grad;
  static constexpr bool plain_sgd = false;

  constexpr gradient_accumulate at(std::size_t offset) const noexcept { return {grad + offset}; }
  constexpr void operator()(T&, std::size_t k, T g) const noexcept { grad[k] += g; }
  constexpr void zero_gradient(T*, std::size_t, std::size_t) const noexcept {}
};

/// Scalars of gradient buffer a batch of `batch` examples needs for n parameters.
constexpr std::size_t batch_gradient_count(std::size_t batch, std::size_t n) noexcept {
  return batch > 1 ? n : 0;
}

/// What a fixed network needs in RAM to train with Opt on batches of Batch examples.
template <class Net, class Opt, std::size_t Batch>
inline constexpr std::size_t training_ram_bytes_with_batch =
    training_ram_bytes_with<Net, Opt> +
    batch_gradient_count(Batch, Net::param_count) * sizeof(typename Net::scalar);

/// One update of opt from the examples [first, first + count) of data (count >= 1), their
/// gradients averaged. grad needs batch_gradient_count(count, parameters_size()) scalars; with
/// count 1 this is train_step with opt. Returns the mean of the examples' losses (before the
/// update), in double; NaN, with nothing changed, if an example is refused.
template <class Net, class Label, class Opt>
constexpr double train_batch(const Net& net, std::span<typename Net::scalar> params,
                             const dataset_view<typename Net::scalar, Label>& data,
                             std::size_t first, std::size_t count, Opt& opt,
                             std::span<typename Net::scalar> state,
                             std::span<typename Net::scalar> grad,
                             std::span<typename Net::scalar> ws) noexcept {
  using T = typename Net::scalar;
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  if (!CONSTNN_EXPECT(count >= 1 && first <= data.count && count <= data.count - first,
                      "train_batch: the batch lies outside the data"))
    return nan;
  if (count == 1)
    return static_cast<double>(
        net.train_step(params, data.example(first), data.label(first), opt, state, ws));
  const std::size_t n = net.parameters_size();
  if (!CONSTNN_EXPECT(grad.size() >= n, "train_batch: the gradient buffer is too small") ||
      !CONSTNN_EXPECT(state.size() >= optimizer_state_count<Opt>(n),
                      "train_batch: the optimizer state is too small"))
    return nan;
  for (std::size_t k = 0; k < n; ++k) grad[k] = T(0);
  double sum = 0;
  for (std::size_t e = first; e < first + count; ++e) {
    const T j = net.step(params, data.example(e), data.label(e),
                         gradient_accumulate<T>{grad.data()}, ws);
    if (j != j) return nan;  // refused (or a non-finite loss): no update
    sum += static_cast<double>(j);
  }
  opt.begin_step();
  const T b = static_cast<T>(count);
  for (std::size_t k = 0; k < n; ++k) opt.apply(params[k], grad[k] / b, state.data() + k, n);
  return sum / static_cast<double>(count);
}

}  // namespace constnn
