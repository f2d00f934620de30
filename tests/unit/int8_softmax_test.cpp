// TFLite's int8 Softmax (detail/int8_kernels.hpp, model/quantize.hpp), the gemmlowp
// fixed-point functions it stands on and the requantization steps of every layer
// (core/fixed_point.hpp), against gemmlowp itself:
// Debian's libgemmlowp-dev, the fixedpoint.h that TFLite's kernels include. The whole
// softmax is checked against TFLite's reference_integer_ops::Softmax composed here from
// gemmlowp's FixedPoint types, its scaling against TFLite's PreprocessSoftmaxScaling and
// CalculateInputRadius written from their definitions with <cmath>, and its probabilities
// against the exact softmax of the dequantized logits.
#define BOOST_TEST_MODULE int8_softmax
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <gemmlowp/fixedpoint/fixedpoint.h>

#include <constnn/core/fixed_point.hpp>
#include <constnn/core/quantization.hpp>
#include <constnn/detail/int8_kernels.hpp>
#include <constnn/model/quantize.hpp>

namespace fp = constnn::fixed_point;
namespace q = constnn::quantization;

namespace {

constexpr std::int32_t int32_min = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t int32_max = std::numeric_limits<std::int32_t>::max();

std::vector<std::int32_t> sample_values(std::uint32_t seed, std::size_t count) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::int32_t> any(int32_min, int32_max);
  std::vector<std::int32_t> v{0, 1, -1, 2, -2, int32_min, int32_max, int32_min + 1, int32_max - 1};
  for (int k = 0; k < 31; ++k) {
    const std::int32_t p = std::int32_t{1} << k;
    v.insert(v.end(), {p, -p, p - 1, -p + 1, p + 1, -p - 1});
  }
  while (v.size() < count) v.push_back(any(rng) >> (rng() % 31));
  return v;
}

template <int E>
void check_multiply_by_pot(const std::vector<std::int32_t>& values) {
  for (const std::int32_t x : values)
    BOOST_REQUIRE_MESSAGE(fp::saturating_rounding_multiply_by_pot<E>(x) ==
                              gemmlowp::SaturatingRoundingMultiplyByPOT<E>(x),
                          "exponent " << E << ", x " << x);
}

// TFLite's QuantizeMultiplier, PreprocessSoftmaxScaling and CalculateInputRadius, as their
// sources define them, in double with <cmath>.
q::softmax_parameters tflite_softmax_scaling(double input_scale) {
  const double real = std::min(input_scale * static_cast<double>(1ll << 26), 2147483647.0);
  int shift = 0;
  const double fraction = std::frexp(real, &shift);
  auto m = static_cast<std::int64_t>(std::round(fraction * static_cast<double>(1ll << 31)));
  if (m == (1ll << 31)) {
    m /= 2;
    ++shift;
  }
  const double radius = 31.0 * static_cast<double>(1ll << 26) / static_cast<double>(1ll << shift);
  return {{static_cast<std::int32_t>(m), shift}, -static_cast<std::int32_t>(std::floor(radius))};
}

// reference_integer_ops::Softmax (int8 in, int8 out), on gemmlowp's types.
std::vector<std::int8_t> tflite_softmax(const std::vector<std::int8_t>& x,
                                        const q::softmax_parameters& p) {
  using scaled_diff = gemmlowp::FixedPoint<std::int32_t, 5>;
  using accumulator = gemmlowp::FixedPoint<std::int32_t, 12>;
  using q0 = gemmlowp::FixedPoint<std::int32_t, 0>;
  const std::int8_t max = *std::max_element(x.begin(), x.end());
  const auto exp_of = [&](std::int32_t diff) {
    const std::int32_t rescaled = gemmlowp::SaturatingRoundingDoublingHighMul(
        diff * (1 << p.input_multiplier.shift), p.input_multiplier.multiplier);
    return gemmlowp::exp_on_negative_values(scaled_diff::FromRaw(rescaled));
  };
  accumulator sum = accumulator::Zero();
  for (const std::int8_t v : x) {
    const std::int32_t diff = std::int32_t{v} - max;
    if (diff >= p.diff_min) sum = sum + gemmlowp::Rescale<12>(exp_of(diff));
  }
  const int headroom_plus_one = __builtin_clz(static_cast<std::uint32_t>(sum.raw()));
  const int num_bits_over_unit = 12 - headroom_plus_one;
  const q0 shifted_scale = gemmlowp::one_over_one_plus_x_for_x_in_0_1(
      q0::FromRaw(static_cast<std::int32_t>((static_cast<std::uint32_t>(sum.raw())
                                             << headroom_plus_one) -
                                            (1u << 31))));
  std::vector<std::int8_t> y(x.size());
  for (std::size_t c = 0; c < x.size(); ++c) {
    const std::int32_t diff = std::int32_t{x[c]} - max;
    if (diff < p.diff_min) {
      y[c] = -128;
      continue;
    }
    const std::int32_t out = gemmlowp::RoundingDivideByPOT((shifted_scale * exp_of(diff)).raw(),
                                                           num_bits_over_unit + 31 - 8) -
                             128;
    y[c] = static_cast<std::int8_t>(std::clamp(out, -128, 127));
  }
  return y;
}

}  // namespace

