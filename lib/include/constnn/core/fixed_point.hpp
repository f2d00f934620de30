// The integer arithmetic of int8 inference, as the TFLite int8 quantization specification
// defines it (gemmlowp's fixed-point rules, which TFLite Micro and CMSIS-NN implement): a real
// multiplier M as a Q31 value and a power of two, and the roundings that apply it to an int32
// accumulator. Every function is constexpr and gives the same bits on every target.
#pragma once

#include "requirements.hpp"

#include "check.hpp"

#include <bit>
#include <cstdint>
#include <limits>

namespace constnn::fixed_point {

/// How a requantization rounds (TFLite's two compile-time variants of
/// MultiplyByQuantizedMultiplier).
enum class rounding {
  /// TFLite's default (and CMSIS-NN's arm_nn_requantize without CMSIS_NN_USE_SINGLE_ROUNDING):
  /// round the Q31 product (SaturatingRoundingDoublingHighMul), then round the shift
  /// (RoundingDivideByPOT). Left shifts are applied to the input first.
  double_rounding,
  /// TFLITE_SINGLE_ROUNDING: one 64-bit product and one rounding shift, ties toward +inf.
  single_rounding,
};

/// gemmlowp's SaturatingRoundingDoublingHighMul: the high 32 bits of 2 a b, rounded to
/// nearest with ties toward +infinity (the nudge is 2^30 for a non-negative product and
/// 1 - 2^30 for a negative one, then the division truncates toward zero). The one product
/// that overflows, INT32_MIN * INT32_MIN, saturates to INT32_MAX.
constexpr std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a,
                                                             std::int32_t b) noexcept {
  constexpr std::int32_t min = std::numeric_limits<std::int32_t>::min();
  if (a == min && b == min) return std::numeric_limits<std::int32_t>::max();
  // gemmlowp writes (ab + nudge) / 2^31, truncated toward zero. For ab < 0 that is
  // ceil((ab + 1 - 2^30) / 2^31) = floor((ab + 2^30) / 2^31), the same as for ab >= 0: one
  // addition and an arithmetic shift, with no 64-bit division on a 32-bit core.
  const std::int64_t ab = std::int64_t{a} * std::int64_t{b};
  return static_cast<std::int32_t>((ab + (std::int64_t{1} << 30)) >> 31);
}

/// gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero,
/// for exponent in [0, 31]. The shift of a negative value is arithmetic (C++20).
constexpr std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) noexcept {
  // In 32 bits: 2^31 - 1 at most.
  const auto mask = static_cast<std::int32_t>((std::uint32_t{1} << exponent) - 1u);
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/// A real multiplier M = multiplier * 2^(shift - 31), multiplier a Q31 value in [2^30, 2^31)
/// (or 0 for M = 0). shift > 0 multiplies first (a left shift), shift < 0 divides after.
struct quantized_multiplier {
  std::int32_t multiplier = 0;
  int shift = 0;
  friend constexpr bool operator==(const quantized_multiplier&,
                                   const quantized_multiplier&) = default;
};

namespace detail {

// frexp for a finite positive double, as a constant expression: m = fraction * 2^exponent
// with fraction in [0.5, 1). Subnormals are normalised first.
struct split_double {
  double fraction;
  int exponent;
};
constexpr split_double frexp_positive(double m) noexcept {
  std::uint64_t bits = std::bit_cast<std::uint64_t>(m);
  int exponent = static_cast<int>((bits >> 52) & 0x7ff);
  int extra = 0;
  if (exponent == 0) {  // subnormal: scale by 2^64 (exact), then as a normal number
    bits = std::bit_cast<std::uint64_t>(m * 18446744073709551616.0);
    exponent = static_cast<int>((bits >> 52) & 0x7ff);
    extra = -64;
  }
  // Exponent field 1022 makes a value in [0.5, 1).
  const std::uint64_t fraction_bits =
      (bits & ~(std::uint64_t{0x7ff} << 52)) | (std::uint64_t{1022} << 52);
  return {std::bit_cast<double>(fraction_bits), exponent - 1022 + extra};
}

}  // namespace detail

/// TFLite's QuantizeMultiplier: M >= 0 (finite) as a Q31 multiplier and a shift. The
/// fraction of frexp(M) times 2^31 is rounded half away from zero (std::round); a fraction
/// that rounds up to 2^31 becomes 2^30 with the shift one larger. A multiplier below 2^-32
/// (shift < -31) is 0. With single rounding, TFLite also caps the shift at 30 (the multiplier
/// then saturates at 2^31 - 1), so that 31 - shift stays a valid right shift.
constexpr quantized_multiplier quantize_multiplier(double m,
                                                   rounding mode = rounding::double_rounding) {
  if (!CONSTNN_EXPECT(m >= 0 && m <= std::numeric_limits<double>::max(),
                      "quantize_multiplier: the multiplier must be finite and not negative") ||
      m == 0)
    return {};
  const auto [fraction, exponent] = detail::frexp_positive(m);
  int shift = exponent;
  // fraction * 2^31 is exact (a power-of-two scaling) and below 2^31, so adding one half is
  // exact too: floor(v + 0.5) is round-half-away-from-zero for this positive v.
  const double scaled = fraction * 2147483648.0;
  auto q = static_cast<std::int64_t>(scaled + 0.5);
  if (q == (std::int64_t{1} << 31)) {
    q /= 2;
    ++shift;
  }
  if (shift < -31) return {};
  if (mode == rounding::single_rounding && shift > 30)
    return {std::numeric_limits<std::int32_t>::max(), 30};
  return {static_cast<std::int32_t>(q), shift};
}

/// TFLite's MultiplyByQuantizedMultiplier: round(x * M) in the chosen rounding. With double
/// rounding, x * 2^shift for shift > 0 must fit in int32 (TFLite's requirement too); with
/// single rounding the shift lies in [-31, 30] and the result must fit in int32.
template <rounding Mode = rounding::double_rounding>
constexpr std::int32_t multiply_by_quantized_multiplier(std::int32_t x,
                                                        quantized_multiplier m) noexcept {
  if constexpr (Mode == rounding::double_rounding) {
    const int left_shift = m.shift > 0 ? m.shift : 0;
    const int right_shift = m.shift > 0 ? 0 : -m.shift;
    // In 64 bits, then wrapped as TFLite's int32 product would be; callers keep it in range.
    const auto shifted =
        static_cast<std::int32_t>(std::int64_t{x} * (std::int64_t{1} << left_shift));
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, m.multiplier),
                                  right_shift);
  } else {
    const int total_shift = 31 - m.shift;
    const std::int64_t round = std::int64_t{1} << (total_shift - 1);
    // An arithmetic right shift: ties go toward +infinity.
    return static_cast<std::int32_t>((std::int64_t{x} * m.multiplier + round) >> total_shift);
  }
}

