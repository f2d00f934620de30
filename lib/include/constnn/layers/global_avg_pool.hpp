// Global average pooling: one mean per channel over every position.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>

#include "../core/shape.hpp"
#include "../detail/int8_kernels.hpp"
#include "layer.hpp"

namespace constnn {

/// H x W x C (or L x C) to C: the mean of each channel over all positions, summed in
/// position order and divided by their count.
struct global_avg_pool {
  /// int8: the mean of each channel rounded half away from zero (as TFLite's int8 average
  /// pooling rounds), with the input's scale and zero point.
  static constexpr bool int8_form = true;

  template <class In>
  static constexpr bool takes = In::rank() >= 2;

  template <shape In>
  constexpr bool takes_shape(const In&) const noexcept {
    return In::rank() >= 2;
  }

  template <shape In>
  constexpr auto output_shape(const In& in) const noexcept {
    constexpr std::size_t c = In::static_extent(In::rank() - 1);
    return extents<c>({in.extent(In::rank() - 1)});
  }

  template <class T, class In, class Out>
  constexpr void forward(const forward_io<T, In, Out>& io) const noexcept {
    const std::size_t c_n = io.out.size(), n = io.in.size() / c_n;
    if constexpr (is_quantized<T>) {
      const detail::conv_geometry g(1, n, c_n, 1, n, 1, 1, 0, 0, 1, 1, c_n);
      detail::s8::average_pool(g, io.x, io.y);
    } else {
      for (std::size_t c = 0; c < c_n; ++c) io.y[c] = T(0);
      for (std::size_t k = 0; k < n; ++k)
        for (std::size_t c = 0; c < c_n; ++c) io.y[c] += io.x[k * c_n + c];
      for (std::size_t c = 0; c < c_n; ++c) io.y[c] /= static_cast<T>(n);
    }
  }

  /// dJ/dx: each channel's delta, divided by the positions, to every position.
  template <class T, class In, class Out, class Update>
  constexpr void backward(const backward_io<T, In, Out>& io, const Update&) const noexcept {
    if (io.dx == nullptr) return;
    const std::size_t c_n = io.out.size(), n = io.in.size() / c_n;
    for (std::size_t c = 0; c < c_n; ++c) {
      const T d = io.dy[c] / static_cast<T>(n);
      for (std::size_t k = 0; k < n; ++k) io.dx[k * c_n + c] = d;
    }
  }
};

}  // namespace constnn
