// The int8 requantization arithmetic (core/fixed_point.hpp) against hand-computed cases at the
// rounding edges, and against references written here from the specification's definitions
// in exact 128-bit arithmetic (round to nearest of the exact rational value), not from the
// library's int64 formulas.
#define BOOST_TEST_MODULE fixed_point
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include <constnn/core/fixed_point.hpp>
#include <constnn/detail/one_step_requantizer.hpp>

namespace fp = constnn::fixed_point;
using fp::rounding;

namespace {

constexpr std::int32_t int32_min = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t int32_max = std::numeric_limits<std::int32_t>::max();
__extension__ using wide = __int128;  // GCC and clang; exact products of two int32 and more

// floor(n / d) for d > 0, whatever the sign of n.
wide floor_div(wide n, wide d) {
  const wide q = n / d;
  return (n % d != 0 && n < 0) ? q - 1 : q;
}

// The value 2ab / 2^32 = ab / 2^31, rounded to nearest with ties toward +infinity, saturated.
std::int32_t reference_high_mul(std::int32_t a, std::int32_t b) {
  const wide r = floor_div(wide{a} * b + (wide{1} << 30), wide{1} << 31);
  return r > int32_max ? int32_max : static_cast<std::int32_t>(r);
}

// x / 2^e rounded to nearest, ties away from zero.
std::int32_t reference_divide_by_pot(std::int32_t x, int e) {
  if (e == 0) return x;
  const wide magnitude = x < 0 ? -wide{x} : wide{x};
  const wide r = floor_div(magnitude + (wide{1} << (e - 1)), wide{1} << e);
  return static_cast<std::int32_t>(x < 0 ? -r : r);
}

// One rounding of x * q / 2^(31 - shift): to nearest, ties toward +infinity.
std::int32_t reference_single(std::int32_t x, fp::quantized_multiplier m) {
  const int total = 31 - m.shift;
  return static_cast<std::int32_t>(
      floor_div(wide{x} * m.multiplier + (wide{1} << (total - 1)), wide{1} << total));
}

// TFLite's QuantizeMultiplier as its source writes it, with <cmath>'s frexp and round.
fp::quantized_multiplier reference_quantize(double m, rounding mode) {
  if (m == 0) return {};
  int shift = 0;
  const double q = std::frexp(m, &shift);
  auto q_fixed = static_cast<std::int64_t>(std::round(q * (std::int64_t{1} << 31)));
  if (q_fixed == (std::int64_t{1} << 31)) {
    q_fixed /= 2;
    ++shift;
  }
  if (shift < -31) return {};
  if (mode == rounding::single_rounding && shift > 30) return {int32_max, 30};
  return {static_cast<std::int32_t>(q_fixed), shift};
}

}  // namespace

// Usable in constant expressions: header tables of multipliers are computed at compile time.
static_assert(fp::saturating_rounding_doubling_high_mul(3, 1 << 30) == 2);
static_assert(fp::rounding_divide_by_pot(-5, 1) == -3);
static_assert(fp::quantize_multiplier(0.75) == fp::quantized_multiplier{1610612736, 0});
static_assert(fp::requantize(1000, fp::quantize_multiplier(0.01), -5) == 5);

BOOST_AUTO_TEST_CASE(doubling_high_mul_rounds_ties_up_and_saturates_the_one_overflow) {
  const auto f = fp::saturating_rounding_doubling_high_mul;
  BOOST_TEST(f(int32_min, int32_min) == int32_max);  // 2^62 / 2^31 = 2^31 does not fit
  BOOST_TEST(f(int32_min, 1) == -1);                 // exactly -1
  BOOST_TEST(f(int32_min, int32_max) == -2147483647);
  BOOST_TEST(f(int32_max, int32_max) == 2147483646);  // 2^31 - 2 + 2^-31
  BOOST_TEST(f(1 << 30, 1 << 30) == (1 << 29));
  BOOST_TEST(f(1, 1 << 30) == 1);    //  0.5 -> 1
  BOOST_TEST(f(-1, 1 << 30) == 0);   // -0.5 -> 0: ties toward +infinity
  BOOST_TEST(f(3, 1 << 30) == 2);    //  1.5 -> 2
  BOOST_TEST(f(-3, 1 << 30) == -1);  // -1.5 -> -1
  BOOST_TEST(f(-3, 3 << 28) == -1);  // -1.125 -> -1
  BOOST_TEST(f(-5, 3 << 28) == -2);  // -1.875 -> -2
  BOOST_TEST(f(0, int32_min) == 0);
}

