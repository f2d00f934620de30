// Softmax and cross-entropy fused: the reference job's output layer.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>

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

  /// y = softmax(x); y may alias x.
  template <class T, size_like N>
  static constexpr void forward(N n, const T* x, T* y) noexcept {
    softmax::forward(n, x, y);
  }

  /// J = -log(y[label]) from the probabilities y.
  template <class T, size_like N>
  static constexpr T value(N n, const T* y, std::size_t label) noexcept {
    return cross_entropy::value(n, y, label);
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
