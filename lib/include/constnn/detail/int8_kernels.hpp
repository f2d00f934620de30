// The int8 primitives in their portable, constexpr form: the TFLite int8 reference kernels'
// arithmetic, which a backend (Cortex-M DSP, x86) may speed up but must reproduce bit for bit;
// not API. Activations are int8 with a zero point per tensor; weights int8 with one
// requantization multiplier per output channel; accumulation in int32.
#pragma once

#include "../core/requirements.hpp"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../core/fixed_point.hpp"
#include "../core/numeric.hpp"
#include "../core/quantization.hpp"
#include "conv_geometry.hpp"
#include "int8_kernels_arm.hpp"

namespace constnn::detail::s8 {

using constnn::detail::load_i32;
using constnn::detail::store_i32;

using fixed_point::quantized_multiplier;
using fixed_point::rounding;

/// Where one layer's outputs go (TFLite's int8 output stage): the output zero point and the
/// clamp range (the activation's: [-128, 127], or [zero point, 127] for a folded ReLU).
struct output_stage {
  std::int32_t zero_point = 0;
  std::int32_t lo = -128;
  std::int32_t hi = 127;
};

/// One output channel's int32 bias (scale s_in * s_w) and its multiplier M = s_in s_w / s_out.
struct channel_requantization {
  std::int32_t bias = 0;
  quantized_multiplier multiplier{};
};

/// Channels held in arrays: biases (or none) and multipliers.
struct channel_arrays {
  const std::int32_t* bias = nullptr;
  const quantized_multiplier* multipliers = nullptr;
  constexpr channel_requantization operator()(std::size_t c) const noexcept {
    return {bias != nullptr ? bias[c] : 0, multipliers[c]};
  }
};

/// The bytes of a layer with weights in an int8 network (dense, conv2d, conv1d), as the
/// parameters hold them: four int32 (input zero point, output zero point, clamp low, clamp
/// high), the int8 weights (output channel by output channel), then per output channel its
/// int32 bias, then the multipliers and the shifts (int32 each); every int32 as four bytes,
/// least significant first (core/numeric.hpp).
struct packed_layer {
  static constexpr std::size_t header_bytes = 16;
  const std::int8_t* p = nullptr;
  std::size_t weight_count = 0;
  std::size_t channels = 0;

