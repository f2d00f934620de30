// Max pooling over channels-last images.
#pragma once

#include <cstddef>

#include "../core/shape.hpp"
#include "layer.hpp"
#include "window.hpp"

namespace constnn {

/// The largest value of each KH x KW window of each channel, the window moved by SH rows and
/// SW columns (by default the window itself: no overlap), no padding. The first largest value
/// wins a tie. Training saves which one it was (its position in the window, a small integer
/// held exactly in T), so backward needs neither the input nor the output.
template <std::size_t KH, std::size_t KW, std::size_t SH = KH, std::size_t SW = KW>
struct max_pool2d : detail::pool2d_window<KH, KW, SH, SW> {
  template <shape In>
  constexpr std::size_t extra_count(const In& in) const noexcept {
    return this->output_shape(in).size();
  }

  template <class T, class In, class Out>
  constexpr void forward(const forward_io<T, In, Out>& io) const noexcept {
    const std::size_t w = io.in.extent(1), c_n = io.in.extent(2);
    const std::size_t oh = io.out.extent(0), ow = io.out.extent(1);
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox)
        for (std::size_t c = 0; c < c_n; ++c) {
          const T* x0 = io.x + ((oy * SH) * w + ox * SW) * c_n + c;
          T best = x0[0];
          std::size_t at = 0;
          for (std::size_t kh = 0; kh < KH; ++kh)
            for (std::size_t kw = 0; kw < KW; ++kw) {
              const T v = x0[(kh * w + kw) * c_n];
              if (v > best) {
                best = v;
                at = kh * KW + kw;
              }
            }
          const std::size_t o = (oy * ow + ox) * c_n + c;
          io.y[o] = best;
          if (io.extra != nullptr) io.extra[o] = static_cast<T>(at);
        }
  }

  /// dJ/dx: each output's delta goes to the input it took (summed where windows overlap).
  template <class T, class In, class Out, class Update>
  constexpr void backward(const backward_io<T, In, Out>& io, const Update&) const noexcept {
    if (io.dx == nullptr) return;
    const std::size_t w = io.in.extent(1), c_n = io.in.extent(2);
    const std::size_t oh = io.out.extent(0), ow = io.out.extent(1);
    for (std::size_t k = 0; k < io.in.size(); ++k) io.dx[k] = T(0);
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox)
        for (std::size_t c = 0; c < c_n; ++c) {
          const std::size_t o = (oy * ow + ox) * c_n + c;
          const auto at = static_cast<std::size_t>(io.extra[o]);
          const std::size_t kh = at / KW, kw = at % KW;
          io.dx[((oy * SH + kh) * w + ox * SW + kw) * c_n + c] += io.dy[o];
        }
  }
};

}  // namespace constnn
