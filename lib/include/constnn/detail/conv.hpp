// The loops of a 2-D convolution over channels-last data, shared by conv1d and conv2d; not API.
//
// Shapes: x[H][W][C], y[OH][OW][F], weights w[KH][KW][C][F] (HWIO: each row of F values
// joins one input value of the window to every filter), then bias b[F].
//
// The order of every sum is part of the contract, so that every build gives the same bits:
// - an output is its bias plus its window's terms in (kh, kw, c) order, the order a dense
//   layer over the flattened window would use; window rows or columns in the padding are not
//   terms at all;
// - dJ/dx[i][c] sums, in (kh, kw, f) order, w[kh][kw][c][f] dy[o][f] over the outputs o
//   whose window puts tap (kh, kw) on input i;
// - dJ/dw[kh][kw][c][f] sums x dy over the output positions in row-major order, and dJ/db[f]
//   sums dy[.][f] the same way.
// Loops run across filters (or channels) and over a few positions at once; each sum keeps
// its own order, so blocking and vectorising change the speed, never the bits.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <type_traits>

#include "../core/shape.hpp"
#include "conv_geometry.hpp"
#include "kernels.hpp"

namespace constnn::detail {

// The geometry travels by value: a reference could alias the outputs the loops write, and the
// compiler would then reload every size after every store.

// The channel count, as a constant when the geometry fixes it.
template <class G>
constexpr auto channel_count(const G& g) noexcept {
  if constexpr (std::is_same_v<G, conv_geometry>) {
    return g.c;
  } else {
    return fixed_size<G::c>{};
  }
}

// Output positions a forward step computes together, sharing each weight row.
inline constexpr std::size_t conv_block = 4;

// The outputs of row oy, columns ox .. ox+Count-1 (all inner columns), summed into acc.
template <std::size_t Count, class G, class T, size_like NF>
constexpr void conv_forward_block_into(G g, NF f_n, const T* p, const T* x,
                                       T* acc, std::size_t oy, std::size_t ox) noexcept {
  const std::size_t nf = f_n;
  const T* b = p + g.weight_count();
  for (std::size_t q = 0; q < Count; ++q)
    for (std::size_t f = 0; f < nf; ++f) acc[q * nf + f] = b[f];
  for (std::size_t kh = 0; kh < g.kh; ++kh) {
    std::size_t iy = 0;
    if (!g.input_row(oy, kh, iy)) continue;
    for (std::size_t kw = 0; kw < g.kw; ++kw) {
      const std::size_t ix = ox * g.stride_w + kw - g.pad_left;
      const T* xi = x + (iy * g.w + ix) * g.c;
      const T* rows = p + (kh * g.kw + kw) * g.c * nf;
      for (std::size_t c = 0; c < g.c; ++c) {
        const T* row = rows + c * nf;
        for (std::size_t q = 0; q < Count; ++q) {
          const T v = xi[q * g.stride_w * g.c + c];
          for (std::size_t f = 0; f < nf; ++f) acc[q * nf + f] += row[f] * v;
        }
      }
    }
  }
}

// With a fixed number of filters the block's sums live in a local array the compiler can
// keep in registers; otherwise they are summed in the output itself. Same operations.
template <std::size_t Count, class G, class T, size_like NF>
constexpr void conv_forward_block(G g, NF f_n, const T* p, const T* x, T* y,
                                  std::size_t oy, std::size_t ox) noexcept {
  T* yo = y + (oy * g.ow + ox) * std::size_t(f_n);
  if constexpr (std::is_same_v<NF, std::size_t>) {
    conv_forward_block_into<Count>(g, f_n, p, x, yo, oy, ox);
  } else {
    T acc[Count * NF::value];
    conv_forward_block_into<Count>(g, f_n, p, x, acc, oy, ox);
    for (std::size_t k = 0; k < Count * NF::value; ++k) yo[k] = acc[k];
  }
}

/// y = b + sum over the window of x * w, per output position.
template <class G, class T, size_like NF>
constexpr void conv_forward(G g, NF f_n, const T* p, const T* x,
                            T* y) noexcept {
  if (!std::is_constant_evaluated() &&
      kernels::conv_forward(runtime_geometry(g), f_n, channel_count(g), p, x, y))
    return;
  const std::size_t nf = f_n;
  const std::size_t first = g.first_inner_col(), last = g.last_inner_col();
  const T* b = p + g.weight_count();
  // An output column with part of its window in the padding, one position at a time.
  const auto edge = [&](std::size_t oy, std::size_t ox) {
    T* yo = y + (oy * g.ow + ox) * nf;
    for (std::size_t f = 0; f < nf; ++f) yo[f] = b[f];
    for (std::size_t kh = 0; kh < g.kh; ++kh) {
      std::size_t iy = 0;
      if (!g.input_row(oy, kh, iy)) continue;
      for (std::size_t kw = 0; kw < g.kw; ++kw) {
        std::size_t ix = 0;
        if (!g.input_col(ox, kw, ix)) continue;
        const T* xi = x + (iy * g.w + ix) * g.c;
        const T* rows = p + (kh * g.kw + kw) * g.c * nf;
        for (std::size_t c = 0; c < g.c; ++c) {
          const T v = xi[c];
          const T* row = rows + c * nf;
          for (std::size_t f = 0; f < nf; ++f) yo[f] += row[f] * v;
        }
      }
    }
  };
  for (std::size_t oy = 0; oy < g.oh; ++oy) {
    std::size_t ox = 0;
    for (; ox < first && ox < g.ow; ++ox) edge(oy, ox);
    for (; ox + conv_block <= last; ox += conv_block)
      conv_forward_block<conv_block>(g, f_n, p, x, y, oy, ox);
    for (; ox < last; ++ox) conv_forward_block<1>(g, f_n, p, x, y, oy, ox);
    for (; ox < g.ow; ++ox) edge(oy, ox);
  }
}

// Channels of dJ/dx one pass sums together in a local array.
inline constexpr std::size_t conv_dx_block = 16;

/// dx from the weights as they are. wt: scratch of rows() * filters values, which receives
/// the weights transposed to [KH][KW][F][C] so that the loops run across channels.
template <class G, class T, size_like NF>
constexpr void conv_input_gradient(G g, NF f_n, const T* p, const T* dy,
                                   T* dx, T* wt) noexcept {
  const std::size_t nf = f_n, nc = g.c;
  for (std::size_t k = 0; k < g.kh * g.kw; ++k)
    for (std::size_t c = 0; c < nc; ++c)
      for (std::size_t f = 0; f < nf; ++f) wt[(k * nf + f) * nc + c] = p[(k * nc + c) * nf + f];
  // The backends take the transposed weights.
  if (!std::is_constant_evaluated() &&
      kernels::conv_input_gradient(runtime_geometry(g), f_n, channel_count(g), wt, dy, dx))
    return;
  for (std::size_t iy = 0; iy < g.h; ++iy) {
    for (std::size_t ix = 0; ix < g.w; ++ix) {
      for (std::size_t c0 = 0; c0 < nc; c0 += conv_dx_block) {
        const std::size_t cn = nc - c0 < conv_dx_block ? nc - c0 : conv_dx_block;
        T acc[conv_dx_block];
        for (std::size_t c = 0; c < cn; ++c) acc[c] = T(0);
        for (std::size_t kh = 0; kh < g.kh; ++kh) {
          std::size_t oy = 0;
          if (!g.output_row(iy, kh, oy)) continue;
          for (std::size_t kw = 0; kw < g.kw; ++kw) {
            std::size_t ox = 0;
            if (!g.output_col(ix, kw, ox)) continue;
            const T* dyo = dy + (oy * g.ow + ox) * nf;
            const T* cols = wt + (kh * g.kw + kw) * nf * nc + c0;
            for (std::size_t f = 0; f < nf; ++f) {
              const T d = dyo[f];
              const T* col = cols + f * nc;
              for (std::size_t c = 0; c < cn; ++c) acc[c] += col[c] * d;
            }
          }
        }
        T* dxi = dx + (iy * g.w + ix) * nc + c0;
        for (std::size_t c = 0; c < cn; ++c) dxi[c] = acc[c];
      }
    }
  }
}

// Channels whose weight gradients one pass over the positions sums together.
inline constexpr std::size_t conv_channel_block = 4;

// The weight gradients of channels c0 .. c0+Count-1 at tap (kh, kw), summed into acc.
template <std::size_t Count, class G, class T, size_like NF>
constexpr void conv_weight_gradient_rows(G g, NF f_n, const T* x, const T* dy,
                                         T* acc, std::size_t kh, std::size_t kw,
                                         std::size_t c0) noexcept {
  constexpr std::size_t cn = Count;
  if (!std::is_constant_evaluated() &&
      kernels::conv_weight_gradient_rows(runtime_geometry(g), f_n, x, dy, acc, kh, kw, c0, cn))
    return;
  const std::size_t nf = f_n;
  for (std::size_t k = 0; k < cn * nf; ++k) acc[k] = T(0);
  for (std::size_t oy = 0; oy < g.oh; ++oy) {
    std::size_t iy = 0;
    if (!g.input_row(oy, kh, iy)) continue;
    for (std::size_t ox = 0; ox < g.ow; ++ox) {
      std::size_t ix = 0;
      if (!g.input_col(ox, kw, ix)) continue;
      const T* xi = x + (iy * g.w + ix) * g.c + c0;
      const T* dyo = dy + (oy * g.ow + ox) * nf;
      for (std::size_t c = 0; c < cn; ++c) {
        const T v = xi[c];
        for (std::size_t f = 0; f < nf; ++f) acc[c * nf + f] += dyo[f] * v;
      }
    }
  }
}

/// Hands update every weight and bias gradient (the sums above), each complete before it is
/// handed over. g_rows: scratch of conv_channel_block * filters values.
template <class G, class T, size_like NF, class Update>
constexpr void conv_param_gradient(G g, NF f_n, T* p, const T* x,
                                   const T* dy, T* g_rows, const Update& update) noexcept {
  const std::size_t nf = f_n;
  for (std::size_t kh = 0; kh < g.kh; ++kh) {
    for (std::size_t kw = 0; kw < g.kw; ++kw) {
      // Four channels at a time, then one at a time.
      const auto rows = [&](auto count, std::size_t c0) {
        constexpr std::size_t cn = decltype(count)::value;
        // With a fixed number of filters the sums live in a local array the compiler can
        // keep in registers; otherwise in the scratch. Same operations.
        if constexpr (std::is_same_v<NF, std::size_t>) {
          conv_weight_gradient_rows<cn>(g, f_n, x, dy, g_rows, kh, kw, c0);
        } else {
          T acc[cn * NF::value];
          conv_weight_gradient_rows<cn>(g, f_n, x, dy, acc, kh, kw, c0);
          for (std::size_t k = 0; k < cn * nf; ++k) g_rows[k] = acc[k];
        }
        for (std::size_t c = 0; c < cn; ++c) {
          const std::size_t r = (kh * g.kw + kw) * g.c + c0 + c;
          T* row = p + r * nf;
          for (std::size_t f = 0; f < nf; ++f) update(row[f], r * nf + f, g_rows[c * nf + f]);
        }
      };
      std::size_t c0 = 0;
      for (; c0 + conv_channel_block <= g.c; c0 += conv_channel_block)
        rows(fixed_size<conv_channel_block>{}, c0);
      for (; c0 < g.c; ++c0) rows(fixed_size<1>{}, c0);
    }
  }
  for (std::size_t f = 0; f < nf; ++f) g_rows[f] = T(0);
  for (std::size_t k = 0; k < g.oh * g.ow; ++k)
    for (std::size_t f = 0; f < nf; ++f) g_rows[f] += dy[k * nf + f];
  T* b = p + g.weight_count();
  for (std::size_t f = 0; f < nf; ++f) update(b[f], g.weight_count() + f, g_rows[f]);
}

/// Scratch the backward pass needs: the transposed weights (for dJ/dx), then a block of
/// gradient rows.
template <class G>
constexpr std::size_t conv_backward_scratch(G g, bool needs_dx) noexcept {
  const std::size_t rows = conv_channel_block * g.filters;
  return needs_dx && g.weight_count() > rows ? g.weight_count() : rows;
}

}  // namespace constnn::detail