BOOST_AUTO_TEST_CASE(divide_by_power_of_two_rounds_ties_away_from_zero_for_shifts_0_to_31) {
  const auto f = fp::rounding_divide_by_pot;
  BOOST_TEST(f(5, 1) == 3);
  BOOST_TEST(f(-5, 1) == -3);
  BOOST_TEST(f(4, 1) == 2);
  BOOST_TEST(f(-4, 1) == -2);
  BOOST_TEST(f(-1, 1) == -1);  // -0.5 -> -1
  BOOST_TEST(f(7, 0) == 7);
  BOOST_TEST(f(int32_min, 0) == int32_min);
  BOOST_TEST(f(int32_min, 31) == -1);
  BOOST_TEST(f(int32_max, 31) == 1);
  BOOST_TEST(f(1 << 30, 31) == 1);      //  0.5 -> 1
  BOOST_TEST(f(-(1 << 30), 31) == -1);  // -0.5 -> -1
  BOOST_TEST(f((1 << 30) - 1, 31) == 0);
  BOOST_TEST(f(-(1 << 30) + 1, 31) == 0);
  BOOST_TEST(f(-1, 31) == 0);
  BOOST_TEST(f(-3, 2) == -1);  // -0.75
  BOOST_TEST(f(-6, 2) == -2);  // -1.5
}

BOOST_AUTO_TEST_CASE(quantize_multiplier_at_its_edges) {
  using q = fp::quantized_multiplier;
  BOOST_TEST((fp::quantize_multiplier(0) == q{0, 0}));
  BOOST_TEST((fp::quantize_multiplier(0.5) == q{1 << 30, 0}));
  BOOST_TEST((fp::quantize_multiplier(1.0) == q{1 << 30, 1}));
  BOOST_TEST((fp::quantize_multiplier(0.75) == q{1610612736, 0}));
  // A fraction that rounds up to 2^31 becomes 2^30 with the next shift.
  BOOST_TEST((fp::quantize_multiplier(1 - std::ldexp(1.0, -40)) == q{1 << 30, 1}));
  BOOST_TEST((fp::quantize_multiplier(std::ldexp(1.0, -31)) == q{1 << 30, -30}));
  BOOST_TEST((fp::quantize_multiplier(std::ldexp(1.0, -32)) == q{1 << 30, -31}));
  BOOST_TEST((fp::quantize_multiplier(std::ldexp(1.0, -33)) == q{0, 0}));  // shift -32: zero
  BOOST_TEST((fp::quantize_multiplier(std::ldexp(1.0, 31)) == q{1 << 30, 32}));
  BOOST_TEST((fp::quantize_multiplier(std::ldexp(1.0, 31), rounding::single_rounding) ==
              q{int32_max, 30}));
  BOOST_TEST((fp::quantize_multiplier(std::numeric_limits<double>::denorm_min()) == q{0, 0}));
}

BOOST_AUTO_TEST_CASE(quantize_multiplier_equals_tflites_formula_over_the_whole_range) {
  std::mt19937_64 gen(20261202);
  std::uniform_real_distribution<double> fraction(0.5, 1.0);
  std::uniform_int_distribution<int> exponent(-40, 40);
  for (int i = 0; i < 200'000; ++i) {
    const double m = std::ldexp(fraction(gen), exponent(gen));
    for (const rounding mode : {rounding::double_rounding, rounding::single_rounding}) {
      const auto got = fp::quantize_multiplier(m, mode);
      const auto want = reference_quantize(m, mode);
      BOOST_TEST_REQUIRE((got == want), "M = " << m);
    }
    // The multiplier is within half a Q31 step of M, relative to its power of two.
    const auto got = fp::quantize_multiplier(m);
    if (got.multiplier != 0) {
      const double back = std::ldexp(static_cast<double>(got.multiplier), got.shift - 31);
      BOOST_TEST_REQUIRE(std::abs(back - m) <= std::ldexp(1.0, got.shift - 32), "M = " << m);
    }
  }
}

