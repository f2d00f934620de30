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
/// `valid` or `same` (zero) padding: output OL x Filters. Filters may be constnn::dynamic
/// (given to the constructor); the input's L and C may be too.
///
/// Parameter layout: slice "weights" [K][C][Filters], then slice "bias" [Filters]: the conv2d
/// layout with a kernel height of 1, and the same loops (detail/conv.hpp).
template <std::size_t Filters, std::size_t K, std::size_t Stride = 1,
          padding Padding = padding::valid>
struct conv1d : detail::conv_layer<conv1d<Filters, K, Stride, Padding>, Filters, 2> {
  static_assert(Filters > 0 && K > 0 && Stride > 0,
                "constnn::conv1d: filters, kernel size and stride must be positive");
  static_assert(K != dynamic && Stride != dynamic,
                "constnn::conv1d: the kernel size and stride are compile-time constants");

  /// Output positions along a series of n steps.
  static constexpr std::size_t positions(std::size_t n) noexcept {
    return detail::window_positions(n, K, Stride, Padding);
  }

  using detail::conv_layer<conv1d<Filters, K, Stride, Padding>, Filters, 2>::conv_layer;

  /// Takes L x C with the kernel fitting where L is fixed.
  template <class In>
  static constexpr bool takes =
      In::rank() == 2 && positions(In::static_extent(0)) != 0 && In::static_extent(1) != 0;

  template <shape In>
  constexpr bool takes_shape(const In& in) const noexcept {
    if constexpr (In::rank() != 2) {
      return false;
    } else {
      return positions(in.extent(0)) > 0 && in.extent(1) > 0 && filters_.extent(0) > 0;
    }
  }

  template <shape In>
  constexpr auto output_shape(const In& in) const noexcept {
    if constexpr (In::rank() != 2) {
      return extents<1>{};  // refused by takes, with the shape in the diagnostic
    } else {
      using out = extents<positions(In::static_extent(0)), Filters>;
      return out({positions(in.extent(0)), filters_.extent(0)});
    }
  }

  template <shape In>
  constexpr std::array<param_slice, 2> param_slices(const In& in) const noexcept {
    const std::size_t c = In::rank() == 2 ? in.extent(1) : 0, f = filters_.extent(0);
    return {{{"weights", {K, c, f}, 3, slice_role::weights, K * c, K * f},
             {"bias", {f}, 1, slice_role::bias, K * c, K * f}}};
  }

 private:
  friend detail::conv_layer<conv1d<Filters, K, Stride, Padding>, Filters, 2>;
  using detail::conv_layer<conv1d<Filters, K, Stride, Padding>, Filters, 2>::filters_;

  // As conv2d: constants where the shape and the filter count are fixed, values otherwise.
  template <class In>
  constexpr auto geometry(const In& in) const noexcept {
    if constexpr (In::is_static && Filters != dynamic) {
      constexpr std::size_t n = In::static_extent(0);
      return detail::fixed_conv_geometry<1, n, In::static_extent(1), 1, K, 1, Stride, 0,
                                         detail::window_pad_before(n, K, Stride, Padding), 1,
                                         positions(n), Filters>{};
    } else {
      const std::size_t n = in.extent(0);
      return detail::conv_geometry(1, n, in.extent(1), 1, K, 1, Stride, 0,
                                   detail::window_pad_before(n, K, Stride, Padding), 1,
                                   positions(n), filters_.extent(0));
    }
  }
};

}  // namespace constnn