  static constexpr std::size_t bytes(std::size_t weight_count, std::size_t channels) noexcept {
    return header_bytes + weight_count + 12 * channels;
  }
  /// Writes the zero points and the clamp of a layer's int8 form at out.
  static constexpr void write_header(std::int8_t* out, std::int32_t input_zero_point,
                                     const output_stage& os) noexcept {
    store_i32(out, input_zero_point);
    store_i32(out + 4, os.zero_point);
    store_i32(out + 8, os.lo);
    store_i32(out + 12, os.hi);
  }
  /// Writes output channel c's bias and multiplier of a layer with weight_count weights.
  static constexpr void write_channel(std::int8_t* out, std::size_t weight_count,
                                      std::size_t channels, std::size_t c,
                                      const channel_requantization& ch) noexcept {
    std::int8_t* q = out + header_bytes + weight_count;
    store_i32(q + 4 * c, ch.bias);
    store_i32(q + 4 * (channels + c), ch.multiplier.multiplier);
    store_i32(q + 4 * (2 * channels + c), ch.multiplier.shift);
  }
  /// Writes a whole layer's int8 form at out (bytes(weight_count, channels) of them).
  static constexpr void write(std::int8_t* out, std::int32_t input_zero_point,
                              const output_stage& os, const std::int8_t* weights,
                              std::size_t weight_count, const std::int32_t* bias,
                              const quantized_multiplier* multipliers,
                              std::size_t channels) noexcept {
    write_header(out, input_zero_point, os);
    for (std::size_t k = 0; k < weight_count; ++k) out[header_bytes + k] = weights[k];
    for (std::size_t c = 0; c < channels; ++c)
      write_channel(out, weight_count, channels, c, {bias[c], multipliers[c]});
  }
  constexpr std::int32_t input_zero_point() const noexcept { return load_i32(p); }
  constexpr output_stage output() const noexcept {
    return {load_i32(p + 4), load_i32(p + 8), load_i32(p + 12)};
  }
  constexpr const std::int8_t* weights() const noexcept { return p + header_bytes; }
  constexpr channel_requantization operator()(std::size_t c) const noexcept {
    const std::int8_t* q = p + header_bytes + weight_count;
    return {
        load_i32(q + 4 * c),
        {load_i32(q + 4 * (channels + c)), static_cast<int>(load_i32(q + 4 * (2 * channels + c)))}};
  }
};

/// Post-training quantization of a layer with weights whose float parameters are weights
/// [K][C], the output channel last (dense [In][Out], conv HWIO), then biases [C]: each channel's
/// weights symmetric int8 with scale max|w| / 127 (or weight_scales[c] when given: a model
/// quantized elsewhere), transposed to [C][K]; its bias int32 with scale s_x * s_w; its
/// multiplier s_x s_w / s_y; the input's and the output's zero points and the full clamp range.
template <class T>
constexpr void quantize_weighted(const T* p, std::size_t per_channel, std::size_t channels,
                                 quantization::affine x, quantization::affine y, rounding mode,
                                 std::int8_t* out,
                                 const float* weight_scales = nullptr) noexcept {
  const std::size_t weight_count = per_channel * channels;
  packed_layer::write_header(out, x.zero_point, {y.zero_point});
  std::int8_t* w = out + packed_layer::header_bytes;
  for (std::size_t c = 0; c < channels; ++c) {
    double max_abs = 0;
    for (std::size_t k = 0; k < per_channel; ++k) {
      const double v = static_cast<double>(p[k * channels + c]);
      max_abs = (v < 0 ? -v : v) > max_abs ? (v < 0 ? -v : v) : max_abs;
    }
    const float s =
        weight_scales != nullptr ? weight_scales[c] : quantization::weight_scale(max_abs);
    for (std::size_t k = 0; k < per_channel; ++k)
      w[c * per_channel + k] =
          quantization::quantize_weight(static_cast<double>(p[k * channels + c]), s);
    const std::int32_t bias =
        quantization::quantize_bias(static_cast<double>(p[weight_count + c]), x.scale, s);
    packed_layer::write_channel(out, weight_count, channels, c,
                                {bias, quantization::output_multiplier(x.scale, s, y.scale, mode)});
  }
}

/// TFLite's int8 FullyConnected with per-channel scales: y[o] = requantize(bias[o] +
/// sum_i (x[i] - input_zero_point) * w[o][i]). Weights are [out][in] (each output's row
/// contiguous, as TFLite and CMSIS-NN store them); channels(o) gives bias and multiplier.
template <rounding Mode = rounding::double_rounding, class Channels>
constexpr void fully_connected(std::size_t in, std::size_t out, const std::int8_t* x,
                               std::int32_t input_zero_point, const std::int8_t* w,
                               const Channels& channels, const output_stage& os,
                               std::int8_t* y) noexcept {
#if CONSTNN_INT8_ARM_KERNELS
  if (!std::is_constant_evaluated() &&
      arm::fully_connected<Mode>(in, out, x, input_zero_point, w, channels, os, y))
    return;
#endif
  for (std::size_t o = 0; o < out; ++o) {
    const channel_requantization ch = channels(o);
    std::int32_t acc = ch.bias;
    const std::int8_t* row = w + o * in;
    for (std::size_t i = 0; i < in; ++i)
      acc += (std::int32_t{x[i]} - input_zero_point) * std::int32_t{row[i]};
    y[o] = fixed_point::requantize<Mode>(acc, ch.multiplier, os.zero_point, os.lo, os.hi);
  }
}

// f(at, ky, kx) for each position of output (oy, ox)'s window that lies inside the input (the
// padding is skipped), `at` the offset of that input pixel.
template <class F>
constexpr void for_each_in_window(const conv_geometry& g, std::size_t oy, std::size_t ox,
                                  F&& f) noexcept {
  for (std::size_t ky = 0; ky < g.kh; ++ky) {
    std::size_t iy = 0;
    if (!g.input_row(oy, ky, iy)) continue;
    for (std::size_t kx = 0; kx < g.kw; ++kx) {
      std::size_t ix = 0;
      if (g.input_col(ox, kx, ix)) f((iy * g.w + ix) * g.c, ky, kx);
    }
  }
}

/// TFLite's int8 Conv2D (per-channel) over channels-last input: weights [F][KH][KW][C] (OHWI),
/// positions in the padding skipped (as if they held the input zero point).
template <rounding Mode = rounding::double_rounding, class Channels>
constexpr void conv2d(const conv_geometry& g, const std::int8_t* x, std::int32_t input_zero_point,
                      const std::int8_t* w, const Channels& channels, const output_stage& os,
                      std::int8_t* y) noexcept {
#if CONSTNN_INT8_PAIRS_KERNELS
  // On the M55 only a first layer's padded rows, where its vector loop is weakest.
  if (!std::is_constant_evaluated() && (CONSTNN_INT8_DSP_KERNELS || (g.kw * g.c) % 4 != 0) &&
      pairs::conv2d<Mode>(g, x, input_zero_point, w, channels, os, y))
    return;
#endif
#if CONSTNN_INT8_ARM_KERNELS
  if (!std::is_constant_evaluated() &&
      arm::conv2d<Mode>(g, x, input_zero_point, w, channels, os, y))
    return;
#endif
  for (std::size_t oy = 0; oy < g.oh; ++oy)
    for (std::size_t ox = 0; ox < g.ow; ++ox)
      for (std::size_t f = 0; f < g.filters; ++f) {
        const channel_requantization ch = channels(f);
        std::int32_t acc = ch.bias;
        for_each_in_window(g, oy, ox, [&](std::size_t at, std::size_t ky, std::size_t kx) {
          const std::int8_t* pw = w + ((f * g.kh + ky) * g.kw + kx) * g.c;
          for (std::size_t c = 0; c < g.c; ++c)
            acc += (std::int32_t{x[at + c]} - input_zero_point) * std::int32_t{pw[c]};
        });
        y[(oy * g.ow + ox) * g.filters + f] =
            fixed_point::requantize<Mode>(acc, ch.multiplier, os.zero_point, os.lo, os.hi);
      }
}

/// TFLite's int8 MaxPool: the largest value of each window's positions inside the input; the
/// output keeps the input's scale and zero point.
constexpr void max_pool(const conv_geometry& g, const std::int8_t* x, std::int8_t* y) noexcept {
  for (std::size_t oy = 0; oy < g.oh; ++oy)
    for (std::size_t ox = 0; ox < g.ow; ++ox)
      for (std::size_t c = 0; c < g.c; ++c) {
        std::int8_t best = -128;
        for_each_in_window(g, oy, ox, [&](std::size_t at, std::size_t, std::size_t) {
          best = x[at + c] > best ? x[at + c] : best;
        });
        y[(oy * g.ow + ox) * g.c + c] = best;
      }
}

/// TFLite's int8 AveragePool: the sum of each window's positions inside the input divided by
/// their count, rounded half away from zero; scale and zero point kept.
constexpr void average_pool(const conv_geometry& g, const std::int8_t* x, std::int8_t* y) noexcept {
  for (std::size_t oy = 0; oy < g.oh; ++oy)
    for (std::size_t ox = 0; ox < g.ow; ++ox)
      for (std::size_t c = 0; c < g.c; ++c) {
        std::int32_t sum = 0, count = 0;
        for_each_in_window(g, oy, ox, [&](std::size_t at, std::size_t, std::size_t) {
          sum += x[at + c];
          ++count;
        });
        // A mean of int8 values is an int8 value: no clamp is needed.
        y[(oy * g.ow + ox) * g.c + c] =
            static_cast<std::int8_t>(count == 0 ? 0
                                     : sum > 0  ? (sum + count / 2) / count
                                                : (sum - count / 2) / count);
      }
}

/// y[i] = table(x[i]); in place is fine.
constexpr void apply_table(std::size_t n, const std::int8_t* table, const std::int8_t* x,
                           std::int8_t* y) noexcept {
  for (std::size_t i = 0; i < n; ++i)
    y[i] = table[static_cast<std::size_t>(std::int32_t{x[i]} + 128)];
}

/// TFLite's int8 Softmax (reference_integer_ops::Softmax) over n logits: each difference
/// from the maximum, rescaled to Q5.26, through gemmlowp's exp; the sum of those in Q12, its
/// reciprocal (GetReciprocal), and each probability rounded onto the 1/256 grid with zero
/// point -128. Differences below diff_min count as exp = 0 and give -128.
/// n is at most 511: beyond, the sum can reach 2^28 and the final shift would exceed 31
/// (undefined in TFLite's code too).
inline constexpr std::size_t softmax_max_width = 511;
constexpr void softmax(std::size_t n, const std::int8_t* x,
                       const quantization::softmax_parameters& p, std::int8_t* y) noexcept {
  namespace fp = fixed_point;
  constexpr int accumulation_integer_bits = 12;
  std::int32_t max = -128;
  for (std::size_t c = 0; c < n; ++c) max = x[c] > max ? x[c] : max;
  const auto scaled_exp = [&](std::int32_t diff) {
    // MultiplyByQuantizedMultiplierGreaterThanOne; diff_min keeps diff * 2^shift in int32.
    const std::int32_t rescaled = fp::saturating_rounding_doubling_high_mul(
        diff * (std::int32_t{1} << p.input_multiplier.shift), p.input_multiplier.multiplier);
    return fp::exp_on_negative_values<quantization::softmax_input_integer_bits>(rescaled);
  };
  std::int32_t sum = 0;  // Q12
  for (std::size_t c = 0; c < n; ++c) {
    const std::int32_t diff = std::int32_t{x[c]} - max;
    if (diff >= p.diff_min)
      sum = fp::detail::wrapping_add(
          sum, fp::saturating_rounding_multiply_by_pot<-accumulation_integer_bits>(scaled_exp(diff)));
  }
  // GetReciprocal: 1 / sum = (1 / (1 + s)) * 2^-k with sum = (1 + s) 2^k, s in [0, 1).
  const int headroom_plus_one = std::countl_zero(static_cast<std::uint32_t>(sum));
  const int num_bits_over_unit = accumulation_integer_bits - headroom_plus_one;
  const auto shifted_sum_minus_one = static_cast<std::int32_t>(
      (static_cast<std::uint32_t>(sum) << headroom_plus_one) - (std::uint32_t{1} << 31));
  const std::int32_t shifted_scale = fp::one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one);
  for (std::size_t c = 0; c < n; ++c) {
    const std::int32_t diff = std::int32_t{x[c]} - max;
    if (diff < p.diff_min) {
      y[c] = -128;
      continue;
    }
    const std::int32_t v =
        fp::rounding_divide_by_pot(fp::saturating_rounding_doubling_high_mul(shifted_scale,
                                                                             scaled_exp(diff)),
                                   num_bits_over_unit + 31 - 8) -
        128;
    y[c] = static_cast<std::int8_t>(v < -128 ? -128 : v > 127 ? 127 : v);
  }
}

/// The index of the largest of n int8 values, the first on ties: the class, from the logits,
/// with no softmax (which is monotonic and would not change it).
constexpr std::size_t argmax(std::size_t n, const std::int8_t* x) noexcept {
  std::size_t best = 0;
  for (std::size_t i = 1; i < n; ++i)
    if (x[i] > x[best]) best = i;
  return best;
}

}  // namespace constnn::detail::s8