BOOST_AUTO_TEST_CASE(both_roundings_apply_a_multiplier_as_specified) {
  const auto half = fp::quantize_multiplier(0.5);
  const auto quarter = fp::quantize_multiplier(0.25);
  constexpr auto dbl = rounding::double_rounding;
  constexpr auto one = rounding::single_rounding;
  BOOST_TEST(fp::multiply_by_quantized_multiplier<dbl>(100, half) == 50);
  BOOST_TEST(fp::multiply_by_quantized_multiplier<dbl>(3, half) == 2);
  BOOST_TEST(fp::multiply_by_quantized_multiplier<one>(3, half) == 2);
  BOOST_TEST(fp::multiply_by_quantized_multiplier<dbl>(-3, half) == -1);
  BOOST_TEST(fp::multiply_by_quantized_multiplier<one>(-3, half) == -1);
  // -6 * 0.25 = -1.5: the product is exact (-3), then the shift rounds away from zero; the
  // single rounding goes toward +infinity. Here the two variants differ.
  BOOST_TEST(fp::multiply_by_quantized_multiplier<dbl>(-6, quarter) == -2);
  BOOST_TEST(fp::multiply_by_quantized_multiplier<one>(-6, quarter) == -1);
  // A multiplier above one shifts left first.
  const auto three = fp::quantize_multiplier(3.0);
  BOOST_TEST(three.shift == 2);
  BOOST_TEST(fp::multiply_by_quantized_multiplier<dbl>(-7, three) == -21);
  BOOST_TEST(fp::multiply_by_quantized_multiplier<one>(-7, three) == -21);
  BOOST_TEST(fp::multiply_by_quantized_multiplier<dbl>(0, three) == 0);
}

BOOST_AUTO_TEST_CASE(random_arguments_agree_with_the_exact_references) {
  std::mt19937_64 gen(7);
  std::uniform_int_distribution<std::int32_t> any(int32_min, int32_max);
  std::uniform_int_distribution<int> shift(0, 31);
  std::uniform_real_distribution<double> fraction(0.5, 1.0);
  std::uniform_int_distribution<int> exponent(-31, 0);
  std::uniform_int_distribution<std::int32_t> accumulator(-(1 << 24), 1 << 24);
  for (int i = 0; i < 1'000'000; ++i) {
    const std::int32_t a = any(gen), b = any(gen);
    BOOST_TEST_REQUIRE(fp::saturating_rounding_doubling_high_mul(a, b) == reference_high_mul(a, b),
                       a << " * " << b);
    const int e = shift(gen);
    BOOST_TEST_REQUIRE(fp::rounding_divide_by_pot(a, e) == reference_divide_by_pot(a, e),
                       a << " / 2^" << e);
    // Requantization multipliers of real networks lie below one.
    const auto m = fp::quantize_multiplier(std::ldexp(fraction(gen), exponent(gen)));
    const std::int32_t x = accumulator(gen);
    const std::int32_t dbl = fp::multiply_by_quantized_multiplier<rounding::double_rounding>(x, m);
    const std::int32_t one = fp::multiply_by_quantized_multiplier<rounding::single_rounding>(x, m);
    const int left = m.shift > 0 ? m.shift : 0;
    BOOST_TEST_REQUIRE(dbl == reference_divide_by_pot(reference_high_mul(x << left, m.multiplier),
                                                      m.shift > 0 ? 0 : -m.shift));
    BOOST_TEST_REQUIRE(one == reference_single(x, m));
    // Both are within one of the exact x * M = x q / 2^t (two roundings of half a step each
    // at most), the single rounding within one half.
    const int t = 31 - m.shift;
    const wide exact = wide{x} * m.multiplier;
    const auto distance = [&](std::int32_t r) {
      const wide d = (wide{r} << t) - exact;
      return d < 0 ? -d : d;
    };
    BOOST_TEST_REQUIRE((distance(dbl) <= (wide{1} << t)));
    BOOST_TEST_REQUIRE((distance(one) <= (wide{1} << (t - 1))));
  }
}

