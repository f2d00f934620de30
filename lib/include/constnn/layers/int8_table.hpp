// The int8 form of an activation that maps each value on its own (sigmoid, tanh): a table of
// its 256 outputs, one per int8 input, as TFLite's LUT kernels run them.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <cstdint>

#include "../core/fixed_point.hpp"
#include "../core/quantization.hpp"
#include "../core/shape.hpp"
#include "../detail/int8_kernels.hpp"

namespace constnn {

/// Base of an elementwise layer's int8 form. Derived states its output grid, int8_grid (fixed
/// whatever the calibration saw, as TFLite fixes sigmoid's and tanh's), and int8_table(in),
/// the table for an input grid; the 256 table bytes are the layer's parameters.
template <class Derived>
struct int8_table_form {
  static constexpr bool int8_form = true;

  template <shape S>
  constexpr std::size_t int8_param_count(const S&) const noexcept {
    return 256;
  }
  static constexpr quantization::affine int8_output(quantization::affine,
                                                    quantization::affine) noexcept {
    return Derived::int8_grid;
  }
  template <class T, shape S>
  constexpr void int8_quantize(const S&, const T*, quantization::affine x, quantization::affine,
                               fixed_point::rounding, std::int8_t* out) const noexcept {
    const quantization::lookup_table table = Derived::int8_table(x);
    for (std::size_t k = 0; k < 256; ++k) out[k] = table.values[k];
  }
  template <size_like N>
  static constexpr void forward_int8(N n, const std::int8_t* table, const std::int8_t* x,
                                     std::int8_t* y) noexcept {
    detail::s8::apply_table(n, table, x, y);
  }
};

}  // namespace constnn
