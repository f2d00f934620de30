// Hyperbolic tangent activation, elementwise.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <cstdint>

#include "../core/quantization.hpp"
#include "../core/shape.hpp"
#include "../core/math.hpp"
#include "layer.hpp"

namespace constnn {

/// tanh activation; keeps the width; forward and backward may run in place.
struct tanh : elementwise_layer<tanh> {
  using elementwise_layer::backward;
  using elementwise_layer::forward;
  static constexpr bool int8_form = true;

  /// int8: a table of the 256 outputs (quantization::tanh_table of the input's scale and zero
  /// point), the layer's parameters; the output is on TFLite's grid (tanh_output: 1/128, zero point 0).
  template <shape S>
  constexpr std::size_t int8_param_count(const S&) const noexcept {
    return 256;
  }
  /// The output grid is TFLite's, whatever the calibration saw.
  static constexpr quantization::affine int8_output(quantization::affine,
                                                    quantization::affine) noexcept {
    return quantization::tanh_output;
  }
  template <class T, shape S>
  constexpr void int8_quantize(const S&, const T*, quantization::affine x, quantization::affine,
                               fixed_point::rounding, std::int8_t* out) const noexcept {
    const quantization::lookup_table table = quantization::tanh_table(x);
    for (std::size_t k = 0; k < 256; ++k) out[k] = table.values[k];
  }
  template <size_like N>
  static constexpr void forward_int8(N n_, const std::int8_t* table, const std::int8_t* x,
                                     std::int8_t* y) noexcept {
    const std::size_t n = n_;
    for (std::size_t k = 0; k < n; ++k)
      y[k] = table[static_cast<std::size_t>(std::int32_t{x[k]} + 128)];
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
