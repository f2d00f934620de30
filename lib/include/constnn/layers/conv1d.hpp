// 1-D convolution over channels-last series (sensor and audio time series), with bias.
#pragma once

#include "../core/requirements.hpp"

#include <array>
#include <cstddef>

#include "../core/shape.hpp"
#include "../detail/conv.hpp"
#include "../detail/conv_layer.hpp"
#include "layer.hpp"
#include "window.hpp"

namespace constnn {

/// Convolution of an L x C series with Filters kernels of K x C, moved by Stride, with
/// `valid` or `same` (zero) padding: output OL x Filters. Filters, K and Stride may be
/// constnn::dynamic and the padding padding::runtime, chosen at run time and given to the
/// constructor; the input's L and C may be dynamic too.
///
/// Parameter layout: slice "weights" [K][C][Filters], then slice "bias" [Filters]: the conv2d
/// layout with a kernel height of 1, and the same loops (detail/conv.hpp).
template <std::size_t Filters, std::size_t K, std::size_t Stride = 1,
          padding Padding = padding::valid>
struct conv1d : detail::conv_layer<conv1d<Filters, K, Stride, Padding>, Filters, 2> {
  static_assert(Filters > 0 && K > 0 && Stride > 0,
                "constnn::conv1d: filters, kernel size and stride must be positive");

  /// Output positions along a series of n steps, as the type states them.
  static constexpr std::size_t positions(std::size_t n) noexcept {
    return detail::window_positions(n, K, Stride, Padding);
  }

  constexpr conv1d() noexcept = default;
  /// The filter count, then the kernel size, the stride and the padding: the values the type
  /// leaves dynamic are taken from here, those it fixes must agree (takes_shape() refuses the
  /// layer otherwise).
  constexpr explicit conv1d(std::size_t filters, std::size_t k = K, std::size_t stride = Stride,
                            padding pad = Padding) noexcept
      : detail::conv_layer<conv1d, Filters, 2>(filters),
        window_({k, stride}),
        padding_(pad),
        given_(window::matches({k, stride}) && (Padding == padding::runtime || pad == Padding)) {}

  constexpr auto kernel_size() const noexcept { return window_.template extent_c<0>(); }
  constexpr auto stride() const noexcept { return window_.template extent_c<1>(); }
  constexpr padding padding_kind() const noexcept { return padding_.get(); }

  /// Takes L x C with the kernel fitting where L is fixed.
  template <class In>
  static constexpr bool takes = In::rank() == 2 &&
                                positions(In::static_extent(0)) != 0 && In::static_extent(1) != 0;

  template <shape In>
  constexpr bool takes_shape(const In& in) const noexcept {
    if constexpr (In::rank() != 2) {
      return false;
    } else {
      return given_.get() && at(in.extent(0)) > 0 && in.extent(1) > 0 && filters_.extent(0) > 0;
    }
  }

  template <shape In>
  constexpr auto output_shape(const In& in) const noexcept {
    if constexpr (In::rank() != 2) {
      return extents<1>{};  // refused by takes, with the shape in the diagnostic
    } else {
      using out = extents<positions(In::static_extent(0)), Filters>;
      return out({at(in.extent(0)), filters_.extent(0)});
    }
  }

  template <shape In>
  constexpr std::array<param_slice, 2> param_slices(const In& in) const noexcept {
    const std::size_t c = In::rank() == 2 ? in.extent(1) : 0, f = filters_.extent(0);
    const std::size_t k = kernel_size();
    return {{{"weights", {k, c, f}, 3, slice_role::weights, k * c, k * f},
             {"bias", {f}, 1, slice_role::bias, k * c, k * f}}};
  }

 private:
  friend detail::conv_layer<conv1d<Filters, K, Stride, Padding>, Filters, 2>;
  using detail::conv_layer<conv1d<Filters, K, Stride, Padding>, Filters, 2>::filters_;
  using window = extents<K, Stride>;
  static constexpr bool fixed_window =
      window::is_static && Padding != padding::runtime && Filters != dynamic;

  // Output positions along a series of n, with this layer's kernel, stride and padding.
  constexpr std::size_t at(std::size_t n) const noexcept {
    return detail::window_given(kernel_size(), stride(), padding_kind())
               ? detail::window_positions(n, kernel_size(), stride(), padding_kind())
               : 0;
  }

  // As conv2d: constants where the shape and the layer are fixed, values otherwise.
  template <class In>
  constexpr auto geometry(const In& in) const noexcept {
    if constexpr (In::is_static && fixed_window) {
      constexpr std::size_t n = In::static_extent(0);
      return detail::fixed_conv_geometry<1, n, In::static_extent(1), 1, K, 1, Stride, 0,
                                         detail::window_pad_before(n, K, Stride, Padding), 1,
                                         positions(n), Filters>{};
    } else {
      const std::size_t n = in.extent(0), k = kernel_size(), s = stride();
      return detail::conv_geometry(1, n, in.extent(1), 1, k, 1, s, 0,
                                   detail::window_pad_before(n, k, s, padding_kind()), 1, at(n),
                                   filters_.extent(0));
    }
  }

  [[no_unique_address]] window window_{};
  [[no_unique_address]] detail::padding_choice<Padding> padding_{};
  [[no_unique_address]] detail::given_flag<!fixed_window> given_{};
};

}  // namespace constnn
