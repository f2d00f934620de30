// Hyperbolic tangent activation, elementwise.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <cstdint>

#include "../core/quantization.hpp"
#include "../core/shape.hpp"
#include "../core/math.hpp"
#include "int8_table.hpp"
#include "layer.hpp"

namespace constnn {

/// tanh activation; keeps the width; forward and backward may run in place.
struct tanh : elementwise_layer<tanh>, int8_table_form<tanh> {
  using elementwise_layer::backward;
  using elementwise_layer::forward;
  /// int8: the table of quantization::tanh_table for the input's grid; the output is on
  /// TFLite's (tanh_output: 1/128, zero point 0).
  static constexpr quantization::affine int8_grid = quantization::tanh_output;
  static constexpr quantization::lookup_table int8_table(quantization::affine in) noexcept {
    return quantization::tanh_table(in);
  }

  /// y[n] = tanh(x[n]); y may alias x.
  template <class T, size_like N>
  static constexpr void forward(N n_, const T* x, T* y) noexcept {
    const std::size_t n = n_;
    for (std::size_t k = 0; k < n; ++k) y[k] = math::tanh(x[k]);
  }

  /// dx = dy * (1 - y^2) from the layer's output y; dx may alias dy.
  template <class T, size_like N>
  static constexpr void backward(N n_, const T* y, const T* dy, T* dx) noexcept {
    const std::size_t n = n_;
    for (std::size_t k = 0; k < n; ++k) dx[k] = dy[k] * (T(1) - y[k] * y[k]);
  }
};

}  // namespace constnn