/// The whole requantization of an int32 accumulator to an int8 output (TFLite's int8 conv and
/// fully connected kernels): scale by M = s_in * s_w / s_out, add the output zero point,
/// clamp to [lo, hi] (the activation's range: [-128, 127], or [zero point, 127] for a folded
/// ReLU).
template <rounding Mode = rounding::double_rounding>
constexpr std::int8_t requantize(std::int32_t accumulator, quantized_multiplier m,
                                 std::int32_t output_zero_point, std::int32_t lo = -128,
                                 std::int32_t hi = 127) noexcept {
  std::int32_t v = multiply_by_quantized_multiplier<Mode>(accumulator, m) + output_zero_point;
  v = v < lo ? lo : v;
  v = v > hi ? hi : v;
  return static_cast<std::int8_t>(v);
}


// gemmlowp's fixed-point exp and reciprocal, which TFLite's int8 Softmax is built on. A Qm
// value has m integer bits: raw / 2^(31 - m). Sums wrap as gemmlowp's int32 additions do;
// the product of a Qa and a Qb value is a Q(a + b) value, raw
// SaturatingRoundingDoublingHighMul.
namespace detail {
constexpr std::int32_t wrapping_add(std::int32_t a, std::int32_t b) noexcept {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}
constexpr std::int32_t wrapping_sub(std::int32_t a, std::int32_t b) noexcept {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) - static_cast<std::uint32_t>(b));
}
}  // namespace detail

/// gemmlowp's SaturatingRoundingMultiplyByPOT: x * 2^Exponent, a left shift that saturates
/// (beyond +-(2^(31 - Exponent) - 1)) or a rounding right shift (RoundingDivideByPOT).
template <int Exponent>
constexpr std::int32_t saturating_rounding_multiply_by_pot(std::int32_t x) noexcept {
  static_assert(Exponent > -32 && Exponent < 32);
  if constexpr (Exponent == 0) {
    return x;
  } else if constexpr (Exponent > 0) {
    constexpr std::int32_t threshold = (std::int32_t{1} << (31 - Exponent)) - 1;
    if (x > threshold) return std::numeric_limits<std::int32_t>::max();
    if (x < -threshold) return std::numeric_limits<std::int32_t>::min();
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << Exponent);
  } else {
    return rounding_divide_by_pot(x, -Exponent);
  }
}