BOOST_AUTO_TEST_CASE(requantize_adds_the_zero_point_and_clamps) {
  const auto m = fp::quantize_multiplier(0.01);
  BOOST_TEST(fp::requantize(1000, m, -5) == 5);
  BOOST_TEST(fp::requantize(100'000, m, 0) == 127);
  BOOST_TEST(fp::requantize(-100'000, m, 0) == -128);
  BOOST_TEST(fp::requantize(-1000, m, -128, -128, 127) == -128);
  // A folded ReLU clamps at the output zero point.
  BOOST_TEST(fp::requantize(-1000, m, 3, 3, 127) == 3);
  BOOST_TEST(fp::requantize(1000, m, 3, 3, 127) == 13);
}

// The Cortex-M kernels' one-step requantization (detail/one_step_requantizer.hpp) gives
// TFLite's double rounding for every multiplier below one half: at the rounding edges (ties of
// either rounding, for either sign), at INT32_MIN and INT32_MAX, and on random arguments.
BOOST_AUTO_TEST_CASE(one_step_requantization_equals_the_double_rounding) {
  using constnn::detail::s8::requantizer;
  static_assert(requantizer::make(fp::quantize_multiplier(0.25))(6) == 2);   // 1.5 -> 2
  static_assert(requantizer::make(fp::quantize_multiplier(0.25))(-6) == -2);  // -1.5 -> -2
  BOOST_TEST(!requantizer::make(fp::quantize_multiplier(0.5)).one_step());
  BOOST_TEST(!requantizer::make(fp::quantize_multiplier(3.0)).one_step());
  const auto check = [](std::int32_t x, fp::quantized_multiplier m) {
    const requantizer rq = requantizer::make(m);
    BOOST_TEST_REQUIRE(rq.one_step());
    const std::int32_t expected =
        reference_divide_by_pot(reference_high_mul(x, m.multiplier), -m.shift);
    BOOST_TEST_REQUIRE(rq(x) == expected, x << " * " << m.multiplier << " * 2^" << m.shift);
    BOOST_TEST_REQUIRE(fp::multiply_by_quantized_multiplier(x, m) == expected);
  };
  std::mt19937_64 gen(11);
  std::uniform_int_distribution<std::int32_t> any(int32_min, int32_max);
  std::uniform_int_distribution<std::int32_t> q31(1 << 30, int32_max);
  std::uniform_int_distribution<std::int32_t> small(-(1 << 20), 1 << 20);
  for (int e = 1; e <= 31; ++e) {
    for (const std::int32_t q : {1 << 30, (1 << 30) + 1, 1518500250, int32_max - 1, int32_max}) {
      const fp::quantized_multiplier m{q, -e};
      for (const std::int32_t x : {0, 1, -1, 2, -2, int32_min, int32_min + 1, int32_max,
                                   int32_max - 1, 1 << 30, -(1 << 30)})
        check(x, m);
    }
    // Ties: with M = 2^30 the high product is x / 2 (a tie of the first rounding for odd x),
    // and x = (2k + 1) 2^e gives ties of the second.
    for (std::int32_t k = -40; k <= 40; ++k) {
      check(2 * k + 1, {1 << 30, -e});
      if (e < 30) check(static_cast<std::int32_t>((2 * k + 1) * (std::int64_t{1} << e)), {1 << 30, -e});
    }
    for (int i = 0; i < 20'000; ++i) {
      check(any(gen), {q31(gen), -e});
      check(small(gen), {q31(gen), -e});
    }
  }
}
