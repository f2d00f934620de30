// Affine int8 quantization as the TFLite int8 specification defines it: real = scale * (q -
// zero_point). Activations take a scale and a zero point per tensor, q in [-128, 127];
// weights are symmetric (zero point 0) with one scale per output channel, q in [-127, 127];
// biases are int32 with scale s_in * s_w and zero point 0. These are the offline steps of
// post-training quantization; the device sees only the integers and the multipliers.
#pragma once

#include "requirements.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>

#include "fixed_point.hpp"
#include "math.hpp"

namespace constnn::quantization {

/// A tensor's scale and zero point. Scales are float, as a TFLite model stores them, so the
/// multipliers computed from them (in double) are TFLite's.
struct affine {
  float scale = 1;
  std::int32_t zero_point = 0;
  friend constexpr bool operator==(const affine&, const affine&) = default;
};

inline constexpr std::int32_t activation_min = -128;
inline constexpr std::int32_t activation_max = 127;
inline constexpr std::int32_t weight_max = 127;  ///< and -127: symmetric weights skip -128

/// std::round as a constant expression: to nearest, halves away from zero (TFLite's
/// TfLiteRound). |x| below 2^52 (beyond it every double is whole and returned as is).
constexpr double round_half_away(double x) noexcept {
  if (!(x > -4503599627370496.0 && x < 4503599627370496.0)) return x;
  const double magnitude = x < 0 ? -x : x;
  auto whole = static_cast<double>(static_cast<std::int64_t>(magnitude));
  if (magnitude - whole >= 0.5) whole += 1;
  return x < 0 ? -whole : whole;
}

/// The scale and zero point of an activation tensor whose calibrated values lie in [min, max]
/// (TFLite's ChooseQuantizationParams for int8): the range is widened to contain 0, so that
/// zero (padding, ReLU) is exact; scale = (max - min) / 255; of the zero points implied by
/// the two ends, the one with the smaller error, rounded and kept within [-128, 127]. A range
/// of one point (max == min == 0) gets scale 1.
constexpr affine choose_activation_params(double min, double max) noexcept {
  min = min < 0 ? min : 0;
  max = max > 0 ? max : 0;
  if (max == min) return {1.0f, 0};
  const double qmin = activation_min, qmax = activation_max;
  const double scale = (max - min) / (qmax - qmin);
  const double from_min = qmin - min / scale;
  const double from_max = qmax - max / scale;
  const auto abs = [](double v) { return v < 0 ? -v : v; };
  const double from_min_error = abs(qmin) + abs(min / scale);
  const double from_max_error = abs(qmax) + abs(max / scale);
  const double zero_point = from_min_error < from_max_error ? from_min : from_max;
  std::int32_t nudged = 0;
  if (zero_point < qmin) {
    nudged = activation_min;
  } else if (zero_point > qmax) {
    nudged = activation_max;
  } else {
    nudged = static_cast<std::int32_t>(round_half_away(zero_point));
  }
  return {static_cast<float>(scale), nudged};
}

/// The symmetric scale of one output channel whose weights reach `max_abs`: max_abs / 127, or
/// 1 for a channel of zeros (every weight quantizes to 0 whatever the scale).
constexpr float weight_scale(double max_abs) noexcept {
  return max_abs > 0 ? static_cast<float>(max_abs / weight_max) : 1.0f;
}

/// q = round(x / scale) + zero_point, clamped to [lo, hi].
constexpr std::int32_t quantize(double x, affine p, std::int32_t lo = activation_min,
                                std::int32_t hi = activation_max) noexcept {
  const double q = round_half_away(x / static_cast<double>(p.scale)) + p.zero_point;
  return q < lo ? lo : q > hi ? hi : static_cast<std::int32_t>(q);
}

/// A weight of a channel with symmetric scale `scale`, in [-127, 127].
constexpr std::int8_t quantize_weight(double w, float scale) noexcept {
  return static_cast<std::int8_t>(quantize(w, {scale, 0}, -weight_max, weight_max));
}

/// A bias with scale s_in * s_w (zero point 0), saturated to int32.
constexpr std::int32_t quantize_bias(double b, float input_scale, float weight_scale) noexcept {
  const double q =
      round_half_away(b / (static_cast<double>(input_scale) * static_cast<double>(weight_scale)));
  constexpr double lo = std::numeric_limits<std::int32_t>::min();
  constexpr double hi = std::numeric_limits<std::int32_t>::max();
  return q < lo   ? std::numeric_limits<std::int32_t>::min()
         : q > hi ? std::numeric_limits<std::int32_t>::max()
                  : static_cast<std::int32_t>(q);
}

/// The real value of q.
constexpr double dequantize(std::int32_t q, affine p) noexcept {
  return static_cast<double>(p.scale) * (q - p.zero_point);
}

/// The multiplier that takes an accumulator of scale s_in * s_w to the output's scale:
/// M = s_in * s_w / s_out, in double from the float scales (TFLite's
/// GetQuantizedConvolutionMultipler), as a Q31 multiplier and shift.
constexpr fixed_point::quantized_multiplier output_multiplier(
    float input_scale, float weight_scale, float output_scale,
    fixed_point::rounding mode = fixed_point::rounding::double_rounding) {
  return fixed_point::quantize_multiplier(static_cast<double>(input_scale) *
                                              static_cast<double>(weight_scale) /
                                              static_cast<double>(output_scale),
                                          mode);
}

/// A 256-entry table from every int8 input to its int8 output: how int8 networks run sigmoid
/// and tanh (TFLite's LUT kernels).
struct lookup_table {
  std::int8_t values[256] = {};
  constexpr std::int8_t operator()(std::int8_t q) const noexcept {
    return values[static_cast<std::uint8_t>(static_cast<std::int32_t>(q) + 128)];
  }
};

/// The fixed output grids of TFLite's int8 logistic and tanh: [0, 1) in steps of 1/256 and
/// [-1, 1) in steps of 1/128.
inline constexpr affine sigmoid_output{1.0f / 256, -128};
inline constexpr affine tanh_output{1.0f / 128, 0};

/// The table of f from input grid `in` to output grid `out`, as TFLite's LUTPopulate makes
/// it: each input dequantized, transformed, divided by the output scale, rounded half away
/// from zero, offset by the output zero point and clamped. f runs in double with constnn's
/// own exp, so every compiler builds the same table.
template <class F>
constexpr lookup_table make_table(F f, affine in, affine out) noexcept {
  lookup_table t;
  for (std::int32_t q = activation_min; q <= activation_max; ++q) {
    const double y = f(dequantize(q, in));
    const double r = round_half_away(y / static_cast<double>(out.scale)) + out.zero_point;
    const double clamped = r < activation_min   ? activation_min
                           : r > activation_max ? activation_max
                                                : r;
    t.values[q + 128] = static_cast<std::int8_t>(clamped);
  }
  return t;
}

constexpr lookup_table sigmoid_table(affine in) noexcept {
  return make_table([](double x) { return 1 / (1 + math::exp(-x)); }, in, sigmoid_output);
}

constexpr lookup_table tanh_table(affine in) noexcept {
  return make_table([](double x) { return math::tanh(x); }, in, tanh_output);
}


/// TFLite's int8 Softmax output grid: probabilities in steps of 1/256 from -128 (0) to 127.
inline constexpr affine softmax_output{1.0f / 256, -128};

/// What TFLite's int8 Softmax needs of its input's scale (PreprocessSoftmaxScaling and
/// CalculateInputRadius with the Q5.26 exp input): beta * scale * 2^26 as a multiplier and
/// left shift, and the most negative difference from the row's maximum whose exp counts.
struct softmax_parameters {
  fixed_point::quantized_multiplier input_multiplier{};
  std::int32_t diff_min = 0;
  friend constexpr bool operator==(const softmax_parameters&, const softmax_parameters&) = default;
};
inline constexpr int softmax_input_integer_bits = 5;  ///< TFLite's kScaledDiffIntegerBits

constexpr softmax_parameters softmax_scaling(double input_scale, double beta = 1.0) noexcept {
  constexpr double max_multiplier = 2147483647.0;
  double m = beta * input_scale * static_cast<double>(1ll << (31 - softmax_input_integer_bits));
  m = m < max_multiplier ? m : max_multiplier;
  softmax_parameters p;
  // QuantizeMultiplierGreaterThanOne: TFLite requires a left shift, i.e. m above one.
  if (!CONSTNN_EXPECT(m > 1.0, "softmax_scaling: beta * input scale * 2^26 must exceed 1"))
    return p;
  p.input_multiplier = fixed_point::quantize_multiplier(m);
  // floor(31 * 2^26 / 2^shift): the result is exact in double and positive, so a cast floors.
  const double radius = static_cast<double>((1ll << softmax_input_integer_bits) - 1) *
                        static_cast<double>(1ll << (31 - softmax_input_integer_bits)) /
                        static_cast<double>(1ll << p.input_multiplier.shift);
  p.diff_min = -static_cast<std::int32_t>(radius);
  return p;
}

}  // namespace constnn::quantization
