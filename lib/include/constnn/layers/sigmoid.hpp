// Logistic activation z = 1 / (1 + e^-a), elementwise.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../core/quantization.hpp"
#include "../core/shape.hpp"
#include "../core/math.hpp"
#include "../detail/kernels.hpp"
#include "int8_table.hpp"
#include "layer.hpp"

namespace constnn {

/// Sigmoid activation; keeps the width; forward and backward may run in place.
struct sigmoid : elementwise_layer<sigmoid>, int8_table_form<sigmoid> {
  using elementwise_layer::backward;
  using elementwise_layer::forward;
  /// int8: the table of quantization::sigmoid_table for the input's grid; the output is on
  /// TFLite's (sigmoid_output: 1/256, zero point -128).
  static constexpr quantization::affine int8_grid = quantization::sigmoid_output;
  static constexpr quantization::lookup_table int8_table(quantization::affine in) noexcept {
    return quantization::sigmoid_table(in);
  }

  /// y[n] = 1 / (1 + exp(-x[n])); y may alias x.
  template <class T, size_like N>
  static constexpr void forward(N n_, const T* x, T* y) noexcept {
    const std::size_t n = n_;
    if (!std::is_constant_evaluated() && detail::kernels::sigmoid_forward(n, x, y)) return;
    for (std::size_t k = 0; k < n; ++k) y[k] = T(1) / (T(1) + math::exp(-x[k]));
  }

  /// dx = dy * y * (1 - y) from the layer's output y; dx may alias dy.
  template <class T, size_like N>
  static constexpr void backward(N n_, const T* y, const T* dy, T* dx) noexcept {
    const std::size_t n = n_;
    if (!std::is_constant_evaluated() && detail::kernels::sigmoid_backward(n, y, dy, dx)) return;
    for (std::size_t k = 0; k < n; ++k) dx[k] = dy[k] * y[k] * (T(1) - y[k]);
  }
};

}  // namespace constnn
