// Kernels for Cortex-M cores with a single-precision FPU (M4F, M7, M33, M55); not API.
//
// The dense layers' loops in Thumb-2 assembly, float only. What makes them short:
// - VLDMIA/VSTMIA move up to 15 weights or accumulators in one instruction;
// - VMLA.F32 is multiply then add, the product rounded first (ARMv7-M and ARMv8-M: "the
//   multiply and the add are not fused"), so one instruction performs `y += w * x` exactly as
//   the portable code does; VMLS likewise `w -= lr * t`;
// - zero inputs are found with an integer shift of the input's bits (+0 and -0 alike);
// - where x is exactly 1, the update skips the multiply dy * 1, which is dy exactly.
// Each output keeps its sum in input order, so the results are the portable code's bits.
// GCC/Clang inline assembly; nothing here runs in constant evaluation.
#pragma once

#include "../core/requirements.hpp"

#include <bit>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "../core/extent.hpp"
#include "../core/math.hpp"
#include "conv_geometry.hpp"

#if !defined(CONSTNN_PORTABLE_KERNELS) && (defined(__GNUC__) || defined(__clang__)) &&   \
    defined(__arm__) && defined(__thumb2__) && defined(__ARM_ARCH_PROFILE) &&            \
    __ARM_ARCH_PROFILE == 'M' && defined(__ARM_FP) && (__ARM_FP & 4) != 0
#define CONSTNN_CORTEX_M_KERNELS 1
#else
#define CONSTNN_CORTEX_M_KERNELS 0
#endif

#if CONSTNN_CORTEX_M_KERNELS

