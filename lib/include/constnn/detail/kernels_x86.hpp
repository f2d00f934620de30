// Vector kernels for x86-64 (AVX2 and AVX-512F), chosen at run time; not API.
//
// Every kernel computes, lane by lane, exactly the operations of the portable code in
// layers/ and core/math.hpp, in the same order: vectors run across the neurons of a layer,
// never across the terms of one sum; multiplies and adds stay separate (the library is built
// with -ffp-contract=off, and no FMA is ever requested); and exp is the scalar polynomial
// evaluated on several lanes at once, its branches turned into selects. So every path gives
// the portable code's bits, and the microcontroller's.
//
// The code uses GCC/Clang vector extensions and the compilers' own builtins, so it needs no
// header beyond the freestanding ones. Each instruction set's functions are compiled with a
// target attribute and picked by a CPU check, so one binary runs on any x86-64 and uses the
// best path the CPU has.
#pragma once

#include "../core/requirements.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "../core/math.hpp"
#include "conv_geometry.hpp"

#if !defined(CONSTNN_PORTABLE_KERNELS) && defined(__x86_64__) && \
    (defined(__GNUC__) || defined(__clang__))
#define CONSTNN_X86_KERNELS 1
#else
#define CONSTNN_X86_KERNELS 0
#endif

#if CONSTNN_X86_KERNELS

// Functions taking or returning vectors draw ABI notes (-Wpsabi) when the translation unit
// is not itself compiled for AVX; they are all inlined into the target-specific entry points.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

namespace constnn::detail::x86 {

/// The instruction sets with kernels, best last.
enum class isa : int { none = 0, avx2 = 1, avx512 = 2 };

inline isa detect_isa() noexcept {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return isa::avx512;
  if (__builtin_cpu_supports("avx2")) return isa::avx2;
  return isa::none;
}

/// The best instruction set the CPU (and the OS) supports, detected once.
inline isa supported_isa() noexcept {
  static const isa s = detect_isa();
  return s;
}

/// The path the kernels take: the supported one unless a test chose a lesser one.
inline isa& selected_isa() noexcept {
  static isa s = supported_isa();
  return s;
}

typedef float v16sf __attribute__((vector_size(64)));
typedef double v8df __attribute__((vector_size(64)));
typedef std::int32_t v16si __attribute__((vector_size(64)));
typedef long long v8di __attribute__((vector_size(64)));
typedef float v8sf __attribute__((vector_size(32)));
typedef double v4df __attribute__((vector_size(32)));
typedef std::int32_t v8si __attribute__((vector_size(32)));
typedef long long v4di __attribute__((vector_size(32)));
typedef std::int32_t v4si __attribute__((vector_size(16)));
// The same, for loads and stores at any scalar-aligned address (as the intrinsics headers do).
typedef float v16sf_u __attribute__((vector_size(64), aligned(4), may_alias));
typedef double v8df_u __attribute__((vector_size(64), aligned(8), may_alias));
typedef float v8sf_u __attribute__((vector_size(32), aligned(4), may_alias));
typedef double v4df_u __attribute__((vector_size(32), aligned(8), may_alias));
typedef std::int32_t v16si_u __attribute__((vector_size(64), aligned(4), may_alias));

/// For each 8-bit mask, the positions of its set bits, one a byte from the lowest: AVX2 has no
/// compress instruction, so its lists of nonzero inputs are built from this table.
inline constexpr std::array<std::uint64_t, 256> set_bit_positions = [] {
  std::array<std::uint64_t, 256> table{};
  for (unsigned m = 0; m < 256; ++m) {
    int count = 0;
    for (unsigned b = 0; b < 8; ++b)
      if ((m >> b) & 1u) table[m] |= std::uint64_t{b} << (8 * count++);
  }
  return table;
}();

typedef unsigned char v8qu __attribute__((vector_size(8)));

/// The window of max_pool2d (no padding): input width and channels, window, strides, output.
struct pool_geometry {
  std::size_t w, c, kh, kw, sh, sw, oh, ow;
};

}  // namespace constnn::detail::x86

