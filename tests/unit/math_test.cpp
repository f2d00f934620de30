// Tests of core/math.hpp: accuracy against the C library, special values, constexpr use.
#define BOOST_TEST_MODULE math
#include <boost/test/unit_test.hpp>

#include <constnn/core/math.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <type_traits>

namespace {

// Distance in units in the last place, via the ordered integer image of the bits.
template <class T>
std::int64_t ulp_distance(T a, T b) {
  using bits = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;
  auto ordered = [](T v) {
    const bits i = std::bit_cast<bits>(v);
    return static_cast<std::int64_t>(i < 0 ? std::numeric_limits<bits>::min() - i : i);
  };
  const std::int64_t d = ordered(a) - ordered(b);
  return d < 0 ? -d : d;
}

// Largest ulp error of f against the long double C function ref over n uniform samples.
template <class T, class F, class R>
std::int64_t worst_ulps(F f, R ref, double lo, double hi, int n = 200000) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(lo, hi);
  std::int64_t worst = 0;
  for (int k = 0; k < n; ++k) {
    const T x = static_cast<T>(u(rng));
    const T expected = static_cast<T>(ref(static_cast<long double>(x)));
    const std::int64_t d = ulp_distance(f(x), expected);
    worst = d > worst ? d : worst;
  }
  return worst;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(math)

BOOST_AUTO_TEST_CASE(exp_is_within_one_ulp_of_the_c_library_in_float_and_double) {
  namespace m = constnn::math;
  auto ref = [](long double x) { return std::exp(x); };
  BOOST_TEST(worst_ulps<double>([](double x) { return m::exp(x); }, ref, -745, 709) <= 1);
  BOOST_TEST(worst_ulps<double>([](double x) { return m::exp(x); }, ref, -3, 3) <= 1);
  BOOST_TEST(worst_ulps<float>([](float x) { return m::exp(x); }, ref, -103, 88) <= 1);
  BOOST_TEST(worst_ulps<float>([](float x) { return m::exp(x); }, ref, -3, 3) <= 1);
}

BOOST_AUTO_TEST_CASE(log_is_within_one_ulp_of_the_c_library_in_float_and_double) {
  namespace m = constnn::math;
  auto ref = [](long double x) { return std::log(x); };
  BOOST_TEST(worst_ulps<double>([](double x) { return m::log(x); }, ref, 1e-300, 1e300) <= 1);
  BOOST_TEST(worst_ulps<double>([](double x) { return m::log(x); }, ref, 1e-9, 2) <= 1);
  BOOST_TEST(worst_ulps<float>([](float x) { return m::log(x); }, ref, 1e-30, 1e30) <= 1);
  BOOST_TEST(worst_ulps<float>([](float x) { return m::log(x); }, ref, 1e-9, 2) <= 1);
}

BOOST_AUTO_TEST_CASE(tanh_and_expm1_are_within_a_few_ulp) {
  namespace m = constnn::math;
  BOOST_TEST(worst_ulps<double>([](double x) { return m::tanh(x); },
                                [](long double x) { return std::tanh(x); }, -30, 30) <= 3);
  BOOST_TEST(worst_ulps<float>([](float x) { return m::tanh(x); },
                               [](long double x) { return std::tanh(x); }, -30, 30) <= 3);
  BOOST_TEST(worst_ulps<double>([](double x) { return m::expm1(x); },
                                [](long double x) { return std::expm1(x); }, -2, 2) <= 3);
}

BOOST_AUTO_TEST_CASE(special_values_follow_ieee_conventions) {
  namespace m = constnn::math;
  constexpr double inf = std::numeric_limits<double>::infinity();
  BOOST_TEST(m::exp(0.0) == 1.0);
  BOOST_TEST(m::exp(1000.0) == inf);
  BOOST_TEST(m::exp(-1000.0) == 0.0);
  BOOST_TEST(std::isnan(m::exp(std::numeric_limits<double>::quiet_NaN())));
  BOOST_TEST(m::exp(-inf) == 0.0);
  BOOST_TEST(m::log(1.0) == 0.0);
  BOOST_TEST(m::log(0.0) == -inf);
  BOOST_TEST(std::isnan(m::log(-1.0)));
  BOOST_TEST(m::log(inf) == inf);
  // Subnormals on both sides.
  BOOST_TEST(m::exp(-740.0) == std::exp(-740.0));
  BOOST_TEST(m::log(std::numeric_limits<double>::denorm_min()) ==
             std::log(std::numeric_limits<double>::denorm_min()));
  BOOST_TEST(m::log(std::numeric_limits<float>::denorm_min()) ==
             std::log(std::numeric_limits<float>::denorm_min()));
  BOOST_TEST(m::tanh(100.0) == 1.0);
  BOOST_TEST(m::tanh(-0.0) == 0.0);
  BOOST_TEST(!m::isfinite(inf));
  BOOST_TEST(m::isfinite(1.0f));
}

BOOST_AUTO_TEST_CASE(the_functions_give_the_same_bits_at_compile_time_and_at_run_time) {
  namespace m = constnn::math;
  constexpr double e1 = m::exp(1.0);
  constexpr float l10 = m::log(10.0f);
  constexpr double t = m::tanh(0.3);
  volatile double one = 1.0;
  volatile float ten = 10.0f;
  volatile double x = 0.3;
  BOOST_TEST(std::bit_cast<std::uint64_t>(e1) == std::bit_cast<std::uint64_t>(m::exp(one + 0.0)));
  BOOST_TEST(std::bit_cast<std::uint32_t>(l10) == std::bit_cast<std::uint32_t>(m::log(ten + 0.0f)));
  BOOST_TEST(std::bit_cast<std::uint64_t>(t) == std::bit_cast<std::uint64_t>(m::tanh(x + 0.0)));
  static_assert(m::exp(0.0f) == 1.0f && m::log(1.0) == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()
