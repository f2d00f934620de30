// Unit tests of csv_reader.hpp: layout, accepted variants, exact values and error positions.
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <string>

#include "csv_reader.hpp"
#include "error.hpp"

using host_tools::failure_kind;
using host_tools::parse_labeled_csv;
using host_tools::tool_error;

namespace {

// The message of the data error that parsing `text` raises; fails the test if none is raised.
std::string error_of(const std::string& text, std::size_t classes = 10) {
  try {
    parse_labeled_csv<double>(text, "f.csv", classes);
  } catch (const tool_error& e) {
    BOOST_TEST((e.kind() == failure_kind::data));
    return e.what();
  }
  BOOST_TEST_FAIL("no error for: " << text);
  return {};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(csv_reader)

BOOST_AUTO_TEST_CASE(stores_labels_and_row_major_features) {
  const auto d = parse_labeled_csv<float>("3,0,1,0.5\n7,1,0.25,0\n", "f.csv", 10);
  BOOST_TEST(d.size() == 2u);
  BOOST_TEST(d.width == 3u);
  BOOST_TEST(d.labels[0] == 3u);
  BOOST_TEST(d.labels[1] == 7u);
  const std::vector<float> expected{0, 1, 0.5f, 1, 0.25f, 0};
  BOOST_TEST(d.features == expected, boost::test_tools::per_element());
  BOOST_TEST(d.features_outside_unit_range == 0u);
}

BOOST_AUTO_TEST_CASE(features_are_the_correctly_rounded_value_of_their_text) {
  const auto f = parse_labeled_csv<float>("0,0.1,0.3333333333\n", "f.csv", 10);
  const auto d = parse_labeled_csv<double>("0,0.1,0.3333333333\n", "f.csv", 10);
  BOOST_TEST(f.features[0] == 0.1f);
  BOOST_TEST(f.features[1] == 0.3333333333f);
  BOOST_TEST(d.features[0] == 0.1);
  BOOST_TEST(d.features[1] == 0.3333333333);
}

BOOST_AUTO_TEST_CASE(crlf_bom_missing_newline_and_trailing_blank_lines_are_accepted) {
  const auto plain = parse_labeled_csv<double>("1,0,1\n2,1,0\n", "f.csv", 10);
  for (const char* text : {"1,0,1\r\n2,1,0\r\n",
                           "\xEF\xBB\xBF"
                           "1,0,1\n2,1,0\n",
                           "1,0,1\n2,1,0", "1,0,1\n2,1,0\n\n\r\n",
                           "\xEF\xBB\xBF"
                           "1,0,1\r\n2,1,0"}) {
    const auto d = parse_labeled_csv<double>(text, "f.csv", 10);
    BOOST_TEST(d.labels == plain.labels, boost::test_tools::per_element());
    BOOST_TEST(d.features == plain.features, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(counts_features_outside_the_unit_interval_and_remembers_the_first) {
  const auto d = parse_labeled_csv<double>("1,0,1\n2,1,-0.5\n3,2,7\n", "f.csv", 10);
  BOOST_TEST(d.features_outside_unit_range == 3u);
  BOOST_TEST(d.first_outside_unit_range.line == 2u);
  BOOST_TEST(d.first_outside_unit_range.column == 5u);
}

BOOST_AUTO_TEST_CASE(errors_name_file_line_and_column) {
  BOOST_TEST(error_of("") ==
             "f.csv:1:1: the file is empty; expected one example per line: label,feature,...");
  BOOST_TEST(error_of("1,0\n2,0,0\n") ==
             "f.csv:2:5: the row has 3 fields; expected 2 (a label and 1 feature, as on line 1)");
  BOOST_TEST(error_of("1,0,0\r\n2,0\r\n") ==
             "f.csv:2:4: the row has 2 fields; expected 3 (a label and 2 features, as on line 1)");
  BOOST_TEST(error_of("\xEF\xBB\xBF"
                      "1,x\n") == "f.csv:1:3: feature 'x' is not a number",
             "a BOM does not count as a column");
  BOOST_TEST(error_of("1,0\n2,inf\n") ==
             "f.csv:2:3: feature 'inf' is not a finite number (NaN and infinity are not allowed)");
  BOOST_TEST(error_of("1,0\n-2,0\n") == "f.csv:2:1: label -2 is negative");
  BOOST_TEST(error_of("1e0,0\n") == "f.csv:1:1: label '1e0' is not a whole number");
  BOOST_TEST(error_of("3,0\n", 3) ==
             "f.csv:1:1: label 3 is not below the class count 3 (see --classes)");
  BOOST_TEST(error_of("99999999999999999999999,0\n") ==
             "f.csv:1:1: label '99999999999999999999999' is not below the class count 10 (see "
             "--classes)");
  BOOST_TEST(error_of(",0\n") == "f.csv:1:1: empty label field; expected a whole number");
  BOOST_TEST(error_of("1, 0\n") == "f.csv:1:3: feature ' 0' is not a number");
  BOOST_TEST(error_of("1,0\n\n2,0\n") ==
             "f.csv:2:1: empty line between examples (blank lines are allowed only at the end)");
}

BOOST_AUTO_TEST_CASE(messages_quote_long_or_binary_fields_briefly) {
  BOOST_TEST(error_of(std::string("1,\x01\x02zz\n")) ==
             "f.csv:1:3: feature '\\x01\\x02zz' is not a number");
  BOOST_TEST(error_of("1," + std::string(40, 'q') + "\n") ==
             "f.csv:1:3: feature 'qqqqqqqqqqqqqqqqqqqqqqqq...' is not a number");
}

BOOST_AUTO_TEST_CASE(memory_follows_the_text_not_lines_times_the_width_of_line_1) {
  std::string wide = "0";
  for (int i = 0; i < 10'000; ++i) wide += ",0";
  // Valid: one wide row and 100,000 blank lines; lines x width would be 10^9 features.
  const auto d = parse_labeled_csv<float>(wide + std::string(100'000, '\n'), "f.csv", 2);
  BOOST_TEST(d.features.size() == 10'000u);
  BOOST_TEST(d.features.capacity() <= wide.size() + 100'000u);
  BOOST_TEST(d.labels.capacity() <= (wide.size() + 100'000u) / 4);
  BOOST_TEST(error_of(wide + "\n1,1\n" + std::string(100'000, '\n'), 2) ==
             "f.csv:2:4: the row has 2 fields; expected 10001 (a label and 10000 features, as on "
             "line 1)");
}

BOOST_AUTO_TEST_CASE(fixed_width_files_are_reserved_exactly_once) {
  const auto d = parse_labeled_csv<float>("1,0,1\n0,1,0\n1,1,1\n", "f.csv", 2);
  BOOST_TEST(d.features.capacity() == 6u);
  BOOST_TEST(d.labels.capacity() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
