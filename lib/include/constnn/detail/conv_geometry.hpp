// The geometry of a convolution over channels-last data; not API.
//
// The layers' loops (conv.hpp) and the backends' kernels take the same description, so a
// kernel sees exactly the window the portable loops see.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>

namespace constnn::detail {

// The window arithmetic, shared by the run-time geometry and the fixed one.
template <class Self>
struct conv_window {
  constexpr const Self& self() const noexcept { return static_cast<const Self&>(*this); }
  constexpr std::size_t rows() const noexcept { return self().kh * self().kw * self().c; }
  constexpr std::size_t weight_count() const noexcept { return rows() * self().filters; }
  // Input row of window row k at output row o, or false when it falls in the padding.
  constexpr bool input_row(std::size_t o, std::size_t k, std::size_t& i) const noexcept {
    const std::size_t at = o * self().stride_h + k;
    if (at < self().pad_top || at - self().pad_top >= self().h) return false;
    i = at - self().pad_top;
    return true;
  }
  constexpr bool input_col(std::size_t o, std::size_t k, std::size_t& i) const noexcept {
    const std::size_t at = o * self().stride_w + k;
    if (at < self().pad_left || at - self().pad_left >= self().w) return false;
    i = at - self().pad_left;
    return true;
  }
  // The window rows (columns) [first, end) of output row (column) o that lie inside the
  // input, and the input row (column) of the first: contiguous, as the padding only ever cuts
  // a window's ends. first == end when none does.
  struct span_on_input {
    std::size_t first = 0, end = 0, input = 0;
  };
  constexpr span_on_input rows_on_input(std::size_t o) const noexcept {
    span_on_input s;
    for (std::size_t k = 0, i = 0; k < self().kh; ++k) {
      if (!input_row(o, k, i)) continue;
      if (s.end == 0) s.first = k, s.input = i;
      s.end = k + 1;
    }
    return s;
  }
  constexpr span_on_input cols_on_input(std::size_t o) const noexcept {
    span_on_input s;
    for (std::size_t k = 0, i = 0; k < self().kw; ++k) {
      if (!input_col(o, k, i)) continue;
      if (s.end == 0) s.first = k, s.input = i;
      s.end = k + 1;
    }
    return s;
  }
  // Output row whose window row k lies on input row i, or false when there is none.
  constexpr bool output_row(std::size_t i, std::size_t k, std::size_t& o) const noexcept {
    const std::size_t at = i + self().pad_top;
    if (at < k || (at - k) % self().stride_h != 0 || (at - k) / self().stride_h >= self().oh)
      return false;
    o = (at - k) / self().stride_h;
    return true;
  }
  constexpr bool output_col(std::size_t i, std::size_t k, std::size_t& o) const noexcept {
    const std::size_t at = i + self().pad_left;
    if (at < k || (at - k) % self().stride_w != 0 || (at - k) / self().stride_w >= self().ow)
      return false;
    o = (at - k) / self().stride_w;
    return true;
  }
  // The output columns [first, end) whose window column k lies inside the input.
  constexpr std::size_t first_col_on_input(std::size_t k) const noexcept {
    return k >= self().pad_left ? 0 : (self().pad_left - k + self().stride_w - 1) / self().stride_w;
  }
  constexpr std::size_t end_col_on_input(std::size_t k) const noexcept {
    if (self().w + self().pad_left <= k) return 0;
    const std::size_t end = (self().w + self().pad_left - k - 1) / self().stride_w + 1;
    return end < self().ow ? end : self().ow;
  }
  // The output columns [first, last) whose whole window row lies inside the input.
  constexpr std::size_t first_inner_col() const noexcept {
    return self().pad_left == 0 ? 0 : (self().pad_left + self().stride_w - 1) / self().stride_w;
  }
  constexpr std::size_t last_inner_col() const noexcept {
    if (self().w + self().pad_left < self().kw) return 0;
    const std::size_t last = (self().w + self().pad_left - self().kw) / self().stride_w + 1;
    return last < self().ow ? last : self().ow;
  }
};

/// A geometry known only at run time.
struct conv_geometry : conv_window<conv_geometry> {
  std::size_t h, w, c;        // input
  std::size_t kh, kw;         // window
  std::size_t stride_h, stride_w;
  std::size_t pad_top, pad_left;
  std::size_t oh, ow;         // output positions
  std::size_t filters;

  constexpr conv_geometry(std::size_t h_, std::size_t w_, std::size_t c_, std::size_t kh_,
                          std::size_t kw_, std::size_t sh, std::size_t sw, std::size_t pt,
                          std::size_t pl, std::size_t oh_, std::size_t ow_,
                          std::size_t f) noexcept
      : h(h_), w(w_), c(c_), kh(kh_), kw(kw_), stride_h(sh), stride_w(sw), pad_top(pt),
        pad_left(pl), oh(oh_), ow(ow_), filters(f) {}
};

/// A geometry fixed by the types, so that every loop bound and index step is a constant: the
/// same loops, compiled for one shape.
template <std::size_t H, std::size_t W, std::size_t C, std::size_t KH, std::size_t KW,
          std::size_t SH, std::size_t SW, std::size_t PT, std::size_t PL, std::size_t OH,
          std::size_t OW, std::size_t F>
struct fixed_conv_geometry : conv_window<fixed_conv_geometry<H, W, C, KH, KW, SH, SW, PT, PL, OH, OW, F>> {
  static constexpr std::size_t h = H, w = W, c = C, kh = KH, kw = KW, stride_h = SH,
                               stride_w = SW, pad_top = PT, pad_left = PL, oh = OH, ow = OW,
                               filters = F;
};

/// The same window with every size a run-time value: what the backends' kernels take.
template <class G>
constexpr conv_geometry runtime_geometry(const G& g) noexcept {
  return conv_geometry(g.h, g.w, g.c, g.kh, g.kw, g.stride_h, g.stride_w, g.pad_top, g.pad_left,
                       g.oh, g.ow, g.filters);
}

}  // namespace constnn::detail
