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
#include "layer.hpp"

namespace constnn {

/// Sigmoid activation; keeps the width; forward and backward may run in place.
struct sigmoid : elementwise_layer<sigmoid> {
  using elementwise_layer::backward;
  using elementwise_layer::forward;
  static constexpr bool int8_form = true;

  /// int8: a table of the 256 outputs (quantization::sigmoid_table of the input's scale and zero
  /// point), the layer's parameters; the output is on TFLite's grid (sigmoid_output: 1/256, zero point -128).
  template <shape S>
  constexpr std::size_t int8_param_count(const S&) const noexcept {
    return 256;
  }
  /// The output grid is TFLite's, whatever the calibration saw.
  static constexpr quantization::affine int8_output(quantization::affine,
                                                    quantization::affine) noexcept {
    return quantization::sigmoid_output;
  }
  template <class T, shape S>
  constexpr void int8_quantize(const S&, const T*, quantization::affine x, quantization::affine,
                               fixed_point::rounding, std::int8_t* out) const noexcept {
    const quantization::lookup_table table = quantization::sigmoid_table(x);
    for (std::size_t k = 0; k < 256; ++k) out[k] = table.values[k];
  }
  template <size_like N>
  static constexpr void forward_int8(N n_, const std::int8_t* table, const std::int8_t* x,
                                     std::int8_t* y) noexcept {
    const std::size_t n = n_;
    for (std::size_t k = 0; k < n; ++k)
      y[k] = table[static_cast<std::size_t>(std::int32_t{x[k]} + 128)];
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
