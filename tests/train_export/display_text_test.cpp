// Unit tests of display_text.hpp: what may not reach a line or a comment is escaped, the rest kept.
#include <boost/test/unit_test.hpp>

#include "display_text.hpp"

using host_tools::comment_text;
using host_tools::one_line;

BOOST_AUTO_TEST_SUITE(display_text)

BOOST_AUTO_TEST_CASE(line_ends_and_terminal_controls_are_escaped) {
  BOOST_TEST(one_line("a\nb\rc\td\x1b[0m\x7f") == "a\\x0ab\\x0dc\\x09d\\x1b[0m\\x7f");
}

BOOST_AUTO_TEST_CASE(valid_utf8_is_kept_and_invalid_bytes_are_escaped) {
  BOOST_TEST(one_line("caf\xc3\xa9 \xe6\xbc\xa2") == "caf\xc3\xa9 \xe6\xbc\xa2");
  BOOST_TEST(one_line("\xff") == "\\xff");
  BOOST_TEST(one_line("\xc0\xaf") == "\\xc0\\xaf");           // overlong '/'
  BOOST_TEST(one_line("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a surrogate
  BOOST_TEST(one_line("\xe6\xbc") == "\\xe6\\xbc");           // cut short
}

BOOST_AUTO_TEST_CASE(code_points_that_move_or_split_text_are_escaped) {
  BOOST_TEST(one_line("\xe2\x80\xae") == "\\xe2\\x80\\xae");  // RIGHT-TO-LEFT OVERRIDE
  BOOST_TEST(one_line("\xe2\x81\xa6") == "\\xe2\\x81\\xa6");  // LEFT-TO-RIGHT ISOLATE
  BOOST_TEST(one_line("\xe2\x80\xa8") == "\\xe2\\x80\\xa8");  // LINE SEPARATOR
  BOOST_TEST(one_line("\xc2\x85") == "\\xc2\\x85");           // NEXT LINE (C1)
}

BOOST_AUTO_TEST_CASE(messages_keep_backslashes_and_comments_double_them) {
  BOOST_TEST(one_line("a\\b") == "a\\b");
  BOOST_TEST(comment_text("a\\") == "a\\\\");
  BOOST_TEST(comment_text("x\ny") == "x\\x0ay");
}

BOOST_AUTO_TEST_SUITE_END()
