// The int8 fully connected and convolution loops for Cortex-M cores; not API. On the cores
// with the DSP extension, convolutions go to int8_pairs_dsp.hpp (windows expanded once, two
// windows per weight load, a first layer's window in registers), and so do the M55's first
// layers; what follows serves the rest: dense layers, the M55's other convolutions, the M0+,
// and windows too large for that file's arrays.
//
// Cores with the DSP extension (M4, M7, M33, M55: Armv7E-M, Armv8-M Mainline):
// - SMLAD adds two 16 x 16-bit products to an accumulator in one instruction;
// - SXTB16 sign-extends bytes 0 and 2 (with ROR #8: bytes 1 and 3) of a word of four int8
//   weights into two halfwords; SXTAB16 does the same to four inputs and adds the input
//   offset -zero_point to both halves (x - zx lies in [-255, 255]: no halfword overflows);
//   the pairing is the same for inputs and weights, so each SMLAD multiplies matching
//   elements.
// The M55 (Armv8.1-M with MVE, Helium): VLDRB.S16 sign-extends eight int8 into halfword lanes,
// VSUB takes the zero point off all eight, and VMLADAVA adds the eight products to a scalar
// accumulator; a tail-predicated loop (WLSTP/LETP) ends any row length without a scalar tail
// and reads no byte past it.
// The M0 and M0+ (Armv6-M, no DSP): LDRSB with a register offset and one index shared by the
// input and four weight rows, MULS, and the four sums in high registers (ADD reaches them).
//
// Both: four output channels share each input load, and a convolution window's part inside
// the input is a rectangle whose rows are contiguous in the input (channels last) and in each
// filter's OHWI weights, so one call covers a whole window. Integer sums do not depend on
// their order: the results are the portable loops' (detail/int8_kernels.hpp) bit for bit.
// The weights stay in TFLite's layout, so one header serves every target.
// GCC/Clang inline assembly; nothing here runs in constant evaluation.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <cstdint>

#include "../core/fixed_point.hpp"
#include "conv_geometry.hpp"
#include "int8_channel_groups.hpp"
#include "int8_pairs_dsp.hpp"
#include "one_step_requantizer.hpp"

#if !defined(CONSTNN_PORTABLE_KERNELS) && (defined(__GNUC__) || defined(__clang__)) &&   \
    defined(__arm__) && defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#if defined(__thumb2__) && defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#define CONSTNN_INT8_MVE_KERNELS 1
#elif defined(__thumb2__) && defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#define CONSTNN_INT8_DSP_KERNELS 1
#elif defined(__ARM_ARCH_6M__)
#define CONSTNN_INT8_ARMV6M_KERNELS 1
#endif
#endif
#ifndef CONSTNN_INT8_MVE_KERNELS
#define CONSTNN_INT8_MVE_KERNELS 0
#endif
#ifndef CONSTNN_INT8_DSP_KERNELS
#define CONSTNN_INT8_DSP_KERNELS 0
#endif
#ifndef CONSTNN_INT8_ARMV6M_KERNELS
#define CONSTNN_INT8_ARMV6M_KERNELS 0
#endif
#define CONSTNN_INT8_ARM_KERNELS \
  (CONSTNN_INT8_MVE_KERNELS || CONSTNN_INT8_DSP_KERNELS || CONSTNN_INT8_ARMV6M_KERNELS)

#if CONSTNN_INT8_ARM_KERNELS

