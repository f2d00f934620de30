// Evaluation several examples at a time, for the builds with vector paths; not API.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <span>
#include <type_traits>

#include "../train/dataset.hpp"
#include "kernels.hpp"
#include "prefetch.hpp"

namespace constnn::detail {

/// Calls sink(e, y) for every example e of data in order, y being what net.forward would
/// return for it, computed net.max_batch examples at a time with workspaces on the stack;
/// a sink that takes a third argument gets the example's loss too, as net.forward_with_loss
/// gives it. Returns false, having called sink for none or some examples, if the network is
/// too wide for those workspaces or a precondition failed; the caller then runs its own loop.
template <class Net, class Label, class Sink>
bool forward_in_batches(const Net& net, std::span<const typename Net::scalar> params,
                        const dataset_view<typename Net::scalar, Label>& data,
                        Sink&& sink) noexcept {
  using T = typename Net::scalar;
  constexpr std::size_t B = Net::max_batch;
  constexpr std::size_t cap = 512;  // scalars of workspace per example: widths up to 256
  const std::size_t need = net.inference_workspace_size();
  if (need > cap) return false;
  T buffer[B][cap];
  std::span<T> ws[B];
  for (std::size_t b = 0; b < B; ++b) ws[b] = std::span<T>(buffer[b], need);
  std::span<const T> xs[B];
  const T* ys[B] = {};
  constexpr bool with_loss = std::is_invocable_v<Sink&, std::size_t, const T*, T>;
  std::size_t labels[B] = {};
  T losses[B] = {};
  for (std::size_t e = 0; e < data.count; e += B) {
    const std::size_t count = data.count - e < B ? data.count - e : B;
    // The examples stream through memory once per pass (megabytes, beyond L2): fetch the
    // next batch while this one computes.
    for (std::size_t b = e + B; b < e + 2 * B && b < data.count; ++b) prefetch(data.example(b));
    for (std::size_t b = 0; b < count; ++b) xs[b] = data.example(e + b);
    if constexpr (with_loss) {
      for (std::size_t b = 0; b < count; ++b) labels[b] = static_cast<std::size_t>(data.label(e + b));
      if (!net.forward_batch(params, xs, ws, count, ys, labels, losses)) return false;
      for (std::size_t b = 0; b < count; ++b) sink(e + b, ys[b], losses[b]);
    } else {
      if (!net.forward_batch(params, xs, ws, count, ys)) return false;
      for (std::size_t b = 0; b < count; ++b) sink(e + b, ys[b]);
    }
  }
  return true;
}

}  // namespace constnn::detail
