// Where the layers hand their loops to a faster, bit-identical implementation; not API.
//
// Each function returns true when it did the work, false when the caller must run its own
// portable loop: always false under CONSTNN_PORTABLE_KERNELS, on targets without a vector
// path, and when a test selected the portable path (constnn::kernels::use). Layers call
// these only outside constant evaluation, so constexpr code always runs the portable loops.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>

#include "conv_geometry.hpp"
#include "kernels_cortex_m.hpp"
#include "kernels_x86.hpp"

namespace constnn::detail::kernels {

// Sizes come as the layers have them (fixed_size<N> or std::size_t): the Cortex-M kernels
// then instantiate only the variant a fixed network needs.
template <class T, class NI, class NO>
inline bool dense_forward(NI in, NO out, const T* p, const T* x, T* y) noexcept {
#if CONSTNN_X86_KERNELS
  return x86::dense_forward(std::size_t(in), std::size_t(out), p, x, y);
#elif CONSTNN_CORTEX_M_KERNELS
  return cortex_m::dense_forward(in, out, p, x, y);
#else
  (void)in, (void)out, (void)p, (void)x, (void)y;
  return false;
#endif
}

/// Whether this build has vector paths at all (a compile-time fact): evaluation then runs
/// several examples at once through forward_batch.
inline constexpr bool batched_evaluation = CONSTNN_X86_KERNELS != 0;

template <class T>
inline bool dense_forward_batch(std::size_t in, std::size_t out, const T* p, const T* const* xs,
                                T* const* ys, std::size_t count) noexcept {
#if CONSTNN_X86_KERNELS
  return count <= 4 && x86::dense_forward_batch(in, out, p, xs, ys, count);
#else
  (void)in, (void)out, (void)p, (void)xs, (void)ys, (void)count;
  return false;
#endif
}

template <class T, class NI, class NO>
inline bool dense_backward_sgd(NI in, NO out, T* p, const T* x, const T* dy, T* dx,
                               T lr) noexcept {
#if CONSTNN_X86_KERNELS
  return x86::dense_backward_sgd(std::size_t(in), std::size_t(out), p, x, dy, dx, lr);
#elif CONSTNN_CORTEX_M_KERNELS
  return cortex_m::dense_backward_sgd(in, out, p, x, dy, dx, lr);
#else
  (void)in, (void)out, (void)p, (void)x, (void)dy, (void)dx, (void)lr;
  return false;
#endif
}

template <class T>
inline bool sigmoid_forward(std::size_t n, const T* x, T* y) noexcept {
#if CONSTNN_X86_KERNELS
  return x86::sigmoid_forward(n, x, y);
#elif CONSTNN_CORTEX_M_KERNELS
  return cortex_m::sigmoid_forward(n, x, y);
#else
  (void)n, (void)x, (void)y;
  return false;
#endif
}

template <class T>
inline bool sigmoid_backward(std::size_t n, const T* y, const T* dy, T* dx) noexcept {
#if CONSTNN_X86_KERNELS
  return x86::sigmoid_backward(n, y, dy, dx);
#else
  (void)n, (void)y, (void)dy, (void)dx;
  return false;
#endif
}

template <class T>
inline bool softmax_forward(std::size_t n, const T* x, T* y) noexcept {
#if CONSTNN_X86_KERNELS
  return x86::softmax_forward(n, x, y);
#elif CONSTNN_CORTEX_M_KERNELS
  return cortex_m::softmax_forward(n, x, y);
#else
  (void)n, (void)x, (void)y;
  return false;
#endif
}

/// y[k] = math::exp(x[k] - m): softmax's exponentials (used directly by the bit-identity test).
template <class T>
inline bool exp_shifted(std::size_t n, const T* x, T m, T* y) noexcept {
#if CONSTNN_X86_KERNELS
  return x86::exp_shifted(n, x, m, y);
#else
  (void)n, (void)x, (void)m, (void)y;
  return false;
#endif
}

/// conv.hpp's conv_forward; nf and nc (filters and channels, fixed_size where the network
/// fixes them) let the Cortex-M kernels instantiate only the widths a network needs.
template <class T, class NF, class NC>
inline bool conv_forward(const conv_geometry& g, NF nf, NC nc, const T* p, const T* x,
                         T* y) noexcept {
#if CONSTNN_X86_KERNELS
  (void)nf, (void)nc;
  return x86::conv_forward(g, p, x, y);
#elif CONSTNN_CORTEX_M_KERNELS
  return cortex_m::conv_forward(g, nf, nc, p, x, y);
#else
  (void)g, (void)nf, (void)nc, (void)p, (void)x, (void)y;
  return false;
#endif
}

/// conv.hpp's conv_input_gradient from the weights transposed to [KH][KW][F][C] (wt).
template <class T, class NF, class NC>
inline bool conv_input_gradient(const conv_geometry& g, NF nf, NC nc, const T* wt, const T* dy,
                                T* dx) noexcept {
#if CONSTNN_X86_KERNELS
  (void)nf, (void)nc;
  return x86::conv_input_gradient(g, wt, dy, dx);
#elif CONSTNN_CORTEX_M_KERNELS
  return cortex_m::conv_input_gradient(g, nf, nc, wt, dy, dx);
#else
  (void)g, (void)nf, (void)nc, (void)wt, (void)dy, (void)dx;
  return false;
#endif
}

/// conv.hpp's conv_weight_gradient_rows for `count` (1 to 4) channels from c0.
template <class T, class NF>
inline bool conv_weight_gradient_rows(const conv_geometry& g, NF nf, const T* x, const T* dy,
                                      T* acc, std::size_t kh, std::size_t kw, std::size_t c0,
                                      std::size_t count) noexcept {
#if CONSTNN_X86_KERNELS
  (void)nf;
  return x86::conv_weight_gradient_rows(g, x, dy, acc, kh, kw, c0, count);
#elif CONSTNN_CORTEX_M_KERNELS
  return cortex_m::conv_weight_gradient_rows(g, nf, x, dy, acc, kh, kw, c0, count);
#else
  (void)g, (void)nf, (void)x, (void)dy, (void)acc, (void)kh, (void)kw, (void)c0, (void)count;
  return false;
#endif
}

/// max_pool2d's forward (at, the arg-max positions, may be null) for an input w wide with c
/// channels, a window kh x kw moved by sh, sw, and oh x ow outputs.
template <class T>
inline bool max_pool_forward(std::size_t w, std::size_t c, std::size_t kh, std::size_t kw,
                             std::size_t sh, std::size_t sw, std::size_t oh, std::size_t ow,
                             const T* x, T* y, T* at) noexcept {
#if CONSTNN_X86_KERNELS
  return x86::max_pool_forward(x86::pool_geometry{w, c, kh, kw, sh, sw, oh, ow}, x, y, at);
#else
  (void)w, (void)c, (void)kh, (void)kw, (void)sh, (void)sw, (void)oh, (void)ow;
  (void)x, (void)y, (void)at;
  return false;
#endif
}

/// max_pool2d's backward where the windows do not overlap (every covered input is written).
template <class T>
inline bool max_pool_backward(std::size_t w, std::size_t c, std::size_t kh, std::size_t kw,
                              std::size_t sh, std::size_t sw, std::size_t oh, std::size_t ow,
                              const T* at, const T* dy, T* dx) noexcept {
#if CONSTNN_X86_KERNELS
  return x86::max_pool_backward(x86::pool_geometry{w, c, kh, kw, sh, sw, oh, ow}, at, dy, dx);
#else
  (void)w, (void)c, (void)kh, (void)kw, (void)sh, (void)sw, (void)oh, (void)ow;
  (void)at, (void)dy, (void)dx;
  return false;
#endif
}

}  // namespace constnn::detail::kernels