namespace constnn::detail::s8::arm {

// A rectangle of int8 inputs (rows of n bytes; for the DSP word kernel n is a multiple of 4)
// against the matching bytes of four weight rows w0, w0 + s, w2, w2 + s. After each row the
// inputs skip x_skip bytes and the weights w_skip (a window of a convolution: the next image
// row, the next kernel row).
// Offsets are fixed: the assembly reads the fields by address.
struct window_args {
  const std::int8_t* x;   // 0
  const std::int8_t* w0;  // 4
  const std::int8_t* w2;  // 8
  std::int32_t s;         // 12
  std::int32_t n;         // 16
  std::int32_t rows;      // 20, at least 1; counted down
  std::int32_t x_skip;    // 24
  std::int32_t w_skip;    // 28
  std::int32_t offset;    // 32: -zero_point (DSP: in both halfwords)
  std::int32_t acc[4];    // 36: added to
};
static_assert(sizeof(void*) == 4 && sizeof(window_args) == 52);

// Naked, so that the loops have every register: an operand list would leave too few, and r7
// may be the frame pointer.
#if CONSTNN_INT8_MVE_KERNELS
// Per eight inputs and four channels: 11 instructions for 32 multiply-adds, loop included.
// args->offset: zero_point. VMLADAVA takes even accumulator registers; q0-q3 need no saving.
[[gnu::naked, gnu::noinline]] inline void window_dot4_mve(window_args*) noexcept {
  asm volatile(
      "push {r4-r11, lr}\n\t"
      "ldr r1, [r0, #0]\n\t"
      "ldr r2, [r0, #4]\n\t"
      "ldr r4, [r0, #8]\n\t"
      "ldr r11, [r0, #12]\n\t"
      "add r3, r2, r11\n\t"
      "add r5, r4, r11\n\t"
      "ldr r9, [r0, #16]\n\t"
      "ldr r7, [r0, #32]\n\t"
      "ldr r6, [r0, #36]\n\t"
      "ldr r8, [r0, #40]\n\t"
      "ldr r10, [r0, #44]\n\t"
      "ldr r12, [r0, #48]\n\t"
      "1:\n\t"
      "wlstp.16 lr, r9, 3f\n\t"
      "2:\n\t"
      "vldrb.s16 q0, [r1], #8\n\t"
      "vsub.i16 q0, q0, r7\n\t"
      "vldrb.s16 q1, [r2], #8\n\t"
      "vmladava.s16 r6, q0, q1\n\t"
      "vldrb.s16 q2, [r3], #8\n\t"
      "vmladava.s16 r8, q0, q2\n\t"
      "vldrb.s16 q1, [r4], #8\n\t"
      "vmladava.s16 r10, q0, q1\n\t"
      "vldrb.s16 q2, [r5], #8\n\t"
      "vmladava.s16 r12, q0, q2\n\t"
      "letp lr, 2b\n\t"
      "3:\n\t"
      // The pointers stepped by whole vectors; the next row starts n + skip bytes after this one.
      "ldr r11, [r0, #20]\n\t"
      "subs r11, r11, #1\n\t"
      "str r11, [r0, #20]\n\t"
      "beq 4f\n\t"
      "ldr r1, [r0, #0]\n\t"
      "ldr r11, [r0, #24]\n\t"
      "add r1, r1, r9\n\t"
      "add r1, r1, r11\n\t"
      "str r1, [r0, #0]\n\t"
      "ldr r11, [r0, #28]\n\t"
      "add r11, r11, r9\n\t"
      "ldr r2, [r0, #4]\n\t"
      "add r2, r2, r11\n\t"
      "str r2, [r0, #4]\n\t"
      "ldr r4, [r0, #8]\n\t"
      "add r4, r4, r11\n\t"
      "str r4, [r0, #8]\n\t"
      "ldr r11, [r0, #12]\n\t"
      "add r3, r2, r11\n\t"
      "add r5, r4, r11\n\t"
      "b 1b\n\t"
      "4:\n\t"
      "str r6, [r0, #36]\n\t"
      "str r8, [r0, #40]\n\t"
      "str r10, [r0, #44]\n\t"
      "str r12, [r0, #48]\n\t"
      "pop {r4-r11, pc}\n\t");
}
#endif

#if CONSTNN_INT8_DSP_KERNELS
// Per four inputs and four channels: 25 instructions for 16 multiply-adds, loop included.
// args->offset: -zero_point in both halfwords.
[[gnu::naked, gnu::noinline]] inline void window_dot4_words(window_args*) noexcept {
  asm volatile(
      "push {r4-r11, lr}\n\t"
      "push {r0}\n\t"
      "ldr r1, [r0, #0]\n\t"
      "ldr r2, [r0, #4]\n\t"
      "ldr r6, [r0, #8]\n\t"
      "ldr r3, [r0, #12]\n\t"
      "ldr r4, [r0, #16]\n\t"
      "ldr r5, [r0, #32]\n\t"
      "add r12, r0, #36\n\t"
      "ldm r12, {r7-r10}\n\t"
      "add r4, r1, r4\n\t"
      "1:\n\t"
      "cmp r1, r4\n\t"
      "beq 3f\n\t"
      "2:\n\t"
      "ldr r11, [r1], #4\n\t"
      "sxtab16 r12, r5, r11\n\t"
      "sxtab16 r11, r5, r11, ror #8\n\t"
      "ldr r0, [r2, r3]\n\t"
      "sxtb16 lr, r0, ror #8\n\t"
      "sxtb16 r0, r0\n\t"
      "smlad r8, r0, r12, r8\n\t"
      "smlad r8, lr, r11, r8\n\t"
      "ldr r0, [r2], #4\n\t"
      "sxtb16 lr, r0, ror #8\n\t"
      "sxtb16 r0, r0\n\t"
      "smlad r7, r0, r12, r7\n\t"
      "smlad r7, lr, r11, r7\n\t"
      "ldr r0, [r6, r3]\n\t"
      "sxtb16 lr, r0, ror #8\n\t"
      "sxtb16 r0, r0\n\t"
      "smlad r10, r0, r12, r10\n\t"
      "smlad r10, lr, r11, r10\n\t"
      "ldr r0, [r6], #4\n\t"
      "sxtb16 lr, r0, ror #8\n\t"
      "sxtb16 r0, r0\n\t"
      "smlad r9, r0, r12, r9\n\t"
      "smlad r9, lr, r11, r9\n\t"
      "cmp r1, r4\n\t"
      "bne 2b\n\t"
      "3:\n\t"
      "ldr r0, [sp]\n\t"
      "ldr r11, [r0, #20]\n\t"
      "subs r11, r11, #1\n\t"
      "str r11, [r0, #20]\n\t"
      "beq 4f\n\t"
      "ldr r11, [r0, #24]\n\t"
      "add r1, r1, r11\n\t"
      "ldr r11, [r0, #28]\n\t"
      "add r2, r2, r11\n\t"
      "add r6, r6, r11\n\t"
      "ldr r11, [r0, #16]\n\t"
      "add r4, r1, r11\n\t"
      "b 1b\n\t"
      "4:\n\t"
      "add r12, r0, #36\n\t"
      "stm r12, {r7-r10}\n\t"
      "pop {r0}\n\t"
      "pop {r4-r11, pc}\n\t");
}
#endif

// Any n, Thumb-1 only (so every M profile core runs it): per input and four channels, 16
// instructions for 4 multiply-adds, loop included. The row pointers point past the row's end
// and the index runs from -n up to 0. args->offset: -zero_point.
#if CONSTNN_INT8_ARMV6M_KERNELS
// GCC hands Thumb-1 inline assembly to the assembler in divided syntax; clang's assembler
// knows only unified syntax.
#if defined(__clang__)
#define CONSTNN_DETAIL_UNIFIED_BEGIN ""
#define CONSTNN_DETAIL_UNIFIED_END ""
#else
#define CONSTNN_DETAIL_UNIFIED_BEGIN ".syntax unified\n\t"
#define CONSTNN_DETAIL_UNIFIED_END ".syntax divided\n\t"
#endif
[[gnu::naked, gnu::noinline]] inline void window_dot4_bytes(window_args*) noexcept {
  asm volatile(
      CONSTNN_DETAIL_UNIFIED_BEGIN
      "push {r4-r7, lr}\n\t"
      "mov r4, r8\n\t"
      "mov r5, r9\n\t"
      "mov r6, r10\n\t"
      "mov r7, r11\n\t"
      "push {r4-r7}\n\t"
      "push {r0}\n\t"
      "ldr r1, [r0, #36]\n\t"
      "mov r8, r1\n\t"
      "ldr r1, [r0, #40]\n\t"
      "mov r9, r1\n\t"
      "ldr r1, [r0, #44]\n\t"
      "mov r10, r1\n\t"
      "ldr r1, [r0, #48]\n\t"
      "mov r11, r1\n\t"
      "ldr r1, [r0, #32]\n\t"
      "mov r12, r1\n\t"
      "ldr r6, [r0, #16]\n\t"
      "ldr r1, [r0, #0]\n\t"
      "adds r1, r1, r6\n\t"
      "ldr r2, [r0, #4]\n\t"
      "adds r2, r2, r6\n\t"
      "ldr r3, [r0, #12]\n\t"
      "adds r3, r2, r3\n\t"
      "ldr r4, [r0, #8]\n\t"
      "adds r4, r4, r6\n\t"
      "ldr r5, [r0, #12]\n\t"
      "adds r5, r4, r5\n\t"
      "1:\n\t"
      "rsbs r0, r6, #0\n\t"
      "beq 3f\n\t"
      "2:\n\t"
      "ldrsb r6, [r1, r0]\n\t"
      "add r6, r6, r12\n\t"
      "ldrsb r7, [r2, r0]\n\t"
      "muls r7, r6, r7\n\t"
      "add r8, r8, r7\n\t"
      "ldrsb r7, [r3, r0]\n\t"
      "muls r7, r6, r7\n\t"
      "add r9, r9, r7\n\t"
      "ldrsb r7, [r4, r0]\n\t"
      "muls r7, r6, r7\n\t"
      "add r10, r10, r7\n\t"
      "ldrsb r7, [r5, r0]\n\t"
      "muls r7, r6, r7\n\t"
      "add r11, r11, r7\n\t"
      "adds r0, r0, #1\n\t"
      "bne 2b\n\t"
      "3:\n\t"
      "ldr r0, [sp]\n\t"
      "ldr r6, [r0, #20]\n\t"
      "subs r6, r6, #1\n\t"
      "str r6, [r0, #20]\n\t"
      "beq 4f\n\t"
      "ldr r7, [r0, #16]\n\t"
      "ldr r6, [r0, #24]\n\t"
      "adds r1, r1, r6\n\t"
      "adds r1, r1, r7\n\t"
      "ldr r6, [r0, #28]\n\t"
      "adds r6, r6, r7\n\t"
      "adds r2, r2, r6\n\t"
      "adds r3, r3, r6\n\t"
      "adds r4, r4, r6\n\t"
      "adds r5, r5, r6\n\t"
      "mov r6, r7\n\t"
      "b 1b\n\t"
      "4:\n\t"
      "mov r1, r8\n\t"
      "str r1, [r0, #36]\n\t"
      "mov r1, r9\n\t"
      "str r1, [r0, #40]\n\t"
      "mov r1, r10\n\t"
      "str r1, [r0, #44]\n\t"
      "mov r1, r11\n\t"
      "str r1, [r0, #48]\n\t"
      "add sp, sp, #4\n\t"
      "pop {r4-r7}\n\t"
      "mov r8, r4\n\t"
      "mov r9, r5\n\t"
      "mov r10, r6\n\t"
      "mov r11, r7\n\t"
      "pop {r4-r7, pc}\n\t"
      CONSTNN_DETAIL_UNIFIED_END);
}
#undef CONSTNN_DETAIL_UNIFIED_BEGIN
#undef CONSTNN_DETAIL_UNIFIED_END
#endif

#if CONSTNN_INT8_DSP_KERNELS
// What the kernels compute, in C: on the DSP cores, for rows whose length is not a multiple
// of four (a first layer's one to three channels), where MLA makes it 10 instructions per
// four multiply-adds and a call would cost more than the few multiply-adds of such a window.
inline void window_dot4_inline(window_args& a, std::int32_t input_zero_point) noexcept {
  const std::int8_t* x = a.x;
  const std::int8_t* w0 = a.w0;
  const std::int8_t* w2 = a.w2;
  const std::size_t s = static_cast<std::size_t>(a.s), n = static_cast<std::size_t>(a.n);
  std::int32_t acc0 = a.acc[0], acc1 = a.acc[1], acc2 = a.acc[2], acc3 = a.acc[3];
  for (std::int32_t r = a.rows; r > 0; --r) {
    for (std::size_t j = 0; j < n; ++j) {
      const std::int32_t v = std::int32_t{x[j]} - input_zero_point;
      acc0 += v * std::int32_t{w0[j]};
      acc1 += v * std::int32_t{w0[s + j]};
      acc2 += v * std::int32_t{w2[j]};
      acc3 += v * std::int32_t{w2[s + j]};
    }
    x += n + static_cast<std::size_t>(a.x_skip);
    w0 += n + static_cast<std::size_t>(a.w_skip);
    w2 += n + static_cast<std::size_t>(a.w_skip);
  }
  a.acc[0] = acc0, a.acc[1] = acc1, a.acc[2] = acc2, a.acc[3] = acc3;
}
#endif

// One window against four channels: the vector kernel on the M55; the word kernel where the
// rows allow it on the DSP cores, otherwise the loop above; the byte kernel on the M0 and M0+.
inline void window_dot4(window_args& a, std::int32_t input_zero_point) noexcept {
#if CONSTNN_INT8_MVE_KERNELS
  a.offset = input_zero_point;
  window_dot4_mve(&a);
#elif CONSTNN_INT8_DSP_KERNELS
  if (a.n % 4 == 0) {
    a.offset = static_cast<std::int32_t>(pairs::halfwords(-input_zero_point));
    window_dot4_words(&a);
  } else {
    window_dot4_inline(a, input_zero_point);
  }
#else
  a.offset = -input_zero_point;
  window_dot4_bytes(&a);
#endif
}

// Four filters from their biases through one convolution window (if it has any input) to
// their outputs y[row] for the first `count` of them; each filter's bias and multiplier are
// read once.
template <fixed_point::rounding Mode, class Channels, class Stage>
inline void four_channels(window_args& a, const four_rows& r, std::size_t count, bool any,
                          std::int32_t input_zero_point, const Channels& channels,
                          const Stage& os, std::int8_t* y) noexcept {
  decltype(channels(std::size_t{0})) ch[4];
  for (std::size_t k = 0; k < 4; ++k) {
    ch[k] = channels(r.row[k]);
    a.acc[k] = ch[k].bias;
  }
  if (any) window_dot4(a, input_zero_point);
  for (std::size_t k = 0; k < 4 && k < count; ++k)
    y[r.row[k]] = fixed_point::requantize<Mode>(a.acc[k], ch[k].multiplier,
                                                os.zero_point, os.lo, os.hi);
}

/// fully_connected of detail/int8_kernels.hpp, four output channels at a time. On the DSP
/// cores the last in % 4 inputs are summed here.
template <fixed_point::rounding Mode, class Channels, class Stage>
inline bool fully_connected(std::size_t in, std::size_t out, const std::int8_t* x,
                            std::int32_t input_zero_point, const std::int8_t* w,
                            const Channels& channels, const Stage& os,
                            std::int8_t* y) noexcept {
  const std::size_t body = CONSTNN_INT8_DSP_KERNELS ? in - in % 4 : in;
  for (std::size_t o = 0; o < out; o += 4) {
    const std::size_t left = out - o;
    const four_rows r = rows_for(o, left);
    window_args a{x,
                  w + (o + static_cast<std::size_t>(r.w0)) * in,
                  w + (o + static_cast<std::size_t>(r.w2)) * in,
                  r.s * static_cast<std::int32_t>(in),
                  static_cast<std::int32_t>(body),
                  1,
                  0,
                  0,
                  0,
                  {}};
    // Unlike four_channels (the convolution's), the multiplier is read again here: on the
    // firmware's OCR network keeping four channels in locals costs 2,000 instructions more
    // per prediction on the M4F (firmware_example/figures.sh).
    for (std::size_t k = 0; k < 4; ++k) a.acc[k] = channels(r.row[k]).bias;
    if (body != 0) window_dot4(a, input_zero_point);
    for (std::size_t k = 0; k < 4 && k < left; ++k) {
      const std::size_t row = r.row[k];
      std::int32_t acc = a.acc[k];
      const std::int8_t* wr = w + row * in;
      for (std::size_t i = body; i < in; ++i)
        acc += (std::int32_t{x[i]} - input_zero_point) * std::int32_t{wr[i]};
      // One-step requantization only where SMLAL is one instruction: on the M0+ its 64-bit
      // sums are library calls, and on the M55 the firmware's OCR network came out 233
      // instructions slower with it (firmware_example/figures.sh).
      if constexpr (CONSTNN_INT8_DSP_KERNELS && Mode == fixed_point::rounding::double_rounding) {
        const requantizer rq = requantizer::make(channels(row).multiplier);
        if (rq.one_step()) {
          const std::int32_t v = rq(acc) + os.zero_point;
          y[row] = static_cast<std::int8_t>(v < os.lo ? os.lo : v > os.hi ? os.hi : v);
          continue;
        }
      }
      y[row] = fixed_point::requantize<Mode>(acc, channels(row).multiplier, os.zero_point, os.lo,
                                             os.hi);
    }
  }
  return true;
}

/// conv2d of detail/int8_kernels.hpp: per output position, the window's part inside the
/// input against four filters at a time.
template <fixed_point::rounding Mode, class Channels, class Stage>
inline bool conv2d(const conv_geometry& g, const std::int8_t* x, std::int32_t input_zero_point,
                   const std::int8_t* w, const Channels& channels, const Stage& os,
                   std::int8_t* y) noexcept {
  const std::size_t per_filter = g.kh * g.kw * g.c;
  for (std::size_t oy = 0; oy < g.oh; ++oy) {
    const auto rows = g.rows_on_input(oy);
    for (std::size_t ox = 0; ox < g.ow; ++ox) {
      const auto cols = g.cols_on_input(ox);
      const std::size_t n = (cols.end - cols.first) * g.c;
      const std::int8_t* wf = w + (rows.first * g.kw + cols.first) * g.c;
      for (std::size_t f = 0; f < g.filters; f += 4) {
        const four_rows r = rows_for(f, g.filters - f);
        window_args a{x + (rows.input * g.w + cols.input) * g.c,
                      wf + (f + static_cast<std::size_t>(r.w0)) * per_filter,
                      wf + (f + static_cast<std::size_t>(r.w2)) * per_filter,
                      r.s * static_cast<std::int32_t>(per_filter),
                      static_cast<std::int32_t>(n),
                      static_cast<std::int32_t>(rows.end - rows.first),
                      static_cast<std::int32_t>(g.w * g.c - n),
                      static_cast<std::int32_t>(g.kw * g.c - n),
                      0,
                      {}};
        four_channels<Mode>(a, r, g.filters - f, rows.end > rows.first && n != 0,
                            input_zero_point, channels, os, y + (oy * g.ow + ox) * g.filters);
      }
    }
  }
  return true;
}

}  // namespace constnn::detail::s8::arm

#endif  // CONSTNN_INT8_ARM_KERNELS
