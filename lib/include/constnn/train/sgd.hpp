// One epoch of per-example SGD in data order, as the reference job trains.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <span>
#include <type_traits>

#include "../detail/prefetch.hpp"
#include "dataset.hpp"

namespace constnn {

/// Runs net.train_step on every example of data in order (no shuffling) with a fixed lr.
/// Returns the mean of the per-example losses seen during the epoch (each before its own
/// update), accumulated in double; this is not the end-of-epoch loss the reference reports.
template <class Net, class Label>
constexpr double train_epoch(const Net& net, std::span<typename Net::scalar> params,
                             const dataset_view<typename Net::scalar, Label>& data,
                             typename Net::scalar lr,
                             std::span<typename Net::scalar> ws) noexcept {
  double sum = 0;
  for (std::size_t e = 0; e < data.count; ++e) {
    if (!std::is_constant_evaluated() && e + 1 < data.count) detail::prefetch(data.example(e + 1));
    sum += static_cast<double>(net.train_step(params, data.example(e), data.label(e), lr, ws));
  }
  return data.count == 0 ? 0.0 : sum / static_cast<double>(data.count);
}

}  // namespace constnn
