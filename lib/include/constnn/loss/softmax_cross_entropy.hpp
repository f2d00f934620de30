// Softmax and cross-entropy fused: the reference job's output layer.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>

#include "../core/math.hpp"
#include "../core/shape.hpp"
#include "../layers/layer.hpp"
#include "cross_entropy.hpp"
#include "softmax.hpp"

namespace constnn {

/// Softmax followed by cross-entropy, with the short gradient dJ/dx = y - onehot(label),
/// which avoids dividing by a probability that may be tiny.
struct softmax_xent : elementwise_layer<softmax_xent> {
  using elementwise_layer::forward;
  static constexpr bool is_loss = true;
  static constexpr bool int8_form = true;

  /// int8: the logits pass through, so predict() takes the class as their argmax (softmax
  /// keeps the order); probabilities on TFLite's 1/256 grid are not computed.
  template <size_like N>
  static constexpr void forward_int8(N n_, const std::int8_t*, const std::int8_t* x,
                                     std::int8_t* y) noexcept {
    const std::size_t n = n_;
    if (x != y)
      for (std::size_t k = 0; k < n; ++k) y[k] = x[k];
  }

  /// y = softmax(x); y may alias x.
  template <class T, size_like N>
  static constexpr void forward(N n, const T* x, T* y) noexcept {
    softmax::forward(n, x, y);
  }

  /// J = -log(y[label]) from the probabilities y alone: +inf where y[label] is 0.
  template <class T, size_like N>
  static constexpr T value(N n, const T* y, std::size_t label) noexcept {
    return cross_entropy::value(n, y, label);
  }

  /// forward() and the loss against label, from the scores x: -log(y[label]) while y[label]
  /// is a normal number (the same bits as value()), else, where the probability has lost its
  /// precision or underflowed, J = (max x - x[label]) + log(sum_k e^(x_k - max x)), which is
  /// what log-sum-exp gives. The sum is 1 / y[argmax], rounded once, so its logarithm costs
  /// no second pass over the exponentials. y may alias x: the two scores are read first.
  template <class T, class In, class Out>
  constexpr T forward_and_value(const forward_io<T, In, Out>& io,
                                std::size_t label) const noexcept {
    const std::size_t n = io.in.count();
    std::size_t top = 0;
    for (std::size_t k = 1; k < n; ++k) top = io.x[k] > io.x[top] ? k : top;
    const T gap = io.x[top] - io.x[label];
    forward(n, io.x, io.y);
    const T p = io.y[label];
    if (p >= std::numeric_limits<T>::min()) return cross_entropy::negative_log(p);
    return gap - math::log(io.y[top]);
  }

  /// Whether value(n, y, label) equals what forward_and_value() gave for this output.
  template <class T, size_like N>
  static constexpr bool value_is_exact(N, const T* y, std::size_t label) noexcept {
    return y[label] >= std::numeric_limits<T>::min();
  }

  /// dJ/dx = y - onehot(label).
  template <class T, size_like N>
  static constexpr void backward(N n_, const T* y, std::size_t label, T* dx) noexcept {
    const std::size_t n = n_;
    for (std::size_t k = 0; k < n; ++k) dx[k] = y[k];
    dx[label] -= T(1);
  }
};

}  // namespace constnn
