// Mini-batches: the gradients of B examples averaged, then one optimizer update.
//
// Batch 1 needs no buffer (train_step hands each gradient to the optimizer as backward finds
// it); a batch of B > 1 sums the gradients into a buffer of parameters_size() scalars (part
// of training_ram_bytes_with), in example order, and divides by B, the mean-loss gradient
// torch.optim sees with reduction="mean".
#pragma once

#include "../core/requirements.hpp"

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

/// The examples first .. first + count - 1, as a batch of indices that takes no storage.
struct example_range {
  std::size_t first = 0, count = 0;
  constexpr std::size_t size() const noexcept { return count; }
  constexpr std::size_t operator[](std::size_t k) const noexcept { return first + k; }
};

/// One update of opt from the examples `batch` (indices into data, at least one: a span of
/// indices or an example_range), their
/// gradients averaged. grad needs batch_gradient_count(batch.size(), parameters_size())
/// scalars; a batch of one is train_step with opt. Returns the mean of the examples' losses
/// (before the update), in double; NaN, with nothing changed, if an example is refused.
template <class Net, class Label, class Batch, class Opt>
constexpr double train_batch(const Net& net, std::span<typename Net::scalar> params,
                             const dataset_view<typename Net::scalar, Label>& data,
                             const Batch& batch, Opt& opt, std::span<typename Net::scalar> state,
                             std::span<typename Net::scalar> grad,
                             std::span<typename Net::scalar> ws) noexcept {
  using T = typename Net::scalar;
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  bool inside = batch.size() != 0;
  for (std::size_t k = 0; k < batch.size(); ++k) inside = inside && batch[k] < data.count;
  if (!CONSTNN_EXPECT(inside, "train_batch: the batch is empty or lies outside the data"))
    return nan;
  if (batch.size() == 1)
    return static_cast<double>(
        net.train_step(params, data.example(batch[0]), data.label(batch[0]), opt, state, ws));
  const std::size_t n = net.parameters_size();
  if (!CONSTNN_EXPECT(grad.size() >= n, "train_batch: the gradient buffer is too small") ||
      !CONSTNN_EXPECT(state.size() >= optimizer_state_count<Opt>(n),
                      "train_batch: the optimizer state is too small"))
    return nan;
  for (std::size_t k = 0; k < n; ++k) grad[k] = T(0);
  double sum = 0;
  for (std::size_t k = 0; k < batch.size(); ++k) {
    const std::size_t e = batch[k];
    const T j =
        net.step(params, data.example(e), data.label(e), gradient_accumulate<T>{grad.data()}, ws);
    if (j != j) return nan;  // refused (or a non-finite loss): no update
    sum += static_cast<double>(j);
  }
  opt.begin_step();
  const T b = static_cast<T>(batch.size());
  for (std::size_t k = 0; k < n; ++k)
    opt.apply(params[k], grad[k] / b, detail::state_at(state.data(), k), n);
  return sum / static_cast<double>(batch.size());
}

/// One epoch of mini-batches of `batch_size` examples (the last one shorter) taken in
/// `order` (a permutation from shuffled_order, or empty for the data's own order). Returns
/// the mean of the batches' losses, in double, or NaN at the first refused batch.
template <class Net, class Label, class Opt>
constexpr double train_epoch(const Net& net, std::span<typename Net::scalar> params,
                             const dataset_view<typename Net::scalar, Label>& data, Opt& opt,
                             std::span<typename Net::scalar> state,
                             std::span<typename Net::scalar> grad,
                             std::span<typename Net::scalar> ws, std::size_t batch_size,
                             std::span<const std::size_t> order = {}) noexcept {
  if (!CONSTNN_EXPECT(batch_size >= 1, "train_epoch: the batch size must be at least 1") ||
      !CONSTNN_EXPECT(order.empty() || order.size() == data.count,
                      "train_epoch: the order must list every example"))
    return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  std::size_t batches = 0;
  for (std::size_t first = 0; first < data.count; first += batch_size, ++batches) {
    const std::size_t count = data.count - first < batch_size ? data.count - first : batch_size;
    const double j =
        order.empty()
            ? train_batch(net, params, data, example_range{first, count}, opt, state, grad, ws)
            : train_batch(net, params, data, order.subspan(first, count), opt, state, grad, ws);
    if (j != j) return j;
    sum += j;
  }
  return batches == 0 ? 0.0 : sum / static_cast<double>(batches);
}

}  // namespace constnn
