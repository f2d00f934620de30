// The int8 convolution kernels of the Cortex-M cores with the DSP extension (M4, M7, M33,
// and the M55's first layers), built on windows expanded once; not API.
//
// - A window is expanded once into int16 pairs with the input offset taken off (SXTAB16), and
//   every filter then reads it as one flat run of words: no row stepping, no call per row. A
//   word of four input lanes l0..l3 becomes the pair words (l0, l2) and (l1, l3), the pairs
//   SXTB16 makes of a word of four int8 weights, so the weights stay in TFLite's layout.
// - Two windows (two output positions) go through each weight word together, so each
//   SXTB16 serves four multiply-adds instead of two: 18 instructions per 16 multiply-adds.
// - A window whose rows are not a whole number of words (a first layer's one to three
//   channels) is padded to words, and its filters are expanded the same way once per call,
//   with zeros in the padding lanes. The commonest, 3x3 of one channel, has its own kernel
//   (small_window): its nine lanes are five pair words held in registers.
// - Each channel's requantization is worked out once per call (one_step_requantizer.hpp):
//   18 instructions per output by requantize_one_step's listing.
//
// Stack: fixed arrays (960 bytes: two windows, a first layer's filters, the channels' states
// and two windows' sums); tests/benchmarks/mcu_instruction_counts.sh prints the whole frame
// per target (1,352 bytes on the M4F). Windows that need more are taken in parts
// (segments), filters in chunks; a first layer whose one expanded filter does not fit goes
// back to int8_kernels_arm.hpp's loops.
//
// Integer sums do not depend on their order, and the requantization is TFLite's to the bit:
// the results are the portable loops' (ctest mcu_kernels_match_the_host_on_cortex_m).
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <cstdint>

#include "../core/fixed_point.hpp"
#include "conv_geometry.hpp"
#include "int8_channel_groups.hpp"
#include "one_step_requantizer.hpp"

#if !defined(CONSTNN_PORTABLE_KERNELS) && (defined(__GNUC__) || defined(__clang__)) && \
    defined(__arm__) && defined(__thumb2__) && defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#define CONSTNN_INT8_PAIRS_KERNELS 1
#else
#define CONSTNN_INT8_PAIRS_KERNELS 0
#endif

#if CONSTNN_INT8_PAIRS_KERNELS

