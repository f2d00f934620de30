// Max pooling over channels-last images.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <type_traits>

#include "../core/shape.hpp"
#include "../detail/int8_kernels.hpp"
#include "../detail/kernels.hpp"
#include "layer.hpp"
#include "window.hpp"

namespace constnn {

/// The largest value of each KH x KW window of each channel, the window moved by SH rows and
/// SW columns (by default the window itself: no overlap), no padding. The first largest value
/// wins a tie. Training saves which one it was (its position in the window, a small integer
/// held exactly in T), so backward needs neither the input nor the output.
template <std::size_t KH, std::size_t KW, std::size_t SH = KH, std::size_t SW = KW>
struct max_pool2d : detail::pool2d_window<KH, KW, SH, SW> {
  using detail::pool2d_window<KH, KW, SH, SW>::pool2d_window;

  template <shape In>
  constexpr std::size_t extra_count(const In& in) const noexcept {
    return this->output_shape(in).size();
  }

  // Loops run across the channels, which lie side by side, window position by window
  // position in row-major order; each channel's comparisons come in the same order as a
  // channel taken alone.
  template <class T, class In, class Out>
  constexpr void forward(const forward_io<T, In, Out>& io) const noexcept {
    if constexpr (is_quantized<T>) {
      // TFLite's int8 MaxPool: the output keeps the input's scale and zero point.
      detail::s8::max_pool(this->pool_geometry(io.in, io.out), io.x, io.y);
    } else {
      const std::size_t w = io.in.extent(1), c_n = io.in.extent(2);
      const std::size_t oh = io.out.extent(0), ow = io.out.extent(1);
      const auto win_h = this->kh();
      const auto win_w = this->kw();
      const auto step_h = this->sh();
      const auto step_w = this->sw();
      if (!std::is_constant_evaluated() &&
          detail::kernels::max_pool_forward(w, c_n, win_h, win_w, step_h, step_w, oh, ow, io.x,
                                            io.y, io.extra))
        return;
      for (std::size_t oy = 0; oy < oh; ++oy)
        for (std::size_t ox = 0; ox < ow; ++ox) {
          const T* x0 = io.x + ((oy * step_h) * w + ox * step_w) * c_n;
          T* best = io.y + (oy * ow + ox) * c_n;
          for (std::size_t c = 0; c < c_n; ++c) best[c] = x0[c];
          T* at = io.extra == nullptr ? nullptr : io.extra + (oy * ow + ox) * c_n;
          if (at != nullptr)
            for (std::size_t c = 0; c < c_n; ++c) at[c] = T(0);
          for (std::size_t k = 1; k < win_h * win_w; ++k) {
            const T* xk = x0 + ((k / win_w) * w + k % win_w) * c_n;
            if (at == nullptr) {
              for (std::size_t c = 0; c < c_n; ++c) best[c] = xk[c] > best[c] ? xk[c] : best[c];
            } else {
              for (std::size_t c = 0; c < c_n; ++c) {
                const bool larger = xk[c] > best[c];
                best[c] = larger ? xk[c] : best[c];
                at[c] = larger ? static_cast<T>(k) : at[c];
              }
            }
          }
        }
    }
  }

  /// dJ/dx: each output's delta goes to the input it took (summed where windows overlap).
  template <class T, class In, class Out, class Update>
  constexpr void backward(const backward_io<T, In, Out>& io, const Update&) const noexcept {
    if (io.dx == nullptr) return;
    const std::size_t h = io.in.extent(0), w = io.in.extent(1), c_n = io.in.extent(2);
    const std::size_t oh = io.out.extent(0), ow = io.out.extent(1);
    const auto win_h = this->kh();
    const auto win_w = this->kw();
    const auto step_h = this->sh();
    const auto step_w = this->sw();
    const bool overlap = step_h < win_h || step_w < win_w;
    // Inputs no window covers (and, with overlap, the sums) start at 0.
    if (overlap || oh * step_h != h || ow * step_w != w)
      for (std::size_t k = 0; k < io.in.size(); ++k) io.dx[k] = T(0);
    if (!overlap && !std::is_constant_evaluated() &&
        detail::kernels::max_pool_backward(w, c_n, win_h, win_w, step_h, step_w, oh, ow, io.extra,
                                           io.dy, io.dx))
      return;
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox) {
        const std::size_t o = (oy * ow + ox) * c_n;
        const T* at = io.extra + o;
        const T* dy = io.dy + o;
        for (std::size_t k = 0; k < win_h * win_w; ++k) {
          T* dxk = io.dx + ((oy * step_h + k / win_w) * w + ox * step_w + k % win_w) * c_n;
          const T mine = static_cast<T>(k);
          if (overlap) {
            for (std::size_t c = 0; c < c_n; ++c)
              if (at[c] == mine) dxk[c] += dy[c];
          } else {
            // Each input lies in one window only: 0 + dy, as the sum of its one term.
            for (std::size_t c = 0; c < c_n; ++c) dxk[c] = at[c] == mine ? T(0) + dy[c] : T(0);
          }
        }
      }
  }
};

}  // namespace constnn
