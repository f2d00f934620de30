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
/// along both axes, with `valid` or `same` (zero) padding: output OH x OW x Filters. Filters,
/// the kernel sizes and the stride may be constnn::dynamic and the padding padding::runtime,
/// chosen at run time and given to the constructor; the input's H, W and C may be dynamic too.
///
/// Parameter layout: slice "weights" [KH][KW][C][Filters] (HWIO, the TFLite/CMSIS-NN filter
/// order with the output channel last, so a row of Filters values joins one input value to
/// every filter), then slice "bias" [Filters]. See detail/conv.hpp for the summation order.
template <std::size_t Filters, std::size_t KH, std::size_t KW, std::size_t Stride = 1,
          padding Padding = padding::valid>
struct conv2d : detail::conv_layer<conv2d<Filters, KH, KW, Stride, Padding>, Filters, 3> {
  static_assert(Filters > 0 && KH > 0 && KW > 0 && Stride > 0,
                "constnn::conv2d: filters, kernel sizes and stride must be positive");

  /// Output positions along an axis of n inputs for a kernel of k (KH for rows, KW for
  /// columns), as the type states them (constnn::dynamic where chosen at run time).
  static constexpr std::size_t positions(std::size_t n, std::size_t k) noexcept {
    return detail::window_positions(n, k, Stride, Padding);
  }

  constexpr conv2d() noexcept = default;
  /// The filter count, then the kernel rows and columns, the stride and the padding: the
  /// values the type leaves dynamic are taken from here, those it fixes must agree
  /// (takes_shape() refuses the layer otherwise).
  constexpr explicit conv2d(std::size_t filters, std::size_t kh = KH, std::size_t kw = KW,
                            std::size_t stride = Stride, padding pad = Padding) noexcept
      : detail::conv_layer<conv2d, Filters, 3>(filters),
        window_({kh, kw, stride}),
        padding_(pad),
        given_(window::matches({kh, kw, stride}) &&
               (Padding == padding::runtime || pad == Padding)) {}

  constexpr auto kernel_rows() const noexcept { return window_.template extent_c<0>(); }
  constexpr auto kernel_cols() const noexcept { return window_.template extent_c<1>(); }
  constexpr auto stride() const noexcept { return window_.template extent_c<2>(); }
  constexpr padding padding_kind() const noexcept { return padding_.get(); }

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
      return given_.get() && at(in.extent(0), kernel_rows()) > 0 &&
             at(in.extent(1), kernel_cols()) > 0 && in.extent(2) > 0 && filters_.extent(0) > 0;
    }
  }

  template <shape In>
  constexpr auto output_shape(const In& in) const noexcept {
    if constexpr (In::rank() != 3) {
      return extents<1>{};  // refused by takes, with the shape in the diagnostic
    } else {
      using out = extents<positions(In::static_extent(0), KH), positions(In::static_extent(1), KW),
                          Filters>;
      return out(
          {at(in.extent(0), kernel_rows()), at(in.extent(1), kernel_cols()), filters_.extent(0)});
    }
  }

  template <shape In>
  constexpr std::array<param_slice, 2> param_slices(const In& in) const noexcept {
    const std::size_t c = In::rank() == 3 ? in.extent(2) : 0, f = filters_.extent(0);
    const std::size_t kh = kernel_rows(), kw = kernel_cols();
    return {{{"weights", {kh, kw, c, f}, 4, slice_role::weights, kh * kw * c, kh * kw * f},
             {"bias", {f}, 1, slice_role::bias, kh * kw * c, kh * kw * f}}};
  }

 private:
  friend detail::conv_layer<conv2d<Filters, KH, KW, Stride, Padding>, Filters, 3>;
  using detail::conv_layer<conv2d<Filters, KH, KW, Stride, Padding>, Filters, 3>::filters_;
  using window = extents<KH, KW, Stride>;
  static constexpr bool fixed_window =
      window::is_static && Padding != padding::runtime && Filters != dynamic;

  // Output positions along an axis of n for a kernel of k, with this layer's stride and padding.
  constexpr std::size_t at(std::size_t n, std::size_t k) const noexcept {
    return detail::window_given(k, stride(), padding_kind())
               ? detail::window_positions(n, k, stride(), padding_kind())
               : 0;
  }

  // The geometry as constants where the input shape and the layer are fixed, so the loops
  // are compiled for this one shape; as run-time values otherwise. Same loops.
  template <class In>
  constexpr auto geometry(const In& in) const noexcept {
    if constexpr (In::is_static && fixed_window) {
      constexpr std::size_t h = In::static_extent(0), w = In::static_extent(1);
      return detail::fixed_conv_geometry<h, w, In::static_extent(2), KH, KW, Stride, Stride,
                                         detail::window_pad_before(h, KH, Stride, Padding),
                                         detail::window_pad_before(w, KW, Stride, Padding),
                                         positions(h, KH), positions(w, KW), Filters>{};
    } else {
      const std::size_t h = in.extent(0), w = in.extent(1);
      const std::size_t kh = kernel_rows(), kw = kernel_cols(), s = stride();
      const padding p = padding_kind();
      return detail::conv_geometry(
          h, w, in.extent(2), kh, kw, s, s, detail::window_pad_before(h, kh, s, p),
          detail::window_pad_before(w, kw, s, p), at(h, kh), at(w, kw), filters_.extent(0));
    }
  }

  [[no_unique_address]] window window_{};
  [[no_unique_address]] detail::padding_choice<Padding> padding_{};
  [[no_unique_address]] detail::given_flag<!fixed_window> given_{};
};

}  // namespace constnn
