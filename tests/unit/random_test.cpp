// Tests of core/random.hpp: the published SplitMix64 sequence and the uniform ranges.
#define BOOST_TEST_MODULE random
#include <boost/test/unit_test.hpp>

#include <constnn/core/random.hpp>

#include <cstdint>

BOOST_AUTO_TEST_SUITE(random_generator)

BOOST_AUTO_TEST_CASE(splitmix64_reproduces_the_reference_sequence_for_seed_zero) {
  // First outputs of Vigna's splitmix64.c with x = 0.
  constnn::splitmix64 rng(0);
  BOOST_TEST(rng.next() == 0xE220A8397B1DCDAFULL);
  BOOST_TEST(rng.next() == 0x6E789E6AA1B965F4ULL);
  BOOST_TEST(rng.next() == 0x06C45D188009454FULL);
}

BOOST_AUTO_TEST_CASE(the_sequence_is_the_same_in_a_constant_expression) {
  constexpr std::uint64_t third = [] {
    constnn::splitmix64 rng(0);
    rng.next();
    rng.next();
    return rng.next();
  }();
  static_assert(third == 0x06C45D188009454FULL);
  BOOST_TEST(third == 0x06C45D188009454FULL);
}

BOOST_AUTO_TEST_CASE(uniform_draws_stay_in_range_and_cover_it) {
  constnn::splitmix64 rng(7);
  float lo = 1, hi = -1;
  for (int k = 0; k < 100000; ++k) {
    const float w = rng.uniform(-0.1f, 0.1f);
    BOOST_TEST_REQUIRE((w >= -0.1f && w <= 0.1f));
    lo = w < lo ? w : lo;
    hi = w > hi ? w : hi;
  }
  BOOST_TEST(lo < -0.0999f);
  BOOST_TEST(hi > 0.0999f);
  double mean = 0;
  for (int k = 0; k < 100000; ++k) mean += rng.uniform01<double>();
  BOOST_TEST(mean / 100000 == 0.5, boost::test_tools::tolerance(0.01));
}

BOOST_AUTO_TEST_SUITE_END()