/// gemmlowp's RoundingHalfSum: (a + b) / 2 rounded to nearest, halves away from zero.
constexpr std::int32_t rounding_half_sum(std::int32_t a, std::int32_t b) noexcept {
  const std::int64_t sum = std::int64_t{a} + std::int64_t{b};
  return static_cast<std::int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/// gemmlowp's exp_on_interval_between_negative_one_quarter_and_0_excl: exp(a) for a Q0 value
/// a in [-1/4, 0), a Taylor expansion around -1/8; Q0 result.
constexpr std::int32_t exp_on_interval_between_negative_one_quarter_and_0_excl(
    std::int32_t a) noexcept {
  using detail::wrapping_add;
  constexpr std::int32_t exp_minus_one_eighth = 1895147668;  // exp(-1/8) in Q0
  constexpr std::int32_t one_third = 715827883;               // 1/3 in Q0
  const std::int32_t x = wrapping_add(a, std::int32_t{1} << 28);  // a + 1/8
  const std::int32_t x2 = saturating_rounding_doubling_high_mul(x, x);
  const std::int32_t x3 = saturating_rounding_doubling_high_mul(x2, x);
  const std::int32_t x4 = saturating_rounding_doubling_high_mul(x2, x2);
  const std::int32_t x4_over_4 = saturating_rounding_multiply_by_pot<-2>(x4);
  const std::int32_t poly = saturating_rounding_multiply_by_pot<-1>(wrapping_add(
      saturating_rounding_doubling_high_mul(wrapping_add(x4_over_4, x3), one_third), x2));
  return wrapping_add(exp_minus_one_eighth,
                      saturating_rounding_doubling_high_mul(exp_minus_one_eighth,
                                                            wrapping_add(x, poly)));
}

/// gemmlowp's exp_on_negative_values: exp(a) for a Q(IntegerBits) value a <= 0, as a Q0
/// value: exp of a's part in [-1/4, 0), times exp(-2^k) for each bit k of the rest; 1 (the
/// largest Q0 value) for a = 0.
template <int IntegerBits>
constexpr std::int32_t exp_on_negative_values(std::int32_t a) noexcept {
  static_assert(IntegerBits >= 0 && IntegerBits <= 5,
                "TFLite's softmax uses Q5.26; larger formats need gemmlowp's clamp at -32");
  using detail::wrapping_sub;
  constexpr int fractional_bits = 31 - IntegerBits;
  constexpr std::int32_t one_quarter = std::int32_t{1} << (fractional_bits - 2);
  const std::int32_t a_mod_quarter_minus_one_quarter =
      wrapping_sub(a & (one_quarter - 1), one_quarter);
  std::int32_t result = exp_on_interval_between_negative_one_quarter_and_0_excl(
      saturating_rounding_multiply_by_pot<IntegerBits>(a_mod_quarter_minus_one_quarter));
  const std::int32_t remainder = wrapping_sub(a_mod_quarter_minus_one_quarter, a);
  // exp(-2^k) in Q0 for k = -2 ... 4; a bit k exists only below the format's integer bits.
  constexpr std::int32_t exp_of_minus_power_of_two[7] = {1672461947, 1302514674, 790015084,
                                                         290630308,  39332535,   720401,
                                                         242};
  for (int k = -2; k <= 4; ++k)
    if (IntegerBits > k && (remainder & (std::int32_t{1} << (fractional_bits + k))) != 0)
      result = saturating_rounding_doubling_high_mul(result, exp_of_minus_power_of_two[k + 2]);
  return a == 0 ? std::numeric_limits<std::int32_t>::max() : result;
}

/// gemmlowp's one_over_one_plus_x_for_x_in_0_1: 1 / (1 + a) for a Q0 value a in [0, 1),
/// by three Newton-Raphson steps from 48/17 - 32/17 d (d = (1 + a) / 2, in Q2); Q0 result.
constexpr std::int32_t one_over_one_plus_x_for_x_in_0_1(std::int32_t a) noexcept {
  using detail::wrapping_add;
  using detail::wrapping_sub;
  constexpr std::int32_t q0_one = std::numeric_limits<std::int32_t>::max();
  constexpr std::int32_t q2_one = std::int32_t{1} << 29;
  constexpr std::int32_t forty_eight_over_17 = 1515870810;       // Q2
  constexpr std::int32_t minus_thirty_two_over_17 = -1010580540;  // Q2
  const std::int32_t half_denominator = rounding_half_sum(a, q0_one);
  std::int32_t x = wrapping_add(
      forty_eight_over_17,
      saturating_rounding_doubling_high_mul(half_denominator, minus_thirty_two_over_17));
  for (int i = 0; i < 3; ++i) {
    const std::int32_t one_minus_half_denominator_times_x =
        wrapping_sub(q2_one, saturating_rounding_doubling_high_mul(half_denominator, x));
    // x * (1 - d x) is a Q4 value, brought back to Q2.
    x = wrapping_add(x, saturating_rounding_multiply_by_pot<2>(saturating_rounding_doubling_high_mul(
                            x, one_minus_half_denominator_times_x)));
  }
  // x / 2 (the same bits read as Q1), brought to Q0.
  return saturating_rounding_multiply_by_pot<1>(x);
}

}  // namespace constnn::fixed_point