// Register lists {s0-s(N-1)} and {s16-s(16+N-1)}.
#define CONSTNN_CM_LO_1 "{s0}"
#define CONSTNN_CM_LO_2 "{s0-s1}"
#define CONSTNN_CM_LO_3 "{s0-s2}"
#define CONSTNN_CM_LO_4 "{s0-s3}"
#define CONSTNN_CM_LO_5 "{s0-s4}"
#define CONSTNN_CM_LO_6 "{s0-s5}"
#define CONSTNN_CM_LO_7 "{s0-s6}"
#define CONSTNN_CM_LO_8 "{s0-s7}"
#define CONSTNN_CM_LO_9 "{s0-s8}"
#define CONSTNN_CM_LO_10 "{s0-s9}"
#define CONSTNN_CM_LO_11 "{s0-s10}"
#define CONSTNN_CM_LO_12 "{s0-s11}"
#define CONSTNN_CM_LO_13 "{s0-s12}"
#define CONSTNN_CM_LO_14 "{s0-s13}"
#define CONSTNN_CM_LO_15 "{s0-s14}"
#define CONSTNN_CM_HI_1 "{s16}"
#define CONSTNN_CM_HI_2 "{s16-s17}"
#define CONSTNN_CM_HI_3 "{s16-s18}"
#define CONSTNN_CM_HI_4 "{s16-s19}"
#define CONSTNN_CM_HI_5 "{s16-s20}"
#define CONSTNN_CM_HI_6 "{s16-s21}"
#define CONSTNN_CM_HI_7 "{s16-s22}"
#define CONSTNN_CM_HI_8 "{s16-s23}"
#define CONSTNN_CM_HI_9 "{s16-s24}"
#define CONSTNN_CM_HI_10 "{s16-s25}"
#define CONSTNN_CM_HI_11 "{s16-s26}"
#define CONSTNN_CM_HI_12 "{s16-s27}"
#define CONSTNN_CM_HI_13 "{s16-s28}"
#define CONSTNN_CM_HI_14 "{s16-s29}"
#define CONSTNN_CM_HI_15 "{s16-s30}"
// Forward: y[o] += w[o] * x with accumulators s0.., weights s16.., x in s31.
#define CONSTNN_CM_FWD_1 "vmla.f32 s0, s16, s31\n\t"
#define CONSTNN_CM_FWD_2 CONSTNN_CM_FWD_1 "vmla.f32 s1, s17, s31\n\t"
#define CONSTNN_CM_FWD_3 CONSTNN_CM_FWD_2 "vmla.f32 s2, s18, s31\n\t"
#define CONSTNN_CM_FWD_4 CONSTNN_CM_FWD_3 "vmla.f32 s3, s19, s31\n\t"
#define CONSTNN_CM_FWD_5 CONSTNN_CM_FWD_4 "vmla.f32 s4, s20, s31\n\t"
#define CONSTNN_CM_FWD_6 CONSTNN_CM_FWD_5 "vmla.f32 s5, s21, s31\n\t"
#define CONSTNN_CM_FWD_7 CONSTNN_CM_FWD_6 "vmla.f32 s6, s22, s31\n\t"
#define CONSTNN_CM_FWD_8 CONSTNN_CM_FWD_7 "vmla.f32 s7, s23, s31\n\t"
#define CONSTNN_CM_FWD_9 CONSTNN_CM_FWD_8 "vmla.f32 s8, s24, s31\n\t"
#define CONSTNN_CM_FWD_10 CONSTNN_CM_FWD_9 "vmla.f32 s9, s25, s31\n\t"
#define CONSTNN_CM_FWD_11 CONSTNN_CM_FWD_10 "vmla.f32 s10, s26, s31\n\t"
#define CONSTNN_CM_FWD_12 CONSTNN_CM_FWD_11 "vmla.f32 s11, s27, s31\n\t"
#define CONSTNN_CM_FWD_13 CONSTNN_CM_FWD_12 "vmla.f32 s12, s28, s31\n\t"
#define CONSTNN_CM_FWD_14 CONSTNN_CM_FWD_13 "vmla.f32 s13, s29, s31\n\t"
#define CONSTNN_CM_FWD_15 CONSTNN_CM_FWD_14 "vmla.f32 s14, s30, s31\n\t"
// Update with x == 1: w[o] -= lr * dy[o] with dy s0.., weights s16.., lr in s14.
#define CONSTNN_CM_ONES_1 "vmls.f32 s16, s14, s0\n\t"
#define CONSTNN_CM_ONES_2 CONSTNN_CM_ONES_1 "vmls.f32 s17, s14, s1\n\t"
#define CONSTNN_CM_ONES_3 CONSTNN_CM_ONES_2 "vmls.f32 s18, s14, s2\n\t"
#define CONSTNN_CM_ONES_4 CONSTNN_CM_ONES_3 "vmls.f32 s19, s14, s3\n\t"
#define CONSTNN_CM_ONES_5 CONSTNN_CM_ONES_4 "vmls.f32 s20, s14, s4\n\t"
#define CONSTNN_CM_ONES_6 CONSTNN_CM_ONES_5 "vmls.f32 s21, s14, s5\n\t"
#define CONSTNN_CM_ONES_7 CONSTNN_CM_ONES_6 "vmls.f32 s22, s14, s6\n\t"
#define CONSTNN_CM_ONES_8 CONSTNN_CM_ONES_7 "vmls.f32 s23, s14, s7\n\t"
#define CONSTNN_CM_ONES_9 CONSTNN_CM_ONES_8 "vmls.f32 s24, s14, s8\n\t"
#define CONSTNN_CM_ONES_10 CONSTNN_CM_ONES_9 "vmls.f32 s25, s14, s9\n\t"
#define CONSTNN_CM_ONES_11 CONSTNN_CM_ONES_10 "vmls.f32 s26, s14, s10\n\t"
#define CONSTNN_CM_ONES_12 CONSTNN_CM_ONES_11 "vmls.f32 s27, s14, s11\n\t"
#define CONSTNN_CM_ONES_13 CONSTNN_CM_ONES_12 "vmls.f32 s28, s14, s12\n\t"
#define CONSTNN_CM_ONES_14 CONSTNN_CM_ONES_13 "vmls.f32 s29, s14, s13\n\t"
// Update: w[o] -= lr * (dy[o] * x) with dy s0.., weights s16.., lr s14, x s15, s30 scratch.
#define CONSTNN_CM_UPD_1 "vmul.f32 s30, s0, s15\n\tvmls.f32 s16, s14, s30\n\t"
#define CONSTNN_CM_UPD_2 CONSTNN_CM_UPD_1 "vmul.f32 s30, s1, s15\n\tvmls.f32 s17, s14, s30\n\t"
#define CONSTNN_CM_UPD_3 CONSTNN_CM_UPD_2 "vmul.f32 s30, s2, s15\n\tvmls.f32 s18, s14, s30\n\t"
#define CONSTNN_CM_UPD_4 CONSTNN_CM_UPD_3 "vmul.f32 s30, s3, s15\n\tvmls.f32 s19, s14, s30\n\t"
#define CONSTNN_CM_UPD_5 CONSTNN_CM_UPD_4 "vmul.f32 s30, s4, s15\n\tvmls.f32 s20, s14, s30\n\t"
#define CONSTNN_CM_UPD_6 CONSTNN_CM_UPD_5 "vmul.f32 s30, s5, s15\n\tvmls.f32 s21, s14, s30\n\t"
#define CONSTNN_CM_UPD_7 CONSTNN_CM_UPD_6 "vmul.f32 s30, s6, s15\n\tvmls.f32 s22, s14, s30\n\t"
#define CONSTNN_CM_UPD_8 CONSTNN_CM_UPD_7 "vmul.f32 s30, s7, s15\n\tvmls.f32 s23, s14, s30\n\t"
#define CONSTNN_CM_UPD_9 CONSTNN_CM_UPD_8 "vmul.f32 s30, s8, s15\n\tvmls.f32 s24, s14, s30\n\t"
#define CONSTNN_CM_UPD_10 CONSTNN_CM_UPD_9 "vmul.f32 s30, s9, s15\n\tvmls.f32 s25, s14, s30\n\t"
#define CONSTNN_CM_UPD_11 CONSTNN_CM_UPD_10 "vmul.f32 s30, s10, s15\n\tvmls.f32 s26, s14, s30\n\t"
#define CONSTNN_CM_UPD_12 CONSTNN_CM_UPD_11 "vmul.f32 s30, s11, s15\n\tvmls.f32 s27, s14, s30\n\t"
#define CONSTNN_CM_UPD_13 CONSTNN_CM_UPD_12 "vmul.f32 s30, s12, s15\n\tvmls.f32 s28, s14, s30\n\t"
#define CONSTNN_CM_UPD_14 CONSTNN_CM_UPD_13 "vmul.f32 s30, s13, s15\n\tvmls.f32 s29, s14, s30\n\t"
// Narrow layers: dx += w[o] * dy[o] into s13 (dy s0.., weights s16..), then
// w[o] -= lr * (dy[o] * x) with lr in s15, x in s31, s29 scratch.
#define CONSTNN_CM_DX_1 "vmla.f32 s13, s16, s0\n\t"
#define CONSTNN_CM_DX_2 CONSTNN_CM_DX_1 "vmla.f32 s13, s17, s1\n\t"
#define CONSTNN_CM_DX_3 CONSTNN_CM_DX_2 "vmla.f32 s13, s18, s2\n\t"
#define CONSTNN_CM_DX_4 CONSTNN_CM_DX_3 "vmla.f32 s13, s19, s3\n\t"
#define CONSTNN_CM_DX_5 CONSTNN_CM_DX_4 "vmla.f32 s13, s20, s4\n\t"
#define CONSTNN_CM_DX_6 CONSTNN_CM_DX_5 "vmla.f32 s13, s21, s5\n\t"
#define CONSTNN_CM_DX_7 CONSTNN_CM_DX_6 "vmla.f32 s13, s22, s6\n\t"
#define CONSTNN_CM_DX_8 CONSTNN_CM_DX_7 "vmla.f32 s13, s23, s7\n\t"
#define CONSTNN_CM_DX_9 CONSTNN_CM_DX_8 "vmla.f32 s13, s24, s8\n\t"
#define CONSTNN_CM_DX_10 CONSTNN_CM_DX_9 "vmla.f32 s13, s25, s9\n\t"
#define CONSTNN_CM_DX_11 CONSTNN_CM_DX_10 "vmla.f32 s13, s26, s10\n\t"
#define CONSTNN_CM_DX_12 CONSTNN_CM_DX_11 "vmla.f32 s13, s27, s11\n\t"
#define CONSTNN_CM_DX_13 CONSTNN_CM_DX_12 "vmla.f32 s13, s28, s12\n\t"
#define CONSTNN_CM_NUPD_1 "vmul.f32 s29, s0, s31\n\tvmls.f32 s16, s15, s29\n\t"
#define CONSTNN_CM_NUPD_2 CONSTNN_CM_NUPD_1 "vmul.f32 s29, s1, s31\n\tvmls.f32 s17, s15, s29\n\t"
#define CONSTNN_CM_NUPD_3 CONSTNN_CM_NUPD_2 "vmul.f32 s29, s2, s31\n\tvmls.f32 s18, s15, s29\n\t"
#define CONSTNN_CM_NUPD_4 CONSTNN_CM_NUPD_3 "vmul.f32 s29, s3, s31\n\tvmls.f32 s19, s15, s29\n\t"
#define CONSTNN_CM_NUPD_5 CONSTNN_CM_NUPD_4 "vmul.f32 s29, s4, s31\n\tvmls.f32 s20, s15, s29\n\t"
#define CONSTNN_CM_NUPD_6 CONSTNN_CM_NUPD_5 "vmul.f32 s29, s5, s31\n\tvmls.f32 s21, s15, s29\n\t"
#define CONSTNN_CM_NUPD_7 CONSTNN_CM_NUPD_6 "vmul.f32 s29, s6, s31\n\tvmls.f32 s22, s15, s29\n\t"
#define CONSTNN_CM_NUPD_8 CONSTNN_CM_NUPD_7 "vmul.f32 s29, s7, s31\n\tvmls.f32 s23, s15, s29\n\t"
#define CONSTNN_CM_NUPD_9 CONSTNN_CM_NUPD_8 "vmul.f32 s29, s8, s31\n\tvmls.f32 s24, s15, s29\n\t"
#define CONSTNN_CM_NUPD_10 CONSTNN_CM_NUPD_9 "vmul.f32 s29, s9, s31\n\tvmls.f32 s25, s15, s29\n\t"
#define CONSTNN_CM_NUPD_11 CONSTNN_CM_NUPD_10 "vmul.f32 s29, s10, s31\n\tvmls.f32 s26, s15, s29\n\t"
#define CONSTNN_CM_NUPD_12 CONSTNN_CM_NUPD_11 "vmul.f32 s29, s11, s31\n\tvmls.f32 s27, s15, s29\n\t"
#define CONSTNN_CM_NUPD_13 CONSTNN_CM_NUPD_12 "vmul.f32 s29, s12, s31\n\tvmls.f32 s28, s15, s29\n\t"

