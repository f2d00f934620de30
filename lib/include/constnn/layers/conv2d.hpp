// 2-D convolution over channels-last images, with bias.
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

/// Convolution of an H x W x C image with Filters kernels of KH x KW x C, moved by Stride
/// along both axes, with `valid` or `same` (zero) padding: output OH x OW x Filters. Filters
/// may be constnn::dynamic (given to the constructor); the input's H, W and C may be too.
///
/// Parameter layout: slice "weights" [KH][KW][C][Filters] (HWIO, the TFLite/CMSIS-NN filter
/// order with the output channel last, so a row of Filters values joins one input value to
/// every filter), then slice "bias" [Filters]. See detail/conv.hpp for the summation order.
template <std::size_t Filters, std::size_t KH, std::size_t KW, std::size_t Stride = 1,
          padding Padding = padding::valid>
struct conv2d : detail::conv_layer<conv2d<Filters, KH, KW, Stride, Padding>, Filters, 3> {
  static_assert(Filters > 0 && KH > 0 && KW > 0 && Stride > 0,
                "constnn::conv2d: filters, kernel sizes and stride must be positive");
  static_assert(KH != dynamic && KW != dynamic && Stride != dynamic,
                "constnn::conv2d: kernel sizes and stride are compile-time constants");

  /// Output positions along an axis of n inputs for a kernel of k (KH for rows, KW for columns).
  static constexpr std::size_t positions(std::size_t n, std::size_t k) noexcept {
    return detail::window_positions(n, k, Stride, Padding);
  }

  using detail::conv_layer<conv2d<Filters, KH, KW, Stride, Padding>, Filters, 3>::conv_layer;

  /// Takes H x W x C with the window fitting where H and W are fixed.
  template <class In>
  static constexpr bool takes =
      In::rank() == 3 && positions(In::static_extent(0), KH) != 0 &&
      positions(In::static_extent(1), KW) != 0 && In::static_extent(2) != 0;

  template <shape In>
  constexpr bool takes_shape(const In& in) const noexcept {
    if constexpr (In::rank() != 3) {
      return false;
    } else {
      return positions(in.extent(0), KH) > 0 && positions(in.extent(1), KW) > 0 &&
             in.extent(2) > 0 && filters_.extent(0) > 0;
    }
  }

  template <shape In>
  constexpr auto output_shape(const In& in) const noexcept {
    if constexpr (In::rank() != 3) {
      return extents<1>{};  // refused by takes, with the shape in the diagnostic
    } else {
      using out = extents<positions(In::static_extent(0), KH), positions(In::static_extent(1), KW),
                          Filters>;
      return out({positions(in.extent(0), KH), positions(in.extent(1), KW), filters_.extent(0)});
    }
  }

  template <shape In>
  constexpr std::array<param_slice, 2> param_slices(const In& in) const noexcept {
    const std::size_t c = In::rank() == 3 ? in.extent(2) : 0, f = filters_.extent(0);
    return {{{"weights", {KH, KW, c, f}, 4, slice_role::weights, KH * KW * c, KH * KW * f},
             {"bias", {f}, 1, slice_role::bias, KH * KW * c, KH * KW * f}}};
  }

 private:
  friend detail::conv_layer<conv2d<Filters, KH, KW, Stride, Padding>, Filters, 3>;
  using detail::conv_layer<conv2d<Filters, KH, KW, Stride, Padding>, Filters, 3>::filters_;

  // The geometry as constants where the input shape and the filter count are fixed, so the
  // loops are compiled for this one shape; as run-time values otherwise. Same loops.
  template <class In>
  constexpr auto geometry(const In& in) const noexcept {
    if constexpr (In::is_static && Filters != dynamic) {
      constexpr std::size_t h = In::static_extent(0), w = In::static_extent(1);
      return detail::fixed_conv_geometry<
          h, w, In::static_extent(2), KH, KW, Stride, Stride,
          detail::window_pad_before(h, KH, Stride, Padding),
          detail::window_pad_before(w, KW, Stride, Padding), positions(h, KH), positions(w, KW),
          Filters>{};
    } else {
      const std::size_t h = in.extent(0), w = in.extent(1);
      return detail::conv_geometry(h, w, in.extent(2), KH, KW, Stride, Stride,
                                   detail::window_pad_before(h, KH, Stride, Padding),
                                   detail::window_pad_before(w, KW, Stride, Padding),
                                   positions(h, KH), positions(w, KW), filters_.extent(0));
    }
  }
};

}  // namespace constnn
