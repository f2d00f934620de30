// How a window (a convolution kernel, a pooling window) slides along one axis.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>

#include "../core/shape.hpp"

namespace constnn {

/// valid: the window stays inside the input. same: zero padding so that the output has
/// ceil(n / stride) positions, split as TFLite and CMSIS-NN do (the extra one at the end).
enum class padding { valid, same };

namespace detail {

/// Positions of a window of k with stride s along an axis of n (0 when it does not fit);
/// constnn::dynamic stays dynamic, so shapes fold at compile time where they can.
constexpr std::size_t window_positions(std::size_t n, std::size_t k, std::size_t s,
                                       padding p) noexcept {
  if (n == dynamic) return dynamic;
  if (p == padding::same) return (n + s - 1) / s;
  return n >= k ? (n - k) / s + 1 : 0;
}

/// Zero rows or columns before the input for `same` padding.
constexpr std::size_t window_pad_before(std::size_t n, std::size_t k, std::size_t s,
                                        padding p) noexcept {
  if (p == padding::valid) return 0;
  const std::size_t out = window_positions(n, k, s, p);
  const std::size_t span = (out - 1) * s + k;
  return span > n ? (span - n) / 2 : 0;
}

/// The shape facts of a KH x KW pooling window moved by SH, SW without padding: H x W x C in,
/// OH x OW x C out. The pooling layers derive from it.
template <std::size_t KH, std::size_t KW, std::size_t SH, std::size_t SW>
struct pool2d_window {
  static_assert(KH > 0 && KW > 0 && SH > 0 && SW > 0 && KH != dynamic && KW != dynamic &&
                    SH != dynamic && SW != dynamic,
                "constnn: pooling windows and strides are positive compile-time constants");

  static constexpr std::size_t positions(std::size_t n, std::size_t k, std::size_t s) noexcept {
    return window_positions(n, k, s, padding::valid);
  }

  template <class In>
  static constexpr bool takes = In::rank() == 3 && positions(In::static_extent(0), KH, SH) != 0 &&
                                positions(In::static_extent(1), KW, SW) != 0;

  template <shape In>
  constexpr bool takes_shape(const In& in) const noexcept {
    if constexpr (In::rank() != 3) {
      return false;
    } else {
      return positions(in.extent(0), KH, SH) > 0 && positions(in.extent(1), KW, SW) > 0;
    }
  }

  template <shape In>
  constexpr auto output_shape(const In& in) const noexcept {
    if constexpr (In::rank() != 3) {
      return extents<1>{};  // refused by takes, with the shape in the diagnostic
    } else {
      using out = extents<positions(In::static_extent(0), KH, SH),
                          positions(In::static_extent(1), KW, SW), In::static_extent(2)>;
      return out({positions(in.extent(0), KH, SH), positions(in.extent(1), KW, SW), in.extent(2)});
    }
  }
};

}  // namespace detail
}  // namespace constnn