// Every S register the kernels may touch; s16-s31 are callee-saved, so the compiler saves them.
#define CONSTNN_CM_CLOBBERS                                                                 \
  "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13",  \
      "s14", "s15", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25",  \
      "s26", "s27", "s28", "s29", "s30", "s31", "cc", "memory"

namespace constnn::detail::cortex_m {

/// Whether the layers use these kernels (tests switch them off to compare).
inline bool& enabled() noexcept {
  static bool on = true;
  return on;
}

inline constexpr float one = 1.0f;

// ---- forward ---------------------------------------------------------------------------

/// out = N <= 15: y = b + sum over nonzero x[i] of w[i][.] x[i], the N sums in s0..s(N-1)
/// for the whole loop.
template <int N>
void forward_narrow(std::size_t in, const float* w, const float* x, const float* b,
                    float* y) noexcept;

#define CONSTNN_CM_FORWARD_NARROW(N)                                                        \
  template <>                                                                               \
  inline void forward_narrow<N>(std::size_t in, const float* w, const float* x,            \
                                const float* b, float* y) noexcept {                        \
    unsigned t;                                                                             \
    asm volatile(                                                                           \
        "vldmia %[b], " CONSTNN_CM_LO_##N "\n\t"                                            \
        "1:\n\t"                                                                            \
        "ldr %[t], [%[x]], #4\n\t"                                                          \
        "lsls %[t], %[t], #1\n\t"                                                           \
        "beq 2f\n\t"                                                                        \
        "vldr s31, [%[x], #-4]\n\t"                                                         \
        "vldmia %[w]!, " CONSTNN_CM_HI_##N "\n\t" CONSTNN_CM_FWD_##N                       \
        "subs %[n], %[n], #1\n\t"                                                           \
        "bne 1b\n\t"                                                                        \
        "b 3f\n\t"                                                                          \
        "2:\n\t"                                                                            \
        "add %[w], %[w], %[stride]\n\t"                                                     \
        "subs %[n], %[n], #1\n\t"                                                           \
        "bne 1b\n\t"                                                                        \
        "3:\n\t"                                                                            \
        "vstmia %[y], " CONSTNN_CM_LO_##N "\n\t"                                            \
        : [t] "=&r"(t), [x] "+r"(x), [w] "+r"(w), [n] "+r"(in)                              \
        : [b] "r"(b), [y] "r"(y), [stride] "r"(N * 4)                                       \
        : CONSTNN_CM_CLOBBERS);                                                             \
  }

/// out > 15, out = 15 * blocks + R: y = b first, then for every nonzero x[i] the row in
/// blocks of 15 accumulators loaded from y and stored back.
template <int R>
void forward_wide(std::size_t in, std::size_t blocks, const float* w, const float* x,
                  const float* b, float* y) noexcept;

#define CONSTNN_CM_FORWARD_WIDE(R, COPY_REST, ROW_REST)                                     \
  template <>                                                                               \
  inline void forward_wide<R>(std::size_t in, std::size_t blocks, const float* w,          \
                              const float* x, const float* b, float* y) noexcept {         \
    unsigned t;                                                                             \
    std::size_t k;                                                                          \
    float* yp;                                                                              \
    asm volatile(                                                                           \
        "mov %[yp], %[y]\n\t"                                                               \
        "mov %[k], %[blocks]\n\t"                                                           \
        "0:\n\t"                                                                            \
        "vldmia %[b]!, {s0-s14}\n\t"                                                        \
        "vstmia %[yp]!, {s0-s14}\n\t"                                                       \
        "subs %[k], %[k], #1\n\t"                                                           \
        "bne 0b\n\t" COPY_REST                                                              \
        "1:\n\t"                                                                            \
        "ldr %[t], [%[x]], #4\n\t"                                                          \
        "lsls %[t], %[t], #1\n\t"                                                           \
        "beq 4f\n\t"                                                                        \
        "vldr s31, [%[x], #-4]\n\t"                                                         \
        "mov %[yp], %[y]\n\t"                                                               \
        "mov %[k], %[blocks]\n\t"                                                           \
        "2:\n\t"                                                                            \
        "vldmia %[yp], {s0-s14}\n\t"                                                        \
        "vldmia %[w]!, {s16-s30}\n\t" CONSTNN_CM_FWD_15                                    \
        "vstmia %[yp]!, {s0-s14}\n\t"                                                       \
        "subs %[k], %[k], #1\n\t"                                                           \
        "bne 2b\n\t" ROW_REST                                                               \
        "subs %[n], %[n], #1\n\t"                                                           \
        "bne 1b\n\t"                                                                        \
        "b 5f\n\t"                                                                          \
        "4:\n\t" /* a zero input: skip its row, 60 * blocks + 4 * R bytes */                 \
        "movs %[t], #60\n\t"                                                                \
        "mla %[w], %[t], %[blocks], %[w]\n\t"                                               \
        "adds %[w], %[w], #" #R " * 4\n\t"                                                   \
        "subs %[n], %[n], #1\n\t"                                                           \
        "bne 1b\n\t"                                                                        \
        "5:\n\t"                                                                            \
        : [t] "=&r"(t), [k] "=&r"(k), [yp] "=&r"(yp), [x] "+r"(x), [w] "+r"(w),             \
          [n] "+r"(in), [b] "+r"(b)                                                         \
        : [y] "r"(y), [blocks] "r"(blocks)                                                  \
        : CONSTNN_CM_CLOBBERS);                                                             \
  }
#define CONSTNN_CM_FORWARD_WIDE_REST(R)                                                     \
  CONSTNN_CM_FORWARD_WIDE(                                                                  \
      R,                                                                                    \
      "vldmia %[b], " CONSTNN_CM_LO_##R "\n\tvstmia %[yp], " CONSTNN_CM_LO_##R "\n\t",       \
      "vldmia %[yp], " CONSTNN_CM_LO_##R "\n\tvldmia %[w]!, " CONSTNN_CM_HI_##R             \
      "\n\t" CONSTNN_CM_FWD_##R "vstmia %[yp], " CONSTNN_CM_LO_##R "\n\t")

// ---- backward and SGD --------------------------------------------------------------------

/// out > 14, out = 14 * blocks + R, no input gradient: for every row with x[i] != 0,
/// w[i][o] -= lr * (dy[o] * x[i]) in blocks of 14 (dy reloaded per block); rows with
/// x[i] == 1 take lr * dy[o], the same value, without the multiply.
template <int R>
void update_wide(std::size_t in, std::size_t blocks, float* w, const float* x, const float* dy,
                 float lr) noexcept;

#define CONSTNN_CM_UPDATE_WIDE(R, GENERAL_REST, ONES_REST)                                 \
  template <>                                                                               \
  inline void update_wide<R>(std::size_t in, std::size_t blocks, float* w, const float* x,  \
                             const float* dy, float lr) noexcept {                          \
    unsigned t;                                                                             \
    std::size_t k;                                                                          \
    const float* dp;                                                                        \
    asm volatile(                                                                           \
        "vmov s14, %[lr]\n\t"                                                               \
        "1:\n\t"                                                                            \
        "ldr %[t], [%[x]], #4\n\t"                                                          \
        "cmp %[t], #0x3f800000\n\t"                                                         \
        "beq 3f\n\t"                                                                        \
        "lsls %[t], %[t], #1\n\t"                                                           \
        "beq 5f\n\t"                                                                        \
        "vldr s15, [%[x], #-4]\n\t"                                                         \
        "mov %[dp], %[dy]\n\t"                                                              \
        "mov %[k], %[blocks]\n\t"                                                           \
        "2:\n\t"                                                                            \
        "vldmia %[dp]!, {s0-s13}\n\t"                                                       \
        "vldmia %[w], {s16-s29}\n\t" CONSTNN_CM_UPD_14                                     \
        "vstmia %[w]!, {s16-s29}\n\t"                                                       \
        "subs %[k], %[k], #1\n\t"                                                           \
        "bne 2b\n\t" GENERAL_REST                                                           \
        "b 6f\n\t"                                                                          \
        "3:\n\t"                                                                            \
        "mov %[dp], %[dy]\n\t"                                                              \
        "mov %[k], %[blocks]\n\t"                                                           \
        "4:\n\t"                                                                            \
        "vldmia %[dp]!, {s0-s13}\n\t"                                                       \
        "vldmia %[w], {s16-s29}\n\t" CONSTNN_CM_ONES_14                                    \
        "vstmia %[w]!, {s16-s29}\n\t"                                                       \
        "subs %[k], %[k], #1\n\t"                                                           \
        "bne 4b\n\t" ONES_REST                                                              \
        "b 6f\n\t"                                                                          \
        "5:\n\t" /* a zero input: skip its row, 56 * blocks + 4 * R bytes */                 \
        "movs %[t], #56\n\t"                                                                \
        "mla %[w], %[t], %[blocks], %[w]\n\t"                                               \
        "adds %[w], %[w], #" #R " * 4\n\t"                                                   \
        "6:\n\t"                                                                            \
        "subs %[n], %[n], #1\n\t"                                                           \
        "bne 1b\n\t"                                                                        \
        : [t] "=&r"(t), [k] "=&r"(k), [dp] "=&r"(dp), [x] "+r"(x), [w] "+r"(w),             \
          [n] "+r"(in)                                                                      \
        : [dy] "r"(dy), [blocks] "r"(blocks), [lr] "r"(std::bit_cast<unsigned>(lr))          \
        : CONSTNN_CM_CLOBBERS);                                                             \
  }
#define CONSTNN_CM_UPDATE_WIDE_REST(R)                                                      \
  CONSTNN_CM_UPDATE_WIDE(                                                                   \
      R,                                                                                    \
      "vldmia %[dp], " CONSTNN_CM_LO_##R "\n\tvldmia %[w], " CONSTNN_CM_HI_##R              \
      "\n\t" CONSTNN_CM_UPD_##R "vstmia %[w]!, " CONSTNN_CM_HI_##R "\n\t",                  \
      "vldmia %[dp], " CONSTNN_CM_LO_##R "\n\tvldmia %[w], " CONSTNN_CM_HI_##R              \
      "\n\t" CONSTNN_CM_ONES_##R "vstmia %[w]!, " CONSTNN_CM_HI_##R "\n\t")

/// out = N <= 13: per row, dx[i] = sum_o w[i][o] dy[o] from the old weights (in output
/// order, from +0) when WithDx, then w[i][o] -= lr * (dy[o] * x[i]) unless x[i] is zero.
/// dy stays in s0..s(N-1) for the whole loop.
template <int N, bool WithDx>
void update_narrow(std::size_t in, float* w, const float* x, const float* dy, float* dx,
                   float lr) noexcept;

#define CONSTNN_CM_UPDATE_NARROW(N, WITH_DX, DX_CODE)                                       \
  template <>                                                                               \
  inline void update_narrow<N, WITH_DX>(std::size_t in, float* w, const float* x,          \
                                        const float* dy, float* dx, float lr) noexcept {    \
    unsigned t;                                                                             \
    asm volatile(                                                                           \
        "vldmia %[dy], " CONSTNN_CM_LO_##N "\n\t"                                           \
        "vmov s15, %[lr]\n\t"                                                               \
        "movs %[t], #0\n\t"                                                                 \
        "vmov s14, %[t]\n\t" /* +0, where each dx sum starts */                             \
        "1:\n\t"                                                                            \
        "vldmia %[w], " CONSTNN_CM_HI_##N "\n\t" DX_CODE                                    \
        "ldr %[t], [%[x]], #4\n\t"                                                          \
        "lsls %[t], %[t], #1\n\t"                                                           \
        "beq 2f\n\t"                                                                        \
        "vldr s31, [%[x], #-4]\n\t" CONSTNN_CM_NUPD_##N                                    \
        "vstmia %[w]!, " CONSTNN_CM_HI_##N "\n\t"                                           \
        "subs %[n], %[n], #1\n\t"                                                           \
        "bne 1b\n\t"                                                                        \
        "b 3f\n\t"                                                                          \
        "2:\n\t"                                                                            \
        "add %[w], %[w], %[stride]\n\t"                                                     \
        "subs %[n], %[n], #1\n\t"                                                           \
        "bne 1b\n\t"                                                                        \
        "3:\n\t"                                                                            \
        : [t] "=&r"(t), [x] "+r"(x), [w] "+r"(w), [n] "+r"(in), [dx] "+r"(dx)               \
        : [dy] "r"(dy), [stride] "r"(N * 4), [lr] "r"(std::bit_cast<unsigned>(lr))           \
        : CONSTNN_CM_CLOBBERS);                                                             \
  }
#define CONSTNN_CM_UPDATE_NARROW_BOTH(N)                                                    \
  CONSTNN_CM_UPDATE_NARROW(N, false, "")                                                    \
  CONSTNN_CM_UPDATE_NARROW(N, true,                                                         \
                           "vmov.f32 s13, s14\n\t" CONSTNN_CM_DX_##N                        \
                           "vstmia %[dx]!, {s13}\n\t")

CONSTNN_CM_FORWARD_NARROW(1)
CONSTNN_CM_FORWARD_NARROW(2)
CONSTNN_CM_FORWARD_NARROW(3)
CONSTNN_CM_FORWARD_NARROW(4)
CONSTNN_CM_FORWARD_NARROW(5)
CONSTNN_CM_FORWARD_NARROW(6)
CONSTNN_CM_FORWARD_NARROW(7)
CONSTNN_CM_FORWARD_NARROW(8)
CONSTNN_CM_FORWARD_NARROW(9)
CONSTNN_CM_FORWARD_NARROW(10)
CONSTNN_CM_FORWARD_NARROW(11)
CONSTNN_CM_FORWARD_NARROW(12)
CONSTNN_CM_FORWARD_NARROW(13)
CONSTNN_CM_FORWARD_NARROW(14)
CONSTNN_CM_FORWARD_NARROW(15)
CONSTNN_CM_FORWARD_WIDE(0, "", "")
CONSTNN_CM_FORWARD_WIDE_REST(1)
CONSTNN_CM_FORWARD_WIDE_REST(2)
CONSTNN_CM_FORWARD_WIDE_REST(3)
CONSTNN_CM_FORWARD_WIDE_REST(4)
CONSTNN_CM_FORWARD_WIDE_REST(5)
CONSTNN_CM_FORWARD_WIDE_REST(6)
CONSTNN_CM_FORWARD_WIDE_REST(7)
CONSTNN_CM_FORWARD_WIDE_REST(8)
CONSTNN_CM_FORWARD_WIDE_REST(9)
CONSTNN_CM_FORWARD_WIDE_REST(10)
CONSTNN_CM_FORWARD_WIDE_REST(11)
CONSTNN_CM_FORWARD_WIDE_REST(12)
CONSTNN_CM_FORWARD_WIDE_REST(13)
CONSTNN_CM_FORWARD_WIDE_REST(14)
CONSTNN_CM_UPDATE_WIDE(0, "", "")
CONSTNN_CM_UPDATE_WIDE_REST(1)
CONSTNN_CM_UPDATE_WIDE_REST(2)
CONSTNN_CM_UPDATE_WIDE_REST(3)
CONSTNN_CM_UPDATE_WIDE_REST(4)
CONSTNN_CM_UPDATE_WIDE_REST(5)
CONSTNN_CM_UPDATE_WIDE_REST(6)
CONSTNN_CM_UPDATE_WIDE_REST(7)
CONSTNN_CM_UPDATE_WIDE_REST(8)
CONSTNN_CM_UPDATE_WIDE_REST(9)
CONSTNN_CM_UPDATE_WIDE_REST(10)
CONSTNN_CM_UPDATE_WIDE_REST(11)
CONSTNN_CM_UPDATE_WIDE_REST(12)
CONSTNN_CM_UPDATE_WIDE_REST(13)
CONSTNN_CM_UPDATE_NARROW_BOTH(1)
CONSTNN_CM_UPDATE_NARROW_BOTH(2)
CONSTNN_CM_UPDATE_NARROW_BOTH(3)
CONSTNN_CM_UPDATE_NARROW_BOTH(4)
CONSTNN_CM_UPDATE_NARROW_BOTH(5)
CONSTNN_CM_UPDATE_NARROW_BOTH(6)
CONSTNN_CM_UPDATE_NARROW_BOTH(7)
CONSTNN_CM_UPDATE_NARROW_BOTH(8)
CONSTNN_CM_UPDATE_NARROW_BOTH(9)
CONSTNN_CM_UPDATE_NARROW_BOTH(10)
CONSTNN_CM_UPDATE_NARROW_BOTH(11)
CONSTNN_CM_UPDATE_NARROW_BOTH(12)
CONSTNN_CM_UPDATE_NARROW_BOTH(13)

#undef CONSTNN_CM_FORWARD_NARROW
#undef CONSTNN_CM_FORWARD_WIDE
#undef CONSTNN_CM_FORWARD_WIDE_REST
#undef CONSTNN_CM_UPDATE_WIDE
#undef CONSTNN_CM_UPDATE_WIDE_REST
#undef CONSTNN_CM_UPDATE_NARROW
#undef CONSTNN_CM_UPDATE_NARROW_BOTH

// ---- exp, sigmoid, softmax ----------------------------------------------------------------

/// math::exp(x) for |x| <= 87, where 2^k is normal and no special case applies: the same
/// operations in the same order, without the checks (and inlined, its constants kept in
/// registers across a loop). Other x go to math::exp itself.
[[gnu::always_inline]] inline float exp_float(float x) noexcept {
  using traits = math::detail::ieee<float>;
  const unsigned bits = std::bit_cast<unsigned>(x);
  if ((bits << 1) > (0x42ae0000u << 1)) [[unlikely]]  // |x| > 87 (87.0f is 0x42ae0000) or NaN
    return math::exp(x);
  const float kf = x * traits::inv_ln2;
  const int k = static_cast<int>(kf < 0.0f ? kf - 0.5f : kf + 0.5f);
  const float kt = static_cast<float>(k);
  const float r = (x - kt * traits::ln2_hi) - kt * traits::ln2_lo;
  const float p = math::detail::horner<0, traits::exp_terms - 1>(
      math::detail::inverse_factorial<float>, r);
  return p * math::detail::pow2<float>(k);
}

inline void sigmoid_loop(std::size_t n, const float* x, float* y) noexcept {
  for (std::size_t k = 0; k < n; ++k) y[k] = 1.0f / (1.0f + exp_float(-x[k]));
}

inline void softmax_loop(std::size_t n, const float* x, float* y) noexcept {
  float m = x[0];
  for (std::size_t k = 1; k < n; ++k) m = x[k] > m ? x[k] : m;
  float sum = 0.0f;
  for (std::size_t k = 0; k < n; ++k) {
    y[k] = exp_float(x[k] - m);
    sum += y[k];
  }
  for (std::size_t k = 0; k < n; ++k) y[k] /= sum;
}

// ---- convolution -------------------------------------------------------------------------

/// acc[0..N) += sum over t < count (count >= 1), t ascending, of w[t * w_step ..] * x[t *
/// x_step], the N sums loaded from acc and stored back: the building block of conv.hpp's
/// loops (a window row of the forward pass, a tap of the input gradient, an output row of
/// the weight gradients). Steps are in bytes.
template <int N, bool UnitX>
void conv_terms(std::size_t count, const float* w, std::size_t w_step, const float* x,
                std::size_t x_step, float* acc) noexcept;

#define CONSTNN_CM_CONV_TERMS(N, UNIT_X, LOAD_X)                                            \
  template <>                                                                               \
  inline void conv_terms<N, UNIT_X>(std::size_t count, const float* w, std::size_t w_step,  \
                                    const float* x, std::size_t x_step,                     \
                                    float* acc) noexcept {                                  \
    asm volatile(                                                                           \
        "vldmia %[acc], " CONSTNN_CM_LO_##N "\n\t"                                          \
        "1:\n\t"                                                                            \
        "vldmia %[w], " CONSTNN_CM_HI_##N "\n\t" LOAD_X CONSTNN_CM_FWD_##N                  \
        "add %[w], %[w], %[w_step]\n\t"                                                     \
        "subs %[n], %[n], #1\n\t"                                                           \
        "bne 1b\n\t"                                                                        \
        "vstmia %[acc], " CONSTNN_CM_LO_##N "\n\t"                                          \
        : [x] "+r"(x), [w] "+r"(w), [n] "+r"(count)                                         \
        : [acc] "r"(acc), [w_step] "r"(w_step), [x_step] "r"(x_step)                        \
        : CONSTNN_CM_CLOBBERS);                                                             \
  }
#define CONSTNN_CM_CONV_TERMS_BOTH(N)                                                       \
  CONSTNN_CM_CONV_TERMS(N, true, "vldmia %[x]!, {s31}\n\t")                                 \
  CONSTNN_CM_CONV_TERMS(N, false, "vldr s31, [%[x]]\n\tadd %[x], %[x], %[x_step]\n\t")

CONSTNN_CM_CONV_TERMS_BOTH(1)
CONSTNN_CM_CONV_TERMS_BOTH(2)
CONSTNN_CM_CONV_TERMS_BOTH(3)
CONSTNN_CM_CONV_TERMS_BOTH(4)
CONSTNN_CM_CONV_TERMS_BOTH(5)
CONSTNN_CM_CONV_TERMS_BOTH(6)
CONSTNN_CM_CONV_TERMS_BOTH(7)
CONSTNN_CM_CONV_TERMS_BOTH(8)
CONSTNN_CM_CONV_TERMS_BOTH(9)
CONSTNN_CM_CONV_TERMS_BOTH(10)
CONSTNN_CM_CONV_TERMS_BOTH(11)
CONSTNN_CM_CONV_TERMS_BOTH(12)
CONSTNN_CM_CONV_TERMS_BOTH(13)
CONSTNN_CM_CONV_TERMS_BOTH(14)
CONSTNN_CM_CONV_TERMS_BOTH(15)

#undef CONSTNN_CM_CONV_TERMS
#undef CONSTNN_CM_CONV_TERMS_BOTH

// ---- dispatch ----------------------------------------------------------------------------

/// Calls f(std::integral_constant<int, v>{}) for v = n (0 <= n <= Max): at compile time when
/// n is a fixed_size (so a fixed network instantiates one kernel), else by comparison.
template <int Max, class N, class F, int... V>
inline void with_value(N n, F&& f, std::integer_sequence<int, V...>) noexcept {
  (void)((static_cast<std::size_t>(n) == static_cast<std::size_t>(V) &&
          (f(std::integral_constant<int, V>{}), true)) ||
         ...);
}

template <int Max, int Divisor, class W, class F>
inline void with_remainder(W width, F&& f) noexcept {
  if constexpr (!std::is_same_v<W, std::size_t>) {
    f(std::integral_constant<int, static_cast<int>(W::value % Divisor)>{});
  } else {
    with_value<Max>(width % Divisor, f, std::make_integer_sequence<int, Divisor>{});
  }
}

template <class T, class NI, class NO>
inline bool dense_forward(NI in_n, NO out_n, const T* p, const T* x, T* y) noexcept {
  if constexpr (!std::is_same_v<T, float>) {
    (void)in_n, (void)out_n, (void)p, (void)x, (void)y;
    return false;
  } else {
    if (!enabled()) return false;
    const std::size_t in = in_n, out = out_n;
    const float* b = p + in * out;
    if (out <= 15) {
      with_remainder<15, 16>(out_n, [&](auto n) {
        if constexpr (n() >= 1) forward_narrow<n()>(in, p, x, b, y);
      });
    } else {
      with_remainder<14, 15>(out_n, [&](auto r) {
        forward_wide<r()>(in, out / 15, p, x, b, y);
      });
    }
    return true;
  }
}

// Runs an elementwise float loop when the kernels are enabled; other scalar types stay portable.
template <class T, class Loop>
inline bool float_elementwise(Loop loop, std::size_t n, const T* x, T* y) noexcept {
  if constexpr (!std::is_same_v<T, float>) {
    (void)loop, (void)n, (void)x, (void)y;
    return false;
  } else {
    if (!enabled()) return false;
    loop(n, x, y);
    return true;
  }
}

template <class T>
inline bool sigmoid_forward(std::size_t n, const T* x, T* y) noexcept {
  return float_elementwise(sigmoid_loop, n, x, y);
}

template <class T>
inline bool softmax_forward(std::size_t n, const T* x, T* y) noexcept {
  return float_elementwise(softmax_loop, n, x, y);
}

template <class T, class NI, class NO>
inline bool dense_backward_sgd(NI in_n, NO out_n, T* p, const T* x, const T* dy, T* dx,
                               T lr) noexcept {
  if constexpr (!std::is_same_v<T, float>) {
    (void)in_n, (void)out_n, (void)p, (void)x, (void)dy, (void)dx, (void)lr;
    return false;
  } else {
    if (!enabled()) return false;
    const std::size_t in = in_n, out = out_n;
    float* b = p + in * out;
    if (out <= 13) {
      with_remainder<13, 14>(out_n, [&](auto n) {
        if constexpr (n() >= 1) {
          if (dx != nullptr) {
            update_narrow<n(), true>(in, p, x, dy, dx, lr);
          } else {
            update_narrow<n(), false>(in, p, x, dy, nullptr, lr);
          }
          update_narrow<n(), false>(1, b, &one, dy, nullptr, lr);  // the biases: x = 1
        }
      });
      return true;
    }
    if (dx != nullptr) return false;  // wide layers with an input gradient: portable loops
    with_remainder<13, 14>(out_n, [&](auto r) {
      update_wide<r()>(in, out / 14, p, x, dy, lr);
      update_wide<r()>(1, out / 14, b, &one, dy, lr);  // the biases: x = 1
    });
    return true;
  }
}


/// Calls f(offset, integral_constant<int, width>) for blocks of 15 of n sums side by side (the
/// accumulators s0-s14 hold), then the rest.
template <class N, class F>
inline void for_each_block15(N n, F&& f) noexcept {
  const std::size_t total = n;
  std::size_t o = 0;
  for (; o + 15 <= total; o += 15) f(o, std::integral_constant<int, 15>{});
  if (o < total)
    with_remainder<14, 15>(n, [&](auto r) {
      if constexpr (r() >= 1) f(o, r);
    });
}

/// conv.hpp's conv_forward: per output position the bias, then each window row in (kh, kw,
/// c) order, for up to 15 filters at a time.
template <class T, class NF, class NC>
inline bool conv_forward(const conv_geometry& g, NF nf_n, NC nc_n, const T* p, const T* x,
                         T* y) noexcept {
  if constexpr (!std::is_same_v<T, float>) {
    (void)g, (void)nf_n, (void)nc_n, (void)p, (void)x, (void)y;
    return false;
  } else {
    if (!enabled()) return false;
    const std::size_t nf = nf_n, nc = nc_n;
    const float* b = p + g.weight_count();
    const std::size_t first = g.first_inner_col(), last = g.last_inner_col();
    for (std::size_t oy = 0; oy < g.oh; ++oy)
      for (std::size_t ox = 0; ox < g.ow; ++ox) {
        float* yo = y + (oy * g.ow + ox) * nf;
        for (std::size_t f = 0; f < nf; ++f) yo[f] = b[f];
        const bool inner = ox >= first && ox < last;
        for_each_block15(nf_n, [&](std::size_t f0, auto width) {
          constexpr int N = decltype(width)::value;
          for (std::size_t kh = 0; kh < g.kh; ++kh) {
            std::size_t iy = 0;
            if (!g.input_row(oy, kh, iy)) continue;
            const float* rows = p + kh * g.kw * nc * nf + f0;
            if (inner) {
              conv_terms<N, true>(g.kw * nc, rows, nf * 4,
                                  x + (iy * g.w + ox * g.stride_w - g.pad_left) * nc, 4, yo + f0);
              continue;
            }
            for (std::size_t kw = 0; kw < g.kw; ++kw) {
              std::size_t ix = 0;
              if (g.input_col(ox, kw, ix))
                conv_terms<N, true>(nc, rows + kw * nc * nf, nf * 4, x + (iy * g.w + ix) * nc, 4,
                                    yo + f0);
            }
          }
        });
      }
    return true;
  }
}

/// conv.hpp's conv_input_gradient from wt (the weights transposed to [KH][KW][F][C]), up to
/// 15 channels at a time.
template <class T, class NF, class NC>
inline bool conv_input_gradient(const conv_geometry& g, NF nf_n, NC nc_n, const T* wt,
                                const T* dy, T* dx) noexcept {
  if constexpr (!std::is_same_v<T, float>) {
    (void)g, (void)nf_n, (void)nc_n, (void)wt, (void)dy, (void)dx;
    return false;
  } else {
    if (!enabled()) return false;
    const std::size_t nf = nf_n, nc = nc_n;
    for (std::size_t iy = 0; iy < g.h; ++iy)
      for (std::size_t ix = 0; ix < g.w; ++ix) {
        float* d = dx + (iy * g.w + ix) * nc;
        for (std::size_t c = 0; c < nc; ++c) d[c] = 0.0f;
        for_each_block15(nc_n, [&](std::size_t c0, auto width) {
          constexpr int N = decltype(width)::value;
          for (std::size_t kh = 0; kh < g.kh; ++kh) {
            std::size_t oy = 0;
            if (!g.output_row(iy, kh, oy)) continue;
            for (std::size_t kw = 0; kw < g.kw; ++kw) {
              std::size_t ox = 0;
              if (g.output_col(ix, kw, ox))
                conv_terms<N, true>(nf, wt + (kh * g.kw + kw) * nf * nc + c0, nc * 4,
                                    dy + (oy * g.ow + ox) * nf, 4, d + c0);
            }
          }
        });
      }
    return true;
  }
}

/// conv.hpp's conv_weight_gradient_rows: per channel, its row of filters summed over the
/// output positions in row-major order, up to 15 filters at a time.
template <class T, class NF>
inline bool conv_weight_gradient_rows(const conv_geometry& g, NF nf_n, const T* x, const T* dy,
                                      T* acc, std::size_t kh, std::size_t kw, std::size_t c0,
                                      std::size_t count) noexcept {
  if constexpr (!std::is_same_v<T, float>) {
    (void)g, (void)nf_n, (void)x, (void)dy, (void)acc, (void)kh, (void)kw, (void)c0;
    (void)count;
    return false;
  } else {
    if (!enabled()) return false;
    const std::size_t nf = nf_n;
    for (std::size_t k = 0; k < count * nf; ++k) acc[k] = 0.0f;
    const std::size_t first = g.first_col_on_input(kw), end = g.end_col_on_input(kw);
    if (first >= end) return true;
    const std::size_t x_step = g.stride_w * g.c * 4;
    for (std::size_t q = 0; q < count; ++q)
      for_each_block15(nf_n, [&](std::size_t f0, auto width) {
        constexpr int N = decltype(width)::value;
        for (std::size_t oy = 0; oy < g.oh; ++oy) {
          std::size_t iy = 0;
          if (!g.input_row(oy, kh, iy)) continue;
          const float* rows = dy + (oy * g.ow + first) * nf + f0;
          const float* xs = x + (iy * g.w + first * g.stride_w + kw - g.pad_left) * g.c + c0 + q;
          if (x_step == 4) {
            conv_terms<N, true>(end - first, rows, nf * 4, xs, 4, acc + q * nf + f0);
          } else {
            conv_terms<N, false>(end - first, rows, nf * 4, xs, x_step, acc + q * nf + f0);
          }
        }
      });
    return true;
  }
}

}  // namespace constnn::detail::cortex_m

#endif  // CONSTNN_CORTEX_M_KERNELS
