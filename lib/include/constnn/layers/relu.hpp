// Rectified linear activation max(0, x), elementwise.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <cstdint>

#include "../core/quantization.hpp"
#include "../core/shape.hpp"
#include "layer.hpp"

namespace constnn {

/// ReLU activation; keeps the width; forward and backward may run in place.
struct relu : elementwise_layer<relu> {
  using elementwise_layer::backward;
  using elementwise_layer::forward;
  static constexpr bool int8_form = true;

  /// int8: zero is the input's zero point (four bytes, least significant first, the layer's
  /// parameters), and the output keeps the input's scale and zero point.
  template <shape S>
  constexpr std::size_t int8_param_count(const S&) const noexcept {
    return 4;
  }
  template <class T, shape S>
  constexpr void int8_quantize(const S&, const T*, quantization::affine x, quantization::affine,
                               fixed_point::rounding, std::int8_t* out) const noexcept {
    detail::store_i32(out, x.zero_point);
  }
  template <size_like N>
  static constexpr void forward_int8(N n_, const std::int8_t* p, const std::int8_t* x,
                                     std::int8_t* y) noexcept {
    const std::size_t n = n_;
    const std::int32_t zero = detail::load_i32(p);
    for (std::size_t k = 0; k < n; ++k) y[k] = x[k] > zero ? x[k] : static_cast<std::int8_t>(zero);
  }

  /// y[n] = x[n] > 0 ? x[n] : 0; y may alias x.
  template <class T, size_like N>
  static constexpr void forward(N n_, const T* x, T* y) noexcept {
    const std::size_t n = n_;
    for (std::size_t k = 0; k < n; ++k) y[k] = x[k] > T(0) ? x[k] : T(0);
  }

  /// dx = dy where the output is positive, else 0 (the subgradient at 0 is taken as 0).
  template <class T, size_like N>
  static constexpr void backward(N n_, const T* y, const T* dy, T* dx) noexcept {
    const std::size_t n = n_;
    for (std::size_t k = 0; k < n; ++k) dx[k] = y[k] > T(0) ? dy[k] : T(0);
  }
};

}  // namespace constnn
