// Average pooling over channels-last images.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>

#include "../core/shape.hpp"
#include "../detail/int8_kernels.hpp"
#include "layer.hpp"
#include "window.hpp"

namespace constnn {

/// The mean of each KH x KW window of each channel (its sum in (kh, kw) order, divided by
/// KH * KW), the window moved by SH rows and SW columns (by default the window itself), no
/// padding. Backward needs nothing from the forward pass.
template <std::size_t KH, std::size_t KW, std::size_t SH = KH, std::size_t SW = KW>
struct avg_pool2d : detail::pool2d_window<KH, KW, SH, SW> {
  using detail::pool2d_window<KH, KW, SH, SW>::pool2d_window;

  template <class T, class In, class Out>
  constexpr void forward(const forward_io<T, In, Out>& io) const noexcept {
    if constexpr (is_quantized<T>) {
      // TFLite's int8 AveragePool: scale and zero point kept, the mean rounded half away.
      detail::s8::average_pool(this->pool_geometry(io.in, io.out), io.x, io.y);
    } else {
      const std::size_t w = io.in.extent(1), c_n = io.in.extent(2);
      const std::size_t oh = io.out.extent(0), ow = io.out.extent(1);
      const auto win_h = this->kh();
      const auto win_w = this->kw();
      const auto step_h = this->sh();
      const auto step_w = this->sw();
      for (std::size_t oy = 0; oy < oh; ++oy)
        for (std::size_t ox = 0; ox < ow; ++ox)
          for (std::size_t c = 0; c < c_n; ++c) {
            const T* x0 = io.x + ((oy * step_h) * w + ox * step_w) * c_n + c;
            T sum = T(0);
            for (std::size_t kh = 0; kh < win_h; ++kh)
              for (std::size_t kw = 0; kw < win_w; ++kw) sum += x0[(kh * w + kw) * c_n];
            io.y[(oy * ow + ox) * c_n + c] = sum / static_cast<T>(win_h * win_w);
          }
    }
  }

  /// dJ/dx: each output's delta, divided by KH * KW, to every input of its window.
  template <class T, class In, class Out, class Update>
  constexpr void backward(const backward_io<T, In, Out>& io, const Update&) const noexcept {
    if (io.dx == nullptr) return;
    const std::size_t w = io.in.extent(1), c_n = io.in.extent(2);
    const std::size_t oh = io.out.extent(0), ow = io.out.extent(1);
    const auto win_h = this->kh();
    const auto win_w = this->kw();
    const auto step_h = this->sh();
    const auto step_w = this->sw();
    for (std::size_t k = 0; k < io.in.size(); ++k) io.dx[k] = T(0);
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox)
        for (std::size_t c = 0; c < c_n; ++c) {
          const T d = io.dy[(oy * ow + ox) * c_n + c] / static_cast<T>(win_h * win_w);
          T* dx0 = io.dx + ((oy * step_h) * w + ox * step_w) * c_n + c;
          for (std::size_t kh = 0; kh < win_h; ++kh)
            for (std::size_t kw = 0; kw < win_w; ++kw) dx0[(kh * w + kw) * c_n] += d;
        }
  }
};

}  // namespace constnn
