// How a window (a convolution kernel, a pooling window) slides along one axis.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>

#include "../core/shape.hpp"
#include "../detail/conv_geometry.hpp"

namespace constnn {

/// valid: the window stays inside the input. same: zero padding so that the output has
/// ceil(n / stride) positions, split as TFLite and CMSIS-NN do (the extra one at the end).
/// runtime: one of the two, chosen at run time (given to the layer's constructor).
enum class padding { valid, same, runtime };

namespace detail {

/// Positions of a window of k with stride s along an axis of n (0 when it does not fit);
/// constnn::dynamic stays dynamic, so shapes fold at compile time where they can.
constexpr std::size_t window_positions(std::size_t n, std::size_t k, std::size_t s,
                                       padding p) noexcept {
  if (n == dynamic || k == dynamic || s == dynamic || p == padding::runtime) return dynamic;
  if (p == padding::same) return (n + s - 1) / s;
  return n >= k ? (n - k) / s + 1 : 0;
}

/// Whether window sizes and a padding chosen at run time describe a window: every size
/// positive and given, the padding valid or same.
constexpr bool window_given(std::size_t k, std::size_t s, padding p) noexcept {
  return k > 0 && k != dynamic && s > 0 && s != dynamic && p != padding::runtime;
}

/// Whether sizes given at run time agreed with the type: nothing stored when the type
/// fixes every size, so a fixed layer stays an empty object.
template <bool Stored>
struct given_flag {
  constexpr given_flag() noexcept = default;
  constexpr explicit given_flag(bool) noexcept {}
  static constexpr bool get() noexcept { return true; }
};
template <>
struct given_flag<true> {
  constexpr given_flag() noexcept = default;
  constexpr explicit given_flag(bool ok) noexcept : ok_(ok) {}
  constexpr bool get() const noexcept { return ok_; }
  bool ok_ = false;
};

/// A padding as the type fixes it (nothing stored), or as chosen at run time.
template <padding P>
struct padding_choice {
  constexpr padding_choice() noexcept = default;
  constexpr explicit padding_choice(padding) noexcept {}
  static constexpr padding get() noexcept { return P; }
};
template <>
struct padding_choice<padding::runtime> {
  constexpr padding_choice() noexcept = default;
  constexpr explicit padding_choice(padding p) noexcept : chosen(p) {}
  constexpr padding get() const noexcept { return chosen; }
  padding chosen = padding::runtime;
};

/// Zero rows or columns before the input for `same` padding.
constexpr std::size_t window_pad_before(std::size_t n, std::size_t k, std::size_t s,
                                        padding p) noexcept {
  if (p == padding::valid) return 0;
  const std::size_t out = window_positions(n, k, s, p);
  const std::size_t span = (out - 1) * s + k;
  return span > n ? (span - n) / 2 : 0;
}

/// The shape facts of a KH x KW pooling window moved by SH, SW without padding: H x W x C in,
/// OH x OW x C out. The pooling layers derive from it. Any of the four may be
/// constnn::dynamic, given to the constructor; kh() .. sw() are then run-time values, else
/// constants, so the pooling loops see the same sizes either way.
template <std::size_t KH, std::size_t KW, std::size_t SH, std::size_t SW>
struct pool2d_window {
  static_assert(KH > 0 && KW > 0 && SH > 0 && SW > 0,
                "constnn: pooling windows and strides are positive");

  constexpr pool2d_window() noexcept = default;
  /// Window rows and columns, then the strides; the sizes the type fixes must be given their
  /// own value (takes_shape() refuses the window otherwise).
  constexpr pool2d_window(std::size_t kh, std::size_t kw, std::size_t sh, std::size_t sw) noexcept
      : window_({kh, kw, sh, sw}), given_(sizes::matches({kh, kw, sh, sw})) {}
  /// A window chosen at run time, moved by the strides the type fixes, or by itself.
  constexpr pool2d_window(std::size_t kh, std::size_t kw) noexcept
      : pool2d_window(kh, kw, SH == dynamic ? kh : SH, SW == dynamic ? kw : SW) {}

  static constexpr bool int8_form = true;

  constexpr auto kh() const noexcept { return window_.template extent_c<0>(); }
  constexpr auto kw() const noexcept { return window_.template extent_c<1>(); }
  constexpr auto sh() const noexcept { return window_.template extent_c<2>(); }
  constexpr auto sw() const noexcept { return window_.template extent_c<3>(); }

  static constexpr std::size_t positions(std::size_t n, std::size_t k, std::size_t s) noexcept {
    return window_positions(n, k, s, padding::valid);
  }

  /// The window over an input and output of these shapes, as the int8 kernels take it.
  template <class In, class Out>
  constexpr conv_geometry pool_geometry(const In& in, const Out& out) const noexcept {
    return conv_geometry(in.extent(0), in.extent(1), in.extent(2), kh(), kw(), sh(), sw(), 0, 0,
                         out.extent(0), out.extent(1), in.extent(2));
  }

  template <class In>
  static constexpr bool takes = In::rank() == 3 && positions(In::static_extent(0), KH, SH) != 0 &&
                                positions(In::static_extent(1), KW, SW) != 0;

  template <shape In>
  constexpr bool takes_shape(const In& in) const noexcept {
    if constexpr (In::rank() != 3) {
      return false;
    } else {
      return given_.get() && positions(in.extent(0), kh(), sh()) > 0 &&
             positions(in.extent(1), kw(), sw()) > 0;
    }
  }

  template <shape In>
  constexpr auto output_shape(const In& in) const noexcept {
    if constexpr (In::rank() != 3) {
      return extents<1>{};  // refused by takes, with the shape in the diagnostic
    } else {
      using out = extents<positions(In::static_extent(0), KH, SH),
                          positions(In::static_extent(1), KW, SW), In::static_extent(2)>;
      return out(
          {positions(in.extent(0), kh(), sh()), positions(in.extent(1), kw(), sw()), in.extent(2)});
    }
  }

 private:
  using sizes = extents<KH, KW, SH, SW>;
  [[no_unique_address]] sizes window_{};
  [[no_unique_address]] given_flag<!sizes::is_static> given_{};
};

}  // namespace detail
}  // namespace constnn
