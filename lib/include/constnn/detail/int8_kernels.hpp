// The int8 primitives in their portable, constexpr form: the TFLite int8 reference kernels'
// arithmetic, which a backend (Cortex-M DSP, x86) may speed up but must reproduce bit for bit;
// not API. Activations are int8 with a zero point per tensor; weights int8 with one
// requantization multiplier per output channel; accumulation in int32.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <cstdint>

#include "../core/fixed_point.hpp"
#include "../core/quantization.hpp"
#include "conv_geometry.hpp"

namespace constnn::detail::int8 {

using fixed_point::quantized_multiplier;
using fixed_point::rounding;

/// What turns one layer's int32 accumulators into int8 outputs (TFLite's per-channel
/// requantization): the multiplier of each output channel, the output zero point, and the
/// clamp range (the activation's: [-128, 127], or [zero point, 127] for a folded ReLU).
struct requantization {
  const quantized_multiplier* multipliers = nullptr;  ///< [channels]
  std::int32_t output_zero_point = 0;
  std::int32_t lo = -128;
  std::int32_t hi = 127;
};

/// TFLite's int8 FullyConnected with per-channel scales: y[o] = requantize(bias[o] +
/// sum_i (x[i] - input_zero_point) * w[o][i]). Weights are [out][in] (each output's row
/// contiguous, as TFLite and CMSIS-NN store them); bias may be null.
template <rounding Mode = rounding::double_rounding>
constexpr void fully_connected(std::size_t in, std::size_t out, const std::int8_t* x,
                               std::int32_t input_zero_point, const std::int8_t* w,
                               const std::int32_t* bias, const requantization& rq,
                               std::int8_t* y) noexcept {
  for (std::size_t o = 0; o < out; ++o) {
    std::int32_t acc = bias != nullptr ? bias[o] : 0;
    const std::int8_t* row = w + o * in;
    for (std::size_t i = 0; i < in; ++i)
      acc += (std::int32_t{x[i]} - input_zero_point) * std::int32_t{row[i]};
    y[o] = fixed_point::requantize<Mode>(acc, rq.multipliers[o], rq.output_zero_point, rq.lo,
                                         rq.hi);
  }
}

/// TFLite's int8 Conv2D (per-channel) over channels-last input: weights [F][KH][KW][C] (OHWI),
/// positions in the padding skipped (as if they held the input zero point), bias may be null.
template <rounding Mode = rounding::double_rounding>
constexpr void conv2d(const conv_geometry& g, const std::int8_t* x,
                      std::int32_t input_zero_point, const std::int8_t* w,
                      const std::int32_t* bias, const requantization& rq,
                      std::int8_t* y) noexcept {
  for (std::size_t oy = 0; oy < g.oh; ++oy)
    for (std::size_t ox = 0; ox < g.ow; ++ox)
      for (std::size_t f = 0; f < g.filters; ++f) {
        std::int32_t acc = bias != nullptr ? bias[f] : 0;
        for (std::size_t ky = 0; ky < g.kh; ++ky) {
          std::size_t iy = 0;
          if (!g.input_row(oy, ky, iy)) continue;
          for (std::size_t kx = 0; kx < g.kw; ++kx) {
            std::size_t ix = 0;
            if (!g.input_col(ox, kx, ix)) continue;
            const std::int8_t* px = x + (iy * g.w + ix) * g.c;
            const std::int8_t* pw = w + ((f * g.kh + ky) * g.kw + kx) * g.c;
            for (std::size_t c = 0; c < g.c; ++c)
              acc += (std::int32_t{px[c]} - input_zero_point) * std::int32_t{pw[c]};
          }
        }
        y[(oy * g.ow + ox) * g.filters + f] = fixed_point::requantize<Mode>(
            acc, rq.multipliers[f], rq.output_zero_point, rq.lo, rq.hi);
      }
}

/// TFLite's int8 MaxPool: the largest value of each window's positions inside the input (the
/// output keeps the input's scale and zero point), clamped to [lo, hi].
constexpr void max_pool(const conv_geometry& g, const std::int8_t* x, std::int32_t lo,
                        std::int32_t hi, std::int8_t* y) noexcept {
  for (std::size_t oy = 0; oy < g.oh; ++oy)
    for (std::size_t ox = 0; ox < g.ow; ++ox)
      for (std::size_t c = 0; c < g.c; ++c) {
        std::int32_t best = -128;
        for (std::size_t ky = 0; ky < g.kh; ++ky) {
          std::size_t iy = 0;
          if (!g.input_row(oy, ky, iy)) continue;
          for (std::size_t kx = 0; kx < g.kw; ++kx) {
            std::size_t ix = 0;
            if (!g.input_col(ox, kx, ix)) continue;
            const std::int32_t v = x[(iy * g.w + ix) * g.c + c];
            best = v > best ? v : best;
          }
        }
        best = best < lo ? lo : best > hi ? hi : best;
        y[(oy * g.ow + ox) * g.c + c] = static_cast<std::int8_t>(best);
      }
}

/// TFLite's int8 AveragePool: the sum of each window's positions inside the input divided by
/// their count, rounded half away from zero, clamped to [lo, hi]; scale and zero point kept.
constexpr void average_pool(const conv_geometry& g, const std::int8_t* x, std::int32_t lo,
                            std::int32_t hi, std::int8_t* y) noexcept {
  for (std::size_t oy = 0; oy < g.oh; ++oy)
    for (std::size_t ox = 0; ox < g.ow; ++ox)
      for (std::size_t c = 0; c < g.c; ++c) {
        std::int32_t sum = 0, count = 0;
        for (std::size_t ky = 0; ky < g.kh; ++ky) {
          std::size_t iy = 0;
          if (!g.input_row(oy, ky, iy)) continue;
          for (std::size_t kx = 0; kx < g.kw; ++kx) {
            std::size_t ix = 0;
            if (!g.input_col(ox, kx, ix)) continue;
            sum += x[(iy * g.w + ix) * g.c + c];
            ++count;
          }
        }
        std::int32_t v = count == 0 ? 0
                         : sum > 0  ? (sum + count / 2) / count
                                    : (sum - count / 2) / count;
        v = v < lo ? lo : v > hi ? hi : v;
        y[(oy * g.ow + ox) * g.c + c] = static_cast<std::int8_t>(v);
      }
}

/// y[i] = table(x[i]); in place is fine.
constexpr void apply_table(std::size_t n, const quantization::lookup_table& table, const std::int8_t* x,
                           std::int8_t* y) noexcept {
  for (std::size_t i = 0; i < n; ++i) y[i] = table(x[i]);
}

/// The index of the largest of n int8 values, the first on ties: the class, from the logits,
/// with no softmax (which is monotonic and would not change it).
constexpr std::size_t argmax(std::size_t n, const std::int8_t* x) noexcept {
  std::size_t best = 0;
  for (std::size_t i = 1; i < n; ++i)
    if (x[i] > x[best]) best = i;
  return best;
}

}  // namespace constnn::detail::int8