BOOST_AUTO_TEST_CASE(requantization_primitives_equal_gemmlowp) {
  // The two steps of every layer's requantization, against the library TFLite calls.
  const auto a = sample_values(21, 400000);
  const auto b = sample_values(22, 400000);
  for (std::size_t i = 0; i < a.size(); ++i) {
    BOOST_REQUIRE_EQUAL(fp::saturating_rounding_doubling_high_mul(a[i], b[i]),
                        gemmlowp::SaturatingRoundingDoublingHighMul(a[i], b[i]));
    const int exponent = static_cast<int>(static_cast<std::uint32_t>(b[i]) % 32);
    BOOST_REQUIRE_EQUAL(fp::rounding_divide_by_pot(a[i], exponent),
                        gemmlowp::RoundingDivideByPOT(a[i], exponent));
  }
}

BOOST_AUTO_TEST_CASE(multiply_by_power_of_two_and_half_sum_equal_gemmlowp) {
  const auto values = sample_values(11, 200000);
  check_multiply_by_pot<-12>(values);
  check_multiply_by_pot<-2>(values);
  check_multiply_by_pot<-1>(values);
  check_multiply_by_pot<1>(values);
  check_multiply_by_pot<2>(values);
  check_multiply_by_pot<5>(values);
  const auto others = sample_values(12, 200000);
  for (std::size_t i = 0; i < values.size(); ++i)
    BOOST_REQUIRE_EQUAL(fp::rounding_half_sum(values[i], others[i]),
                        gemmlowp::RoundingHalfSum(values[i], others[i]));
}

BOOST_AUTO_TEST_CASE(exp_on_negative_values_equals_gemmlowp_in_q5_26) {
  // Every value from -2^22 to 0 (the fine structure near 0), then a sweep down to -32 and
  // random values of the whole negative range.
  for (std::int32_t a = -(1 << 22); a <= 0; ++a)
    BOOST_REQUIRE_EQUAL(fp::exp_on_negative_values<5>(a),
                        gemmlowp::exp_on_negative_values(
                            gemmlowp::FixedPoint<std::int32_t, 5>::FromRaw(a)).raw());
  std::mt19937 rng(5);
  std::uniform_int_distribution<std::int32_t> negative(int32_min, 0);
  for (int k = 0; k < 1000000; ++k) {
    const std::int32_t a = k < 500000 ? -(k * 4291) : negative(rng);
    BOOST_REQUIRE_MESSAGE(fp::exp_on_negative_values<5>(a) ==
                              gemmlowp::exp_on_negative_values(
                                  gemmlowp::FixedPoint<std::int32_t, 5>::FromRaw(a)).raw(),
                          "a " << a);
  }
  // And in Q0 (integer bits 0), the other format the template allows.
  for (int k = 0; k < 200000; ++k) {
    const std::int32_t a = negative(rng);
    BOOST_REQUIRE_EQUAL(fp::exp_on_negative_values<0>(a),
                        gemmlowp::exp_on_negative_values(
                            gemmlowp::FixedPoint<std::int32_t, 0>::FromRaw(a)).raw());
  }
}

BOOST_AUTO_TEST_CASE(reciprocal_equals_gemmlowp) {
  std::mt19937 rng(6);
  std::uniform_int_distribution<std::int32_t> unit(0, int32_max);
  for (int k = 0; k < 1000000; ++k) {
    const std::int32_t a = k < 1000 ? k : k < 2000 ? int32_max - (k - 1000) : unit(rng);
    BOOST_REQUIRE_EQUAL(fp::one_over_one_plus_x_for_x_in_0_1(a),
                        gemmlowp::one_over_one_plus_x_for_x_in_0_1(
                            gemmlowp::FixedPoint<std::int32_t, 0>::FromRaw(a)).raw());
  }
}

