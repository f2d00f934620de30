// Unit tests of number_format.hpp: shortest decimals and literals that keep every bit.
#include <boost/test/unit_test.hpp>

#include <bit>
#include <charconv>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "number_format.hpp"

using host_tools::decimal_literal;
using host_tools::hex_literal;
using host_tools::shortest;

namespace {

// Reads a literal as the compiler would: strip the suffix, parse, compare bits.
template <class T>
T read_literal(std::string text) {
  if (text.ends_with('f')) text.pop_back();
  bool negative = text.starts_with('-');
  if (negative) text.erase(0, 1);
  const bool hex = text.starts_with("0x");
  if (hex) text.erase(0, 2);
  T value{};
  std::from_chars(text.data(), text.data() + text.size(), value,
                  hex ? std::chars_format::hex : std::chars_format::general);
  return negative ? -value : value;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(number_format)

BOOST_AUTO_TEST_CASE(shortest_is_the_shortest_round_trip_decimal) {
  BOOST_TEST(shortest(0.77) == "0.77");
  BOOST_TEST(shortest(77.0 / 100.0) == "0.77");
  BOOST_TEST(shortest(1.0) == "1");
  BOOST_TEST(shortest(2.185062761138787) == "2.185062761138787");
  BOOST_TEST(shortest(0.1f) == "0.1");
}

BOOST_AUTO_TEST_CASE(literals_have_the_cxx_spelling) {
  BOOST_TEST(hex_literal(1.5f) == "0x1.8p+0f");
  BOOST_TEST(hex_literal(-0.1f) == "-0x1.99999ap-4f");
  BOOST_TEST(hex_literal(0.0f) == "0x0p+0f");
  BOOST_TEST(hex_literal(-0.0) == "-0x0p+0");
  BOOST_TEST(hex_literal(0.1) == "0x1.999999999999ap-4");
  BOOST_TEST(decimal_literal(1.0f) == "1.0f");
  BOOST_TEST(decimal_literal(0.25f) == "0.25f");
  BOOST_TEST(decimal_literal(0.0) == "0.0");
  BOOST_TEST(decimal_literal(1e-30f) == "1e-30f");
}

BOOST_AUTO_TEST_CASE(literals_keep_every_bit) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const auto bits64 = rng();
    const double d = std::bit_cast<double>(bits64);
    const float f = std::bit_cast<float>(static_cast<std::uint32_t>(bits64));
    if (std::isfinite(d)) {
      BOOST_TEST_REQUIRE(std::bit_cast<std::uint64_t>(read_literal<double>(hex_literal(d))) ==
                         bits64);
      BOOST_TEST_REQUIRE(std::bit_cast<std::uint64_t>(read_literal<double>(decimal_literal(d))) ==
                         bits64);
    }
    if (std::isfinite(f)) {
      BOOST_TEST_REQUIRE(std::bit_cast<std::uint32_t>(read_literal<float>(hex_literal(f))) ==
                         std::bit_cast<std::uint32_t>(f));
      BOOST_TEST_REQUIRE(std::bit_cast<std::uint32_t>(read_literal<float>(decimal_literal(f))) ==
                         std::bit_cast<std::uint32_t>(f));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
