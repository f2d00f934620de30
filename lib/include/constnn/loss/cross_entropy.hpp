// Cross-entropy loss J = -log(p[label]) of a probability vector.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>

#include "../core/shape.hpp"
#include "../core/math.hpp"
#include "../layers/layer.hpp"

namespace constnn {

/// Cross-entropy of probabilities (the output of softmax); the network's last layer.
/// Its forward passes the probabilities through, so prediction reads them unchanged.
struct cross_entropy {
  static constexpr bool is_loss = true;
  /// Forward writes nothing new: the output is the input, so it needs no buffer of its own.
  static constexpr bool view = true;

  template <shape In>
  constexpr In output_shape(const In& in) const noexcept {
    return in;
  }

  /// y = x (copied only when the buffers differ).
  template <class T, size_like N>
  static constexpr void forward(N n_, const T* x, T* y) noexcept {
    const std::size_t n = n_;
    if (x == y) return;
    for (std::size_t k = 0; k < n; ++k) y[k] = x[k];
  }

  /// -log(p): +inf when p has underflowed to 0, since the probability alone cannot tell how
  /// large the loss is (a capped value would hide that the gradient, -1/p, is infinite).
  template <class T>
  static constexpr T negative_log(T p) noexcept {
    return -math::log(p);
  }

  /// J = -log(y[label]); +inf where y[label] is 0.
  template <class T, size_like N>
  static constexpr T value(N, const T* y, std::size_t label) noexcept {
    return negative_log(y[label]);
  }

  /// dJ/dy: -1/y[label] at the label, 0 elsewhere.
  template <class T, size_like N>
  static constexpr void backward(N n_, const T* y, std::size_t label, T* dx) noexcept {
    const std::size_t n = n_;
    for (std::size_t k = 0; k < n; ++k) dx[k] = T(0);
    dx[label] = T(-1) / y[label];
  }
};

}  // namespace constnn
