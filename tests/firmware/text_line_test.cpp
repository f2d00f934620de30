// Tests of firmware_example/src/text_line.hpp: decimal and bit-exact output built from
// integers alone, identical on every platform, and the weights checksum.
#define BOOST_TEST_MODULE firmware_text_line
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "text_line.hpp"

namespace {

template <class T>
std::string real_text(T v, int decimals = 6) {
  fw::text_line line;
  line.real(v, decimals);
  return std::string(line.view());
}

}  // namespace

BOOST_AUTO_TEST_CASE(integers_print_in_decimal_and_fixed_width_hex) {
  fw::text_line line;
  line.dec(0).text(" ").dec(1234567890123ull).text(" ").hex(0xabcu, 8).text(" ").hex(0x1u, 2);
  BOOST_TEST(line.view() == "0 1234567890123 0x00000abc 0x01");
}

BOOST_AUTO_TEST_CASE(floats_print_rounded_decimals_and_their_exact_bits) {
  BOOST_TEST(real_text(0.01f) == "0.010000 [0x3c23d70a]");
  BOOST_TEST(real_text(1.0f) == "1.000000 [0x3f800000]");
  BOOST_TEST(real_text(-2.5f, 2) == "-2.50 [0xc0200000]");
  BOOST_TEST(real_text(123.456f, 3) == "123.456 [0x42f6e979]");
  BOOST_TEST(real_text(0.0f) == "0.000000 [0x00000000]");
  BOOST_TEST(real_text(-0.0f) == "0.000000 [0x80000000]");
  BOOST_TEST(real_text(1.0f, 0) == "1 [0x3f800000]");
}

BOOST_AUTO_TEST_CASE(rounding_is_half_away_from_zero_on_the_exact_value) {
  // 0.5 and 2.5 are exact in binary: the tie rounds away from zero.
  BOOST_TEST(real_text(0.5f, 0) == "1 [0x3f000000]");
  BOOST_TEST(real_text(2.5f, 0) == "3 [0x40200000]");
  BOOST_TEST(real_text(-0.5f, 0) == "-1 [0xbf000000]");
  // 0.125 to two places: 0.125 is a tie, so 0.13.
  BOOST_TEST(real_text(0.125f, 2) == "0.13 [0x3e000000]");
  // The float nearest 0.0000005 is just below it, so it rounds down; the double above it up.
  BOOST_TEST(real_text(0.0000005f) == "0.000000 [0x350637bd]");
  BOOST_TEST(real_text(0.00000051) == "0.000001 [0x3ea11cdddc3eafbe]");
}

BOOST_AUTO_TEST_CASE(doubles_subnormals_and_specials) {
  BOOST_TEST(real_text(0.1) == "0.100000 [0x3fb999999999999a]");
  BOOST_TEST(real_text(-1234.5678) == "-1234.567800 [0xc0934a456d5cfaad]");
  BOOST_TEST(real_text(std::numeric_limits<float>::denorm_min()) == "0.000000 [0x00000001]");
  BOOST_TEST(real_text(std::numeric_limits<double>::denorm_min()) ==
             "0.000000 [0x0000000000000001]");
  BOOST_TEST(real_text(std::numeric_limits<float>::infinity()) == "inf [0x7f800000]");
  BOOST_TEST(real_text(-std::numeric_limits<float>::infinity()) == "-inf [0xff800000]");
  BOOST_TEST(real_text(std::numeric_limits<float>::quiet_NaN()) == "nan [0x7fc00000]");
  BOOST_TEST(real_text(2e12f) == "large [0x53e8d4a5]");  // above 2^40
  BOOST_TEST(real_text(1e11) == "100000000000.000000 [0x42374876e8000000]");
}

BOOST_AUTO_TEST_CASE(lines_past_capacity_are_cut_not_overrun) {
  fw::text_line line;
  for (int k = 0; k < 100; ++k) line.text("abc");
  BOOST_TEST(line.view().size() == fw::text_line::capacity);
  BOOST_TEST(std::string_view(line.c_str()).size() == fw::text_line::capacity);
}

BOOST_AUTO_TEST_CASE(checksum_is_fnv1a_of_the_little_endian_bytes) {
  fw::fnv1a32 empty;
  BOOST_TEST(empty.value() == 0x811c9dc5u);
  // FNV-1a of the bytes 00 00 80 3f (1.0f, least significant byte first).
  fw::fnv1a32 one;
  one.add(1.0f);
  std::uint32_t expected = 0x811c9dc5u;
  for (const std::uint32_t b : {0x00u, 0x00u, 0x80u, 0x3fu}) expected = (expected ^ b) * 16777619u;
  BOOST_TEST(one.value() == expected);
  // A double is its low word then its high word.
  fw::fnv1a32 d;
  d.add(1.0);
  fw::fnv1a32 words;
  words.add(std::uint32_t{0});
  words.add(std::uint32_t{0x3ff00000u});
  BOOST_TEST(d.value() == words.value());
}

BOOST_AUTO_TEST_CASE(formatting_works_in_constant_expressions) {
  constexpr auto text = [] {
    fw::text_line line;
    line.real(0.25f, 2);
    return line.view().size();
  }();
  static_assert(text == std::string_view("0.25 [0x3e800000]").size());
  BOOST_TEST(text == 17u);
}
