// Unit tests of reference_format.hpp: the handout's labels and metrics files, byte for byte.
#include <boost/test/unit_test.hpp>

#include <vector>

#include "reference_format.hpp"

using namespace train_export;

BOOST_AUTO_TEST_SUITE(reference_format)

BOOST_AUTO_TEST_CASE(labels_are_one_per_line_each_ending_in_newline) {
  const std::vector<label_type> labels{6, 4, 8, 8, 12};
  BOOST_TEST(labels_text(labels) == "6\n4\n8\n8\n12\n");
  BOOST_TEST(labels_text({}) == "");
}

BOOST_AUTO_TEST_CASE(metrics_follow_the_handout_layout) {
  run_summary s;
  s.epochs = {{1, 2.18506276114, 2.18827302588, 0.5}, {2, 1.90103257727, 1.91363803461, 0.5}};
  s.errors = {77.0 / 100.0, 78.0 / 100.0, 385, 78};
  BOOST_TEST(metrics_text(s) ==
             "epoch=1 crossentropy(train): 2.18506276114\n"
             "epoch=1 crossentropy(validation): 2.18827302588\n"
             "epoch=2 crossentropy(train): 1.90103257727\n"
             "epoch=2 crossentropy(validation): 1.91363803461\n"
             "error(train): 0.77\n"
             "error(validation): 0.78\n");
}

BOOST_AUTO_TEST_SUITE_END()
