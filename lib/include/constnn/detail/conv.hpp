// The loops of a 2-D convolution over channels-last data, shared by conv1d and conv2d; not API.
//
// Shapes: x[H][W][C], y[OH][OW][F], weights w[KH][KW][C][F] (HWIO: each row of F values
// joins one input value of the window to every filter), then bias b[F]. Every output sums
// its bias and then its window's terms in (kh, kw, c) order, which is the order a dense layer
// over the flattened window would use, and skips inputs that are exactly zero as dense does;
// rows outside the input (zero padding) contribute nothing. Loops run across filters, so each
// output keeps its own order and any vectorisation across them gives the same bits.
#pragma once

#include <cstddef>

#include "../core/shape.hpp"

namespace constnn::detail {

struct conv_geometry {
  std::size_t h, w, c;        // input
  std::size_t kh, kw;         // window
  std::size_t stride_h, stride_w;
  std::size_t pad_top, pad_left;
  std::size_t oh, ow;         // output positions
  std::size_t filters;

  constexpr std::size_t rows() const noexcept { return kh * kw * c; }
  constexpr std::size_t weight_count() const noexcept { return rows() * filters; }
  // Input row iy of window row kh at output row oy, or false when it is padding.
  constexpr bool input_row(std::size_t oy, std::size_t k, std::size_t& iy) const noexcept {
    const std::size_t at = oy * stride_h + k;
    if (at < pad_top || at - pad_top >= h) return false;
    iy = at - pad_top;
    return true;
  }
  constexpr bool input_col(std::size_t ox, std::size_t k, std::size_t& ix) const noexcept {
    const std::size_t at = ox * stride_w + k;
    if (at < pad_left || at - pad_left >= w) return false;
    ix = at - pad_left;
    return true;
  }
};

/// y = b + sum over the window of x * w, per output position.
template <class T>
constexpr void conv_forward(const conv_geometry& g, const T* p, const T* x, T* y) noexcept {
  const std::size_t f_n = g.filters;
  const T* b = p + g.weight_count();
  for (std::size_t oy = 0; oy < g.oh; ++oy) {
    for (std::size_t ox = 0; ox < g.ow; ++ox) {
      T* yo = y + (oy * g.ow + ox) * f_n;
      for (std::size_t f = 0; f < f_n; ++f) yo[f] = b[f];
      for (std::size_t kh = 0; kh < g.kh; ++kh) {
        std::size_t iy = 0;
        if (!g.input_row(oy, kh, iy)) continue;
        for (std::size_t kw = 0; kw < g.kw; ++kw) {
          std::size_t ix = 0;
          if (!g.input_col(ox, kw, ix)) continue;
          const T* xi = x + (iy * g.w + ix) * g.c;
          const T* rows = p + (kh * g.kw + kw) * g.c * f_n;
          for (std::size_t c = 0; c < g.c; ++c) {
            const T v = xi[c];
            if (v == T(0)) continue;
            const T* row = rows + c * f_n;
            for (std::size_t f = 0; f < f_n; ++f) yo[f] += row[f] * v;
          }
        }
      }
    }
  }
}

/// dx = sum over the outputs each input reaches of w . dy, from the weights as they are.
template <class T>
constexpr void conv_input_gradient(const conv_geometry& g, const T* p, const T* dy,
                                   T* dx) noexcept {
  const std::size_t f_n = g.filters;
  for (std::size_t k = 0; k < g.h * g.w * g.c; ++k) dx[k] = T(0);
  for (std::size_t oy = 0; oy < g.oh; ++oy) {
    for (std::size_t ox = 0; ox < g.ow; ++ox) {
      const T* dyo = dy + (oy * g.ow + ox) * f_n;
      for (std::size_t kh = 0; kh < g.kh; ++kh) {
        std::size_t iy = 0;
        if (!g.input_row(oy, kh, iy)) continue;
        for (std::size_t kw = 0; kw < g.kw; ++kw) {
          std::size_t ix = 0;
          if (!g.input_col(ox, kw, ix)) continue;
          T* dxi = dx + (iy * g.w + ix) * g.c;
          const T* rows = p + (kh * g.kw + kw) * g.c * f_n;
          for (std::size_t c = 0; c < g.c; ++c) {
            const T* row = rows + c * f_n;
            T acc = T(0);
            for (std::size_t f = 0; f < f_n; ++f) acc += row[f] * dyo[f];
            dxi[c] += acc;
          }
        }
      }
    }
  }
}

/// Hands update every weight and bias gradient: dJ/dw[r][f] = sum over output positions of
/// dy[f] * (the input row r meets there), summed in position order into g (filters values of
/// scratch); exactly +0, and so zero_gradient, where every such input is 0 or padding.
template <class T, class Update>
constexpr void conv_param_gradient(const conv_geometry& g, T* p, const T* x, const T* dy,
                                   T* scratch, const Update& update) noexcept {
  const std::size_t f_n = g.filters;
  for (std::size_t kh = 0; kh < g.kh; ++kh) {
    for (std::size_t kw = 0; kw < g.kw; ++kw) {
      for (std::size_t c = 0; c < g.c; ++c) {
        const std::size_t r = (kh * g.kw + kw) * g.c + c;
        for (std::size_t f = 0; f < f_n; ++f) scratch[f] = T(0);
        bool any = false;
        for (std::size_t oy = 0; oy < g.oh; ++oy) {
          std::size_t iy = 0;
          if (!g.input_row(oy, kh, iy)) continue;
          for (std::size_t ox = 0; ox < g.ow; ++ox) {
            std::size_t ix = 0;
            if (!g.input_col(ox, kw, ix)) continue;
            const T v = x[(iy * g.w + ix) * g.c + c];
            if (v == T(0)) continue;
            any = true;
            const T* dyo = dy + (oy * g.ow + ox) * f_n;
            for (std::size_t f = 0; f < f_n; ++f) scratch[f] += dyo[f] * v;
          }
        }
        T* row = p + r * f_n;
        if (!any) {
          update.zero_gradient(row, r * f_n, f_n);
          continue;
        }
        for (std::size_t f = 0; f < f_n; ++f) update(row[f], r * f_n + f, scratch[f]);
      }
    }
  }
  for (std::size_t f = 0; f < f_n; ++f) scratch[f] = T(0);
  for (std::size_t k = 0; k < g.oh * g.ow; ++k)
    for (std::size_t f = 0; f < f_n; ++f) scratch[f] += dy[k * f_n + f];
  T* b = p + g.weight_count();
  for (std::size_t f = 0; f < f_n; ++f) update(b[f], g.weight_count() + f, scratch[f]);
}

}  // namespace constnn::detail