#define CONSTNN_X86_NS avx512
#define CONSTNN_X86_TARGET "avx512f"
#define CONSTNN_X86_BYTES 64
#include "kernels_x86_body.inc"
#undef CONSTNN_X86_NS
#undef CONSTNN_X86_TARGET
#undef CONSTNN_X86_BYTES

#define CONSTNN_X86_NS avx2
#define CONSTNN_X86_TARGET "avx2"
#define CONSTNN_X86_BYTES 32
#include "kernels_x86_body.inc"
#undef CONSTNN_X86_NS
#undef CONSTNN_X86_TARGET
#undef CONSTNN_X86_BYTES

namespace constnn::detail::x86 {

// Each returns false when no vector path is selected; the caller then runs the portable code.
#define CONSTNN_X86_DISPATCH(NAME, ...)           \
  switch (selected_isa()) {                       \
    case isa::avx512:                             \
      avx512::NAME##_entry<T>(__VA_ARGS__);       \
      return true;                                \
    case isa::avx2:                               \
      avx2::NAME##_entry<T>(__VA_ARGS__);         \
      return true;                                \
    default:                                      \
      return false;                               \
  }

template <class T>
bool dense_forward(std::size_t in, std::size_t out, const T* p, const T* x, T* y) noexcept {
  CONSTNN_X86_DISPATCH(dense_forward, in, out, p, x, y)
}
/// count (1 to 4) examples through one dense layer, interleaved.
template <class T>
bool dense_forward_batch(std::size_t in, std::size_t out, const T* p, const T* const* xs,
                         T* const* ys, std::size_t count) noexcept {
  CONSTNN_X86_DISPATCH(dense_forward_batch, in, out, p, xs, ys, count)
}
template <class T>
bool dense_backward_sgd(std::size_t in, std::size_t out, T* p, const T* x, const T* dy, T* dx,
                        T lr) noexcept {
  CONSTNN_X86_DISPATCH(dense_backward_sgd, in, out, p, x, dy, dx, lr)
}
template <class T>
bool sigmoid_forward(std::size_t n, const T* x, T* y) noexcept {
  CONSTNN_X86_DISPATCH(sigmoid_forward, n, x, y)
}
template <class T>
bool sigmoid_backward(std::size_t n, const T* y, const T* dy, T* dx) noexcept {
  CONSTNN_X86_DISPATCH(sigmoid_backward, n, y, dy, dx)
}
template <class T>
bool softmax_forward(std::size_t n, const T* x, T* y) noexcept {
  CONSTNN_X86_DISPATCH(softmax_forward, n, x, y)
}
template <class T>
bool exp_shifted(std::size_t n, const T* x, T m, T* y) noexcept {
  CONSTNN_X86_DISPATCH(exp_shifted, n, x, m, y)
}

template <class T>
bool conv_forward(const conv_geometry& g, const T* p, const T* x, T* y) noexcept {
  CONSTNN_X86_DISPATCH(conv_forward, g, p, x, y)
}
template <class T>
bool conv_input_gradient(const conv_geometry& g, const T* wt, const T* dy, T* dx) noexcept {
  CONSTNN_X86_DISPATCH(conv_input_gradient, g, wt, dy, dx)
}
template <class T>
bool conv_weight_gradient_rows(const conv_geometry& g, const T* x, const T* dy, T* acc,
                               std::size_t kh, std::size_t kw, std::size_t c0,
                               std::size_t count) noexcept {
  CONSTNN_X86_DISPATCH(conv_weight_gradient_rows, g, x, dy, acc, kh, kw, c0, count)
}

template <class T>
bool max_pool_forward(const pool_geometry& g, const T* x, T* y, T* at) noexcept {
  CONSTNN_X86_DISPATCH(max_pool_forward, g, x, y, at)
}
template <class T>
bool max_pool_backward(const pool_geometry& g, const T* at, const T* dy, T* dx) noexcept {
  CONSTNN_X86_DISPATCH(max_pool_backward, g, at, dy, dx)
}

#undef CONSTNN_X86_DISPATCH

}  // namespace constnn::detail::x86

#pragma GCC diagnostic pop

#endif  // CONSTNN_X86_KERNELS