BOOST_AUTO_TEST_CASE(scaling_equals_tflite_preprocessing) {
  for (const double scale : {0.001, 0.0123, 0.05, 0.0625, 0.1, 0.173, 0.25, 0.5, 1.0, 3.7, 40.0}) {
    const q::softmax_parameters ours = q::softmax_scaling(scale);
    const q::softmax_parameters theirs = tflite_softmax_scaling(scale);
    BOOST_TEST_CONTEXT("scale " << scale) {
      BOOST_TEST(ours.input_multiplier.multiplier == theirs.input_multiplier.multiplier);
      BOOST_TEST(ours.input_multiplier.shift == theirs.input_multiplier.shift);
      BOOST_TEST(ours.diff_min == theirs.diff_min);
    }
  }
}

BOOST_AUTO_TEST_CASE(softmax_equals_tflite_reference_on_random_rows) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(-128, 127);
  std::uniform_real_distribution<double> log_scale(std::log(0.002), std::log(2.0));
  std::size_t rows = 0, saturated = 0;
  for (std::size_t width : {1u, 2u, 3u, 10u, 17u, 40u, 100u, 511u}) {
    for (int r = 0; r < 300; ++r, ++rows) {
      const double scale = std::exp(log_scale(rng));
      const q::softmax_parameters p = q::softmax_scaling(scale);
      std::vector<std::int8_t> x(width), y(width);
      // Some rows spread over the whole byte range, some bunched near their maximum.
      const int spread = r % 3 == 0 ? 256 : r % 3 == 1 ? 24 : 4;
      const int top = byte(rng);
      for (auto& v : x)
        v = static_cast<std::int8_t>(std::max(-128, top - static_cast<int>(rng() % static_cast<unsigned>(spread))));
      BOOST_REQUIRE(constnn::softmax_probabilities(x, p, y));
      const std::vector<std::int8_t> expected = tflite_softmax(x, p);
      BOOST_REQUIRE_MESSAGE(y == expected, "width " << width << ", scale " << scale);
      saturated += std::count(y.begin(), y.end(), std::int8_t{-128}) > 0 ? 1 : 0;
    }
  }
  BOOST_TEST(rows == 8u * 300u);
  BOOST_TEST(saturated > 0u);  // rows whose smallest probabilities are 0 on the grid
}

BOOST_AUTO_TEST_CASE(probabilities_are_the_exact_softmax_on_the_1_over_256_grid) {
  // TFLite's arithmetic approximates exp and 1/x in fixed point; the result stays within one
  // and a half grid steps of the exact probability of the dequantized logits, and the
  // probabilities sum to one within half a step per class.
  std::mt19937 rng(8);
  std::uniform_int_distribution<int> byte(-128, 127);
  double worst = 0;
  for (int r = 0; r < 2000; ++r) {
    const std::size_t width = 2 + static_cast<std::size_t>(r % 20);
    const double scale = 0.01 + 0.3 * static_cast<double>(r % 17) / 17.0;
    const std::int32_t zero_point = byte(rng);
    std::vector<std::int8_t> x(width), y(width);
    for (auto& v : x) v = static_cast<std::int8_t>(byte(rng));
    BOOST_REQUIRE(constnn::softmax_probabilities(x, q::softmax_scaling(scale), y));
    double m = -1e9, sum = 0, total = 0;
    for (const std::int8_t v : x) m = std::max(m, (v - zero_point) * scale);
    for (const std::int8_t v : x) sum += std::exp((v - zero_point) * scale - m);
    for (std::size_t c = 0; c < width; ++c) {
      const double exact = std::exp((x[c] - zero_point) * scale - m) / sum;
      const double ours = q::dequantize(y[c], q::softmax_output);
      worst = std::max(worst, std::abs(exact - ours));
      total += ours;
    }
    BOOST_REQUIRE_LE(std::abs(total - 1.0), 0.5 / 256 * static_cast<double>(width) + 1.0 / 256);
  }
  BOOST_TEST(worst <= 1.5 / 256);
  BOOST_TEST_MESSAGE("largest distance from the exact softmax: " << worst * 256 << " grid steps");
}

BOOST_AUTO_TEST_CASE(softmax_runs_in_constant_expressions) {
  constexpr auto probabilities = [] {
    const std::array<std::int8_t, 4> logits{-20, 10, 40, 40};
    std::array<std::int8_t, 4> y{};
    constnn::softmax_probabilities(logits, q::softmax_scaling(0.1), y);
    return y;
  }();
  // The two largest logits share the mass equally; e^-3 and e^-6 of it go to the others.
  static_assert(probabilities[2] == probabilities[3]);
  static_assert(probabilities[0] < probabilities[1] && probabilities[1] < probabilities[2]);
  const std::vector<std::int8_t> expected =
      tflite_softmax(std::vector<std::int8_t>{-20, 10, 40, 40}, q::softmax_scaling(0.1));
  for (std::size_t c = 0; c < 4; ++c) BOOST_TEST(probabilities[c] == expected[c]);
}
