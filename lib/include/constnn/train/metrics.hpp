// Mean cross-entropy, error rate and predictions of a network over a data set.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <span>
#include <type_traits>

#include "../detail/batched_evaluation.hpp"
#include "dataset.hpp"

namespace constnn {

/// What one pass over a data set measures.
struct evaluation {
  double mean_cross_entropy = 0;  ///< mean of the per-example losses, summed in double
  double error_rate = 0;          ///< errors / count
  std::size_t errors = 0;         ///< examples whose prediction differs from the label
  std::size_t count = 0;
};

/// Loss and prediction of every example in one forward pass each.
/// ws needs net.inference_workspace_size() scalars.
template <class Net, class Label>
constexpr evaluation evaluate(const Net& net, std::span<const typename Net::scalar> params,
                              const dataset_view<typename Net::scalar, Label>& data,
                              std::span<typename Net::scalar> ws) noexcept {
  evaluation r;
  r.count = data.count;
  double sum = 0;
  // The loss from forward_with_loss, so softmax_xent's is exact where a probability underflows.
  const auto tally = [&](std::size_t e, const auto* y, typename Net::scalar loss) {
    if (net.predicted_class(y) != data.label(e)) ++r.errors;
    sum += static_cast<double>(loss);
  };
  bool done = false;
  if constexpr (detail::kernels::batched_evaluation) {
    // Several examples at a time through the vector path: the same values, in the same order.
    done = !std::is_constant_evaluated() && detail::forward_in_batches(net, params, data, tally);
    if (!done) {
      r.errors = 0;
      sum = 0;
    }
  }
  for (std::size_t e = 0; !done && e < data.count; ++e) {
    typename Net::scalar loss{};
    const auto* y = net.forward_with_loss(params, data.example(e), data.label(e), ws, loss);
    if (y == nullptr) return evaluation{};
    tally(e, y, loss);
  }
  if (data.count > 0) {
    r.mean_cross_entropy = sum / static_cast<double>(data.count);
    r.error_rate = static_cast<double>(r.errors) / static_cast<double>(data.count);
  }
  return r;
}

/// out[e] = the predicted class of example e (argmax, smallest index on a tie).
template <class Net, class Label, class Out>
constexpr void predict_all(const Net& net, std::span<const typename Net::scalar> params,
                           const dataset_view<typename Net::scalar, Label>& data,
                           std::span<Out> out, std::span<typename Net::scalar> ws) noexcept {
  if constexpr (detail::kernels::batched_evaluation) {
    if (!std::is_constant_evaluated() && out.size() >= data.count &&
        detail::forward_in_batches(net, params, data, [&](std::size_t e, const auto* y) {
          out[e] = static_cast<Out>(net.predicted_class(y));
        }))
      return;
  }
  for (std::size_t e = 0; e < data.count && e < out.size(); ++e)
    out[e] = static_cast<Out>(net.predict(params, data.example(e), ws));
}

}  // namespace constnn