namespace constnn::detail::s8::pairs {

using s8::requantizer;

// The fixed arrays' sizes.
inline constexpr std::size_t input_pair_words = 40;   // 80 input lanes per segment
inline constexpr std::size_t weight_pair_words = 48;  // a first layer's expanded filters
inline constexpr std::size_t chunk_channels = 16;
inline constexpr std::size_t segment_words = input_pair_words / 2;  // input words per segment
struct channel_state {
  requantizer rq;  // first: requantize_one_step reads the states' first four words
  std::int32_t bias;
};
static_assert(sizeof(channel_state) == 20);

// The input's pair words (two per four lanes) against groups of four channels. dot_bytes:
// int8 weight words at w0, w0 + s, w2, w2 + s, the next group `step` bytes on from where
// the loop left them. dot_pairs: pair words at w0, w1, w2, w3, each channel's right after
// the one before (the next group starts where w3 ended). acc: four sums per group, added to.
// Offsets are fixed: the assembly reads the fields by address.
struct dot_args {
  const std::uint32_t* x;  // 0
  const void* w0;          // 4
  const void* w1;          // 8: dot_pairs only
  const void* w2;          // 12
  const void* w3;          // 16: dot_pairs only
  std::int32_t s;          // 20: dot_bytes only
  std::int32_t words;      // 24: input words (four lanes each), at least 1
  std::int32_t groups;     // 28: at least 1; counted down
  std::int32_t step;       // 32: dot_bytes only
  std::int32_t* acc;       // 36: stepped on
};
static_assert(sizeof(void*) == 4 && sizeof(dot_args) == 40);

// Naked, so that the loops have every register.
// Per four lanes and four channels: 23 instructions for 16 multiply-adds, loop included.
[[gnu::naked, gnu::noinline]] inline void dot_bytes(dot_args*) noexcept {
  asm volatile(
      "push {r4-r11, lr}\n\t"
      "push {r0}\n\t"
      "ldr r3, [r0, #20]\n\t"
      "ldr r2, [r0, #4]\n\t"
      "ldr r6, [r0, #12]\n\t"
      "1:\n\t"
      "ldr r1, [r0, #0]\n\t"
      "ldr r4, [r0, #24]\n\t"
      "add r4, r1, r4, lsl #3\n\t"
      "ldr r12, [r0, #36]\n\t"
      "ldm r12, {r7-r10}\n\t"
      "2:\n\t"
      "ldrd r11, r5, [r1], #8\n\t"
      "ldr r0, [r2, r3]\n\t"
      "sxtb16 lr, r0, ror #8\n\t"
      "sxtb16 r0, r0\n\t"
      "smlad r8, r0, r11, r8\n\t"
      "smlad r8, lr, r5, r8\n\t"
      "ldr r0, [r2], #4\n\t"
      "sxtb16 lr, r0, ror #8\n\t"
      "sxtb16 r0, r0\n\t"
      "smlad r7, r0, r11, r7\n\t"
      "smlad r7, lr, r5, r7\n\t"
      "ldr r0, [r6, r3]\n\t"
      "sxtb16 lr, r0, ror #8\n\t"
      "sxtb16 r0, r0\n\t"
      "smlad r10, r0, r11, r10\n\t"
      "smlad r10, lr, r5, r10\n\t"
      "ldr r0, [r6], #4\n\t"
      "sxtb16 lr, r0, ror #8\n\t"
      "sxtb16 r0, r0\n\t"
      "smlad r9, r0, r11, r9\n\t"
      "smlad r9, lr, r5, r9\n\t"
      "cmp r1, r4\n\t"
      "bne 2b\n\t"
      "ldr r0, [sp]\n\t"
      "stm r12!, {r7-r10}\n\t"
      "str r12, [r0, #36]\n\t"
      "ldr r11, [r0, #32]\n\t"
      "add r2, r2, r11\n\t"
      "add r6, r6, r11\n\t"
      "ldr r11, [r0, #28]\n\t"
      "subs r11, r11, #1\n\t"
      "str r11, [r0, #28]\n\t"
      "bne 1b\n\t"
      "pop {r0}\n\t"
      "pop {r4-r11, pc}\n\t");
}

// Per four lanes and four channels: 15 instructions for 16 multiply-adds, loop included.
// LDRD needs word-aligned weights: they are the fixed arrays' words.
[[gnu::naked, gnu::noinline]] inline void dot_pairs(dot_args*) noexcept {
  asm volatile(
      "push {r4-r11, lr}\n\t"
      "push {r0}\n\t"
      "ldr r2, [r0, #4]\n\t"
      "ldr r3, [r0, #8]\n\t"
      "ldr r6, [r0, #12]\n\t"
      "ldr r12, [r0, #16]\n\t"
      "1:\n\t"
      "ldr r1, [r0, #0]\n\t"
      "ldr r4, [r0, #24]\n\t"
      "add r4, r1, r4, lsl #3\n\t"
      "ldr lr, [r0, #36]\n\t"
      "ldm lr, {r7-r10}\n\t"
      "2:\n\t"
      "ldrd r11, r5, [r1], #8\n\t"
      "ldrd r0, lr, [r2], #8\n\t"
      "smlad r7, r0, r11, r7\n\t"
      "smlad r7, lr, r5, r7\n\t"
      "ldrd r0, lr, [r3], #8\n\t"
      "smlad r8, r0, r11, r8\n\t"
      "smlad r8, lr, r5, r8\n\t"
      "ldrd r0, lr, [r6], #8\n\t"
      "smlad r9, r0, r11, r9\n\t"
      "smlad r9, lr, r5, r9\n\t"
      "ldrd r0, lr, [r12], #8\n\t"
      "smlad r10, r0, r11, r10\n\t"
      "smlad r10, lr, r5, r10\n\t"
      "cmp r1, r4\n\t"
      "bne 2b\n\t"
      "ldr r0, [sp]\n\t"
      "ldr lr, [r0, #36]\n\t"
      "stm lr!, {r7-r10}\n\t"
      "str lr, [r0, #36]\n\t"
      "sub r11, r12, r6\n\t"
      "mov r2, r12\n\t"
      "add r3, r2, r11\n\t"
      "add r6, r3, r11\n\t"
      "add r12, r6, r11\n\t"
      "ldr r11, [r0, #28]\n\t"
      "subs r11, r11, #1\n\t"
      "str r11, [r0, #28]\n\t"
      "bne 1b\n\t"
      "pop {r0}\n\t"
      "pop {r4-r11, pc}\n\t");
}

// Two inputs (two convolution windows, the second input_pair_words words after the first)
// against groups of two channels, int8 weight words at w0 and w0 + s, the next group `step`
// bytes on from where the loop left them: each weight word is sign-extended once for both
// windows. acc0 and acc1: the windows' sums, two per group, added to.
struct dot2_args {
  const std::uint32_t* x;  // 0
  const void* w0;          // 4
  std::int32_t s;          // 8
  std::int32_t words;      // 12: at least 1
  std::int32_t groups;     // 16: at least 1; counted down
  std::int32_t step;       // 20
  std::int32_t* acc0;      // 24: stepped on
  std::int32_t* acc1;      // 28: stepped on
};
static_assert(sizeof(dot2_args) == 32 && input_pair_words * 4 == 160,
              "dot2_bytes reads the second window 160 bytes after the first");
// Per four lanes, two channels and two windows: 18 instructions for 16 multiply-adds.
[[gnu::naked, gnu::noinline]] inline void dot2_bytes(dot2_args*) noexcept {
  asm volatile(
      "push {r4-r11, lr}\n\t"
      "push {r0}\n\t"
      "ldr r2, [r0, #4]\n\t"
      "ldr r3, [r0, #8]\n\t"
      "1:\n\t"
      "ldr r1, [r0, #0]\n\t"
      "ldr r4, [r0, #12]\n\t"
      "add r4, r1, r4, lsl #3\n\t"
      "ldr r12, [r0, #24]\n\t"
      "ldrd r7, r8, [r12]\n\t"
      "ldr r12, [r0, #28]\n\t"
      "ldrd r9, r10, [r12]\n\t"
      "2:\n\t"
      "ldrd r11, r12, [r1, #160]\n\t"
      "ldrd r5, r6, [r1], #8\n\t"
      "ldr r0, [r2, r3]\n\t"
      "sxtb16 lr, r0, ror #8\n\t"
      "sxtb16 r0, r0\n\t"
      "smlad r8, r0, r5, r8\n\t"
      "smlad r8, lr, r6, r8\n\t"
      "smlad r10, r0, r11, r10\n\t"
      "smlad r10, lr, r12, r10\n\t"
      "ldr r0, [r2], #4\n\t"
      "sxtb16 lr, r0, ror #8\n\t"
      "sxtb16 r0, r0\n\t"
      "smlad r7, r0, r5, r7\n\t"
      "smlad r7, lr, r6, r7\n\t"
      "smlad r9, r0, r11, r9\n\t"
      "smlad r9, lr, r12, r9\n\t"
      "cmp r1, r4\n\t"
      "bne 2b\n\t"
      "ldr r0, [sp]\n\t"
      "ldr r12, [r0, #24]\n\t"
      "strd r7, r8, [r12], #8\n\t"
      "str r12, [r0, #24]\n\t"
      "ldr r12, [r0, #28]\n\t"
      "strd r9, r10, [r12], #8\n\t"
      "str r12, [r0, #28]\n\t"
      "ldr r11, [r0, #20]\n\t"
      "add r2, r2, r11\n\t"
      "ldr r11, [r0, #16]\n\t"
      "subs r11, r11, #1\n\t"
      "str r11, [r0, #16]\n\t"
      "bne 1b\n\t"
      "pop {r0}\n\t"
      "pop {r4-r11, pc}\n\t");
}

// SXTAB16: the four int8 of `word` as the pair words (l0, l2) and (l1, l3), offset added.
inline void expand_word(std::uint32_t word, std::uint32_t offset, std::uint32_t* out) noexcept {
  std::uint32_t even = 0, odd = 0;
  asm("sxtab16 %0, %1, %2" : "=r"(even) : "r"(offset), "r"(word));
  asm("sxtab16 %0, %1, %2, ror #8" : "=r"(odd) : "r"(offset), "r"(word));
  out[0] = even;
  out[1] = odd;
}
inline std::uint32_t load_word(const std::int8_t* p) noexcept {
  std::uint32_t v = 0;
  __builtin_memcpy(&v, p, 4);  // LDR: these cores load unaligned words
  return v;
}
// Two 16-bit values as a pair word: lo in the low halfword, hi in the high one.
constexpr std::uint32_t pair(std::int32_t lo, std::int32_t hi) noexcept {
  return (static_cast<std::uint32_t>(lo) & 0xffffu) | (static_cast<std::uint32_t>(hi) << 16);
}
constexpr std::uint32_t halfwords(std::int32_t v) noexcept {
  return pair(v, v);
}
// Four lanes given one by one (already offset), as a word's pair words.
inline void pack_lanes(const std::int32_t (&l)[4], std::uint32_t* out) noexcept {
  out[0] = pair(l[0], l[2]);
  out[1] = pair(l[1], l[3]);
}

// Channels [0, count) of a chunk (at most chunk_channels) against one segment of input
// words x, added to acc: weight(c) gives channel c's weights for the segment (int8 words when
// Bytes, stride_bytes from one channel to the next; else pair words, each channel's right
// after the one before).
template <bool Bytes, class Weights>
inline void dot_segment(const std::uint32_t* x, std::size_t words, std::size_t count,
                        const Weights& weight, std::int32_t stride_bytes,
                        std::int32_t* acc) noexcept {
  const auto run = [&](dot_args& a) {
    if constexpr (Bytes)
      dot_bytes(&a);
    else
      dot_pairs(&a);
  };
  const std::size_t groups = count / 4;
  const auto n = static_cast<std::int32_t>(words);
  if (groups != 0) {
    dot_args a{x,
               weight(0),
               weight(1),
               weight(2),
               weight(3),
               stride_bytes,
               n,
               static_cast<std::int32_t>(groups),
               4 * stride_bytes - 4 * n,
               acc};
    run(a);
  }
  const std::size_t first = 4 * groups, left = count - first;
  if (left == 0) return;
  const four_rows g = rows_for(first, left);
  const std::size_t(&r)[4] = g.row;
  std::int32_t sums[4] = {acc[r[0]], acc[r[1]], acc[r[2]], acc[r[3]]};
  dot_args a{x, weight(r[0]), weight(r[1]), weight(r[2]), weight(r[3]), stride_bytes * g.s, n, 1,
             0, sums};
  run(a);
  for (std::size_t k = 0; k < 4; ++k) acc[r[k]] = sums[k];
}

// dot_segment<true> for two windows (x and x + input_pair_words), to acc0 and acc1.
template <class Weights>
inline void dot2_segment(const std::uint32_t* x, std::size_t words, std::size_t count,
                         const Weights& weight, std::int32_t stride_bytes, std::int32_t* acc0,
                         std::int32_t* acc1) noexcept {
  const auto n = static_cast<std::int32_t>(words);
  const std::size_t groups = count / 2;
  if (groups != 0) {
    dot2_args a{x,
                weight(0),
                stride_bytes,
                n,
                static_cast<std::int32_t>(groups),
                2 * stride_bytes - 4 * n,
                acc0,
                acc1};
    dot2_bytes(&a);
  }
  if (count % 2 == 0) return;
  const std::size_t c = count - 1;  // the last channel, as both of a group
  std::int32_t s0[2] = {acc0[c], acc0[c]}, s1[2] = {acc1[c], acc1[c]};
  dot2_args a{x, weight(c), 0, n, 1, 0, s0, s1};
  dot2_bytes(&a);
  acc0[c] = s0[0];
  acc1[c] = s1[0];
}

// Channels [first, first + count) into state; whether requantize_one_step can take them all
// (TFLite's double rounding, every multiplier below one half).
template <fixed_point::rounding Mode, class Channels>
inline bool load_channels(const Channels& channels, std::size_t first, std::size_t count,
                          channel_state* state) noexcept {
  bool one_step = Mode == fixed_point::rounding::double_rounding;
  for (std::size_t c = 0; c < count; ++c) {
    const auto ch = channels(first + c);
    state[c] = {requantizer::make(ch.multiplier), ch.bias};
    one_step = one_step && state[c].rq.one_step();
  }
  return one_step;
}

// The arguments of requantize_one_step; offsets fixed.
struct one_step_args {
  const std::int32_t* acc;     // 0
  const channel_state* state;  // 4
  std::int8_t* y;              // 8
  std::int32_t count;          // 12: at least 1
  std::int32_t zero_point;     // 16
  std::int32_t lo, hi;         // 20, 24
};
// requantizer::one_step, plus the zero point and the clamp, for `count` outputs: 18
// instructions each.
[[gnu::naked, gnu::noinline]] inline void requantize_one_step(const one_step_args*) noexcept {
  asm volatile(
      "push {r4-r11, lr}\n\t"
      "ldr r1, [r0, #0]\n\t"
      "ldr r2, [r0, #4]\n\t"
      "ldr r3, [r0, #8]\n\t"
      "ldr r4, [r0, #12]\n\t"
      "ldr r5, [r0, #16]\n\t"
      "ldr r6, [r0, #20]\n\t"
      "ldr lr, [r0, #24]\n\t"
      "add r4, r3, r4\n\t"
      "1:\n\t"
      "ldr r7, [r1], #4\n\t"
      "ldm r2, {r8-r11}\n\t"
      "add r2, r2, #20\n\t"
      "asr r12, r7, #31\n\t"
      "adds r9, r9, r12, lsl #31\n\t"
      "adc r10, r10, r12\n\t"
      "smlal r9, r10, r7, r8\n\t"
      "asr r10, r10, r11\n\t"
      "add r10, r10, r5\n\t"
      "cmp r10, r6\n\t"
      "it lt\n\t"
      "movlt r10, r6\n\t"
      "cmp r10, lr\n\t"
      "it gt\n\t"
      "movgt r10, lr\n\t"
      "strb r10, [r3], #1\n\t"
      "cmp r3, r4\n\t"
      "bne 1b\n\t"
      "pop {r4-r11, pc}\n\t");
}

// Outputs y[0, count) of channels [first, first + count) from their sums; one_step: what
// load_channels said of them.
template <fixed_point::rounding Mode, class Channels, class Stage>
inline void requantize_chunk(const std::int32_t* acc, const channel_state* state, std::size_t count,
                             bool one_step, const Channels& channels, std::size_t first,
                             const Stage& os, std::int8_t* y) noexcept {
  if (one_step) {
    const one_step_args a{acc,           state, y,    static_cast<std::int32_t>(count),
                          os.zero_point, os.lo, os.hi};
    requantize_one_step(&a);
    return;
  }
  for (std::size_t c = 0; c < count; ++c)
    y[c] = fixed_point::requantize<Mode>(acc[c], channels(first + c).multiplier, os.zero_point,
                                         os.lo, os.hi);
}

// A first layer's nine-lane window: 3x3 of one channel (or 3x1 of three), kernel rows of
// three lanes. The window is five pair words, (r0 l0, r0 l2), (r1 l0, r1 l2), (r2 l0, r2 l2),
// (r0 l1, r1 l1), (r2 l1, -), from one word and two SXTAB16 per row and one PKHBT, and each
// filter is a record of its five pair words (zero against the unused lane), its bias, its
// one-step requantization, zero point and clamp low; the loop holds the window in registers.
struct small_record {
  std::uint32_t w012[3];
  std::int32_t bias;
  std::uint32_t w34[2];
  requantizer rq;
  std::int32_t zero_point, lo;
};
static_assert(sizeof(small_record) == 48);
inline constexpr std::size_t small_chunk = 8;  // records on the stack: 384 bytes
struct small_args {
  const std::uint32_t* x;  // 0: five pair words
  const small_record* r;   // 4
  std::int8_t* y;          // 8
  std::int32_t count;      // 12: at least 1
};
// Per filter: 22 instructions for 9 multiply-adds, requantization and store included. The
// outputs saturate at 127 (SSAT): callers check the clamp's high end is 127.
[[gnu::naked, gnu::noinline]] inline void small_window(const small_args*) noexcept {
  asm volatile(
      "push {r4-r11, lr}\n\t"
      "ldr r6, [r0, #4]\n\t"
      "ldr r7, [r0, #8]\n\t"
      "ldr r1, [r0, #12]\n\t"
      "add r1, r7, r1\n\t"
      "push {r1}\n\t"
      "ldr r8, [r0, #0]\n\t"
      "ldm r8, {r1-r5}\n\t"
      "mov r0, r7\n\t"
      "1:\n\t"
      "ldm r6!, {r7-r10}\n\t"
      "smlad r10, r7, r1, r10\n\t"
      "smlad r10, r8, r2, r10\n\t"
      "smlad r10, r9, r3, r10\n\t"
      "ldm r6!, {r7, r8, r9, r11, r12, lr}\n\t"
      "smlad r10, r7, r4, r10\n\t"
      "smlad r10, r8, r5, r10\n\t"
      "asr r7, r10, #31\n\t"
      "adds r11, r11, r7, lsl #31\n\t"
      "adc r12, r12, r7\n\t"
      "smlal r11, r12, r10, r9\n\t"
      "asr r12, r12, lr\n\t"
      "ldm r6!, {r7, r8}\n\t"
      "add r12, r12, r7\n\t"
      "ssat r12, #8, r12\n\t"
      "cmp r12, r8\n\t"
      "it lt\n\t"
      "movlt r12, r8\n\t"
      "strb r12, [r0], #1\n\t"
      "ldr r7, [sp]\n\t"
      "cmp r0, r7\n\t"
      "bne 1b\n\t"
      "pop {r1}\n\t"
      "pop {r4-r11, pc}\n\t");
}

// conv2d for the windows small_window takes; false (nothing written) for any other layer.
template <fixed_point::rounding Mode, class Channels, class Stage>
[[gnu::noinline]] inline bool conv2d_small(const conv_geometry& g, const std::int8_t* x,
                                           std::int32_t input_zero_point, const std::int8_t* w,
                                           const Channels& channels, const Stage& os,
                                           std::int8_t* y) noexcept {
  if (Mode != fixed_point::rounding::double_rounding || g.kh != 3 || g.kw * g.c != 3 ||
      os.hi != 127 || os.lo < -128)
    return false;
  for (std::size_t f = 0; f < g.filters; ++f)
    if (!requantizer::make(channels(f).multiplier).one_step()) return false;
  const std::uint32_t offset = halfwords(-input_zero_point);
  const std::size_t input_bytes = g.h * g.w * g.c;
  small_record r[small_chunk];
  alignas(8) std::uint32_t p[5];
  for (std::size_t first = 0; first < g.filters; first += small_chunk) {
    const std::size_t count = g.filters - first < small_chunk ? g.filters - first : small_chunk;
    for (std::size_t k = 0; k < count; ++k) {
      const std::int8_t* f = w + (first + k) * 9;
      const auto ch = channels(first + k);
      r[k] = {{pair(f[0], f[2]), pair(f[3], f[5]), pair(f[6], f[8])},
              ch.bias,
              {pair(f[1], f[4]), pair(f[7], 0)},
              requantizer::make(ch.multiplier),
              os.zero_point,
              os.lo};
    }
    const std::size_t row_bytes = g.w * g.c;
    for (std::size_t oy = 0; oy < g.oh; ++oy) {
      const auto rows = g.rows_on_input(oy);
      const bool rows_inside = rows.first == 0 && rows.end == 3;
      // The window's first byte, when its columns are inside too, and the last at which its
      // third row's word still ends inside the input.
      const std::size_t row_at = rows.input * row_bytes;
      const std::size_t last =
          input_bytes >= 2 * row_bytes + 4 ? input_bytes - 2 * row_bytes - 4 : 0;
      for (std::size_t ox = 0; ox < g.ow; ++ox) {
        const std::size_t col = ox * g.stride_w;  // in padded columns
        const std::size_t at = row_at + (col - g.pad_left) * g.c;
        if (rows_inside && col >= g.pad_left && col - g.pad_left + g.kw <= g.w &&
            input_bytes >= 2 * row_bytes + 4 && at <= last) {
          std::uint32_t odd[3];
          for (std::size_t k = 0; k < 3; ++k) {
            std::uint32_t e[2];
            expand_word(load_word(x + at + k * row_bytes), offset, e);
            p[k] = e[0];
            odd[k] = e[1];
          }
          asm("pkhbt %0, %1, %2, lsl #16" : "=r"(p[3]) : "r"(odd[0]), "r"(odd[1]));
          p[4] = odd[2];
        } else {  // a window in the padding, or whose last word would end past the input
          const auto cols = g.cols_on_input(ox);
          std::int32_t l[3][3] = {};
          for (std::size_t ky = rows.first; ky < rows.end; ++ky)
            for (std::size_t lane = cols.first * g.c; lane < cols.end * g.c; ++lane)
              l[ky][lane] =
                  std::int32_t{x[((rows.input + ky - rows.first) * g.w + cols.input) * g.c + lane -
                                 cols.first * g.c]} -
                  input_zero_point;
          p[0] = pair(l[0][0], l[0][2]);
          p[1] = pair(l[1][0], l[1][2]);
          p[2] = pair(l[2][0], l[2][2]);
          p[3] = pair(l[0][1], l[1][1]);
          p[4] = pair(l[2][1], 0);
        }
        const small_args a{p, r, y + (oy * g.ow + ox) * g.filters + first,
                           static_cast<std::int32_t>(count)};
        small_window(&a);
      }
    }
  }
  return true;
}

/// conv2d of detail/int8_kernels.hpp. The window of output (oy, ox) is its kh rows of
/// row_words words each (kw * c lanes, padded to words); positions in the padding are zero
/// lanes (the input zero point, offset off).
template <fixed_point::rounding Mode, class Channels, class Stage>
[[gnu::noinline]] inline bool conv2d_windows(const conv_geometry& g, const std::int8_t* x,
                                             std::int32_t input_zero_point, const std::int8_t* w,
                                             const Channels& channels, const Stage& os,
                                             std::int8_t* y) noexcept {
  const std::size_t row_lanes = g.kw * g.c;
  const std::size_t row_words = (row_lanes + 3) / 4;
  const std::size_t words = g.kh * row_words;
  const bool bytes = row_lanes % 4 == 0;
  // A padded window's filters are expanded: as many as the array holds, at least one, and
  // the window in one segment.
  const std::size_t per_chunk =
      bytes ? chunk_channels
            : (2 * words > weight_pair_words                      ? 0
               : weight_pair_words / (2 * words) < chunk_channels ? weight_pair_words / (2 * words)
                                                                  : chunk_channels);
  if (per_chunk == 0) return false;
  const std::uint32_t offset = halfwords(-input_zero_point);
  const std::size_t input_bytes = g.h * g.w * g.c;
  const std::size_t per_filter = g.kh * row_lanes;
  alignas(8) std::uint32_t xs[2 * input_pair_words];

  // Window words [k0, k1) of output (oy, ox) into p, kernel row by kernel row.
  const auto expand = [&](std::size_t oy, std::size_t ox, std::size_t k0, std::size_t k1,
                          std::uint32_t* p) {
    const auto cols = g.cols_on_input(ox);
    const bool full_row = cols.first == 0 && cols.end == g.kw;
    std::size_t ky = k0 / row_words, j = k0 % row_words;
    for (std::size_t k = k0; k < k1; ++ky, j = 0) {
      const std::size_t j_end = k1 - k < row_words - j ? j + (k1 - k) : row_words;
      k += j_end - j;
      std::size_t iy = 0;
      if (!g.input_row(oy, ky, iy)) {
        for (; j < j_end; ++j, p += 2) p[0] = p[1] = 0;
        continue;
      }
      const std::size_t row_at = (iy * g.w + cols.input) * g.c;  // its first column inside
      if (full_row && row_at + 4 * j_end <= input_bytes) {
        // The lanes past a padded row meet zero weights.
        for (const std::int8_t* q = x + row_at + 4 * j; j < j_end; ++j, q += 4, p += 2)
          expand_word(load_word(q), offset, p);
        continue;
      }
      for (; j < j_end; ++j, p += 2) {
        std::int32_t l[4] = {0, 0, 0, 0};
        for (std::size_t i = 0; i < 4; ++i) {
          const std::size_t lane = 4 * j + i, kx = lane / g.c;
          if (lane < row_lanes && kx >= cols.first && kx < cols.end)
            l[i] =
                std::int32_t{x[row_at + (kx - cols.first) * g.c + lane % g.c]} - input_zero_point;
        }
        pack_lanes(l, p);
      }
    }
  };

  channel_state state[chunk_channels];
  std::int32_t acc[chunk_channels], acc1[chunk_channels];
  alignas(8) std::uint32_t expanded[weight_pair_words];
  for (std::size_t first = 0; first < g.filters; first += per_chunk) {
    const std::size_t count = g.filters - first < per_chunk ? g.filters - first : per_chunk;
    const bool one_step = load_channels<Mode>(channels, first, count, state);
    if (!bytes)
      for (std::size_t c = 0; c < count; ++c)
        for (std::size_t k = 0; k < words; ++k) {
          const std::size_t ky = k / row_words, lane0 = (k % row_words) * 4;
          std::int32_t l[4] = {0, 0, 0, 0};
          for (std::size_t i = 0; i < 4 && lane0 + i < row_lanes; ++i)
            l[i] = w[(first + c) * per_filter + ky * row_lanes + lane0 + i];
          pack_lanes(l, expanded + 2 * (c * words + k));
        }
    if (!bytes) {
      for (std::size_t oy = 0; oy < g.oh; ++oy)
        for (std::size_t ox = 0; ox < g.ow; ++ox) {
          for (std::size_t c = 0; c < count; ++c) acc[c] = state[c].bias;
          expand(oy, ox, 0, words, xs);
          dot_segment<false>(
              xs, words, count,
              [&](std::size_t c) -> const void* { return expanded + 2 * c * words; }, 0, acc);
          requantize_chunk<Mode>(acc, state, count, one_step, channels, first, os,
                                 y + (oy * g.ow + ox) * g.filters + first);
        }
      continue;
    }
    // Two outputs at a time (the next may be on the next row), the last alone.
    const std::size_t outputs = g.oh * g.ow;
    for (std::size_t o = 0; o < outputs; o += 2) {
      const std::size_t oy = o / g.ow, ox = o % g.ow;
      const bool two = o + 1 < outputs;
      const std::size_t oy1 = ox + 1 == g.ow ? oy + 1 : oy, ox1 = ox + 1 == g.ow ? 0 : ox + 1;
      for (std::size_t c = 0; c < count; ++c) acc[c] = acc1[c] = state[c].bias;
      for (std::size_t k0 = 0; k0 < words; k0 += segment_words) {
        const std::size_t k1 = words - k0 < segment_words ? words : k0 + segment_words;
        const auto weight = [&](std::size_t c) -> const void* {
          return w + (first + c) * per_filter + 4 * k0;
        };
        expand(oy, ox, k0, k1, xs);
        if (two) {
          expand(oy1, ox1, k0, k1, xs + input_pair_words);
          dot2_segment(xs, k1 - k0, count, weight, static_cast<std::int32_t>(per_filter), acc,
                       acc1);
        } else {
          dot_segment<true>(xs, k1 - k0, count, weight, static_cast<std::int32_t>(per_filter), acc);
        }
      }
      requantize_chunk<Mode>(acc, state, count, one_step, channels, first, os,
                             y + o * g.filters + first);
      if (two)
        requantize_chunk<Mode>(acc1, state, count, one_step, channels, first, os,
                               y + (o + 1) * g.filters + first);
    }
  }
  return true;
}

/// conv2d of detail/int8_kernels.hpp, or false (nothing written) for a layer these kernels
/// do not take. The two paths' arrays are never on the stack together.
template <fixed_point::rounding Mode, class Channels, class Stage>
inline bool conv2d(const conv_geometry& g, const std::int8_t* x, std::int32_t input_zero_point,
                   const std::int8_t* w, const Channels& channels, const Stage& os,
                   std::int8_t* y) noexcept {
  return conv2d_small<Mode>(g, x, input_zero_point, w, channels, os, y) ||
         conv2d_windows<Mode>(g, x, input_zero_point, w, channels, os, y);
}

}  // namespace constnn::detail::s8::pairs

#endif  // CONSTNN_INT8_PAIRS_KERNELS
