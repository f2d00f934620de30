// Softmax as a standalone layer: turns scores into probabilities.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <type_traits>

#include "../core/shape.hpp"
#include "../core/math.hpp"
#include "../detail/kernels.hpp"
#include "../layers/layer.hpp"

namespace constnn {

/// Softmax y_k = e^(x_k - max x) / sum_l e^(x_l - max x); keeps the width; may run in place.
/// Subtracting the maximum keeps every exponent <= 0, so nothing overflows in float.
struct softmax : elementwise_layer<softmax> {
  using elementwise_layer::backward;
  using elementwise_layer::forward;

  /// y[n] from x[n]; y may alias x. The sum runs in index order.
  template <class T, size_like N>
  static constexpr void forward(N n_, const T* x, T* y) noexcept {
    const std::size_t n = n_;
    if (!std::is_constant_evaluated() && detail::kernels::softmax_forward(n, x, y)) return;
    T m = x[0];
    for (std::size_t k = 1; k < n; ++k) m = x[k] > m ? x[k] : m;
    T sum = T(0);
    for (std::size_t k = 0; k < n; ++k) {
      y[k] = math::exp(x[k] - m);
      sum += y[k];
    }
    for (std::size_t k = 0; k < n; ++k) y[k] /= sum;
  }

  /// dx_k = y_k (dy_k - sum_l dy_l y_l), the Jacobian-vector product; dx may alias dy.
  template <class T, size_like N>
  static constexpr void backward(N n_, const T* y, const T* dy, T* dx) noexcept {
    const std::size_t n = n_;
    T dot = T(0);
    for (std::size_t k = 0; k < n; ++k) dot += dy[k] * y[k];
    for (std::size_t k = 0; k < n; ++k) dx[k] = y[k] * (dy[k] - dot);
  }
};

}  // namespace constnn
