// What conv1d and conv2d share: the filter count, the scratch, forward and backward; not API.
#pragma once

#include "../core/requirements.hpp"

#include <array>
#include <cstddef>

#include "../core/shape.hpp"
#include "../layers/layer.hpp"
#include "conv.hpp"
#include "int8_kernels.hpp"

namespace constnn::detail {

/// Base of the convolution layers: Derived states its shapes and slices and provides
/// geometry(in) (the loops' view of an input of rank Rank); this runs the loops of conv.hpp.
template <class Derived, std::size_t Filters, std::size_t Rank>
struct conv_layer {
  static constexpr std::size_t slice_count = 2;
  static constexpr bool saves_input = true;
  static constexpr bool int8_form = true;

  constexpr conv_layer() noexcept = default;
  /// A convolution whose number of filters is chosen at run time.
  constexpr explicit conv_layer(std::size_t filters) noexcept
      : filters_(std::array<std::size_t, 1>{filters}) {}

  /// The weights transposed for dJ/dx (when wanted), then a block of weight-gradient rows.
  template <shape In>
  constexpr std::size_t backward_scratch_count(const In& in, bool needs_dx) const noexcept {
    if constexpr (In::rank() != Rank) {
      return 0;
    } else {
      return conv_backward_scratch(self().geometry(in), needs_dx);
    }
  }

  /// Bytes of the int8 form's parameters (detail::s8::packed_layer: zero points and clamp,
  /// weights [F][KH][KW][C] (OHWI, TFLite's and CMSIS-NN's order), then per filter its int32
  /// bias, multiplier and shift).
  template <shape In>
  constexpr std::size_t int8_param_count(const In& in) const noexcept {
    if constexpr (In::rank() != Rank) {
      return 0;
    } else {
      const auto g = self().geometry(in);
      return s8::packed_layer::bytes(g.weight_count(), g.filters);
    }
  }

  /// Writes the int8 form of float parameters p (HWIO weights: channel last, as dense's);
  /// weight_scales, when given, are the filters' weight scales.
  template <class T, shape In>
  constexpr void int8_quantize(const In& in, const T* p, quantization::affine x,
                               quantization::affine y, fixed_point::rounding mode,
                               std::int8_t* out,
                               const float* weight_scales = nullptr) const noexcept {
    const auto g = self().geometry(in);
    s8::quantize_weighted(p, g.rows(), g.filters, x, y, mode, out, weight_scales);
  }

  template <class T, class In, class Out>
  constexpr void forward(const forward_io<T, In, Out>& io) const noexcept {
    if constexpr (is_quantized<T>) {
      // TFLite's int8 Conv2D; a series is a one-row image.
      const conv_geometry g = runtime_geometry(self().geometry(io.in));
      const s8::packed_layer p{io.params, g.weight_count(), g.filters};
      s8::conv2d<T::rounding>(g, io.x, p.input_zero_point(), p.weights(), p, p.output(), io.y);
    } else {
      conv_forward(self().geometry(io.in), filters(), io.params, io.x, io.y);
    }
  }

  /// dx (if wanted) from the weights before any update, then every parameter gradient to
  /// `update`, each weight's summed over the output positions first.
  template <class T, class In, class Out, class Update>
  constexpr void backward(const backward_io<T, In, Out>& io, const Update& update) const noexcept {
    const auto g = self().geometry(io.in);
    if (io.dx != nullptr) conv_input_gradient(g, filters(), io.params, io.dy, io.dx, io.scratch);
    conv_param_gradient(g, filters(), io.params, io.x, io.dy, io.scratch, update);
  }

 protected:
  constexpr const Derived& self() const noexcept { return static_cast<const Derived&>(*this); }
  // The filter count, as a constant when the type fixes it.
  constexpr auto filters() const noexcept { return filters_.template extent_c<0>(); }

  [[no_unique_address]] extents<Filters> filters_{};
};

}  // namespace constnn::detail
