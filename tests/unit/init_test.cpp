// Tests of train/init.hpp: the RANDOM and ZERO schemes and the symmetry ZERO cannot break.
#define BOOST_TEST_MODULE init
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <vector>

#include "../support/ocr_data.hpp"

using namespace constnn;

namespace {
using net_t = sequential<double, dense<128, 4>, sigmoid, dense<4, 10>, softmax_xent>;

// Whether every hidden unit's incoming weights and bias (a row of alpha) are equal.
bool rows_of_alpha_identical(const std::vector<double>& p) {
  constexpr std::size_t in = 128, hidden = 4;
  for (std::size_t h = 1; h < hidden; ++h) {
    for (std::size_t i = 0; i < in; ++i)
      if (p[i * hidden + h] != p[i * hidden]) return false;
    if (p[in * hidden + h] != p[in * hidden]) return false;
  }
  return true;
}

std::vector<double> trained(init_scheme scheme) {
  net_t net;
  std::vector<double> p(net_t::param_count), ws(net_t::training_workspace_count);
  initialize(net, std::span<double>(p), scheme, 0);
  const auto data = constnn_test::load_csv<double>(constnn_test::ocr_file("smallTrain.csv"));
  const dataset_view<double, int> view{data.features.data(), data.labels.data(), data.count(),
                                       data.width};
  for (int epoch = 0; epoch < 3; ++epoch) train_epoch(net, std::span<double>(p), view, 0.1, std::span<double>(ws));
  return p;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(init)

BOOST_AUTO_TEST_CASE(random_weights_are_in_range_and_biases_zero) {
  net_t net;
  std::vector<double> p(net_t::param_count, 7.0);
  initialize(net, std::span<double>(p), init_scheme::random, 1);
  std::size_t nonzero = 0;
  for (std::size_t j = 0; j < 2; ++j) {
    const std::size_t in = net.dims()[j], out = net.dims()[j + 1];
    const std::size_t offset = net.dense_param_offset(j);
    for (std::size_t k = 0; k < in * out; ++k) {
      BOOST_TEST_REQUIRE((p[offset + k] >= -0.1 && p[offset + k] <= 0.1));
      nonzero += p[offset + k] != 0;
    }
    for (std::size_t o = 0; o < out; ++o) BOOST_TEST(p[offset + in * out + o] == 0.0);
  }
  BOOST_TEST(nonzero == 128u * 4 + 4 * 10);
}

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_network_and_another_seed_does_not) {
  net_t net;
  std::vector<double> a(net_t::param_count), b(a), c(a);
  initialize(net, std::span<double>(a), init_scheme::random, 5);
  initialize(net, std::span<double>(b), init_scheme::random, 5);
  initialize(net, std::span<double>(c), init_scheme::random, 6);
  BOOST_TEST(a == b);
  BOOST_TEST(a != c);
}

BOOST_AUTO_TEST_CASE(zero_init_keeps_every_row_of_alpha_identical_through_training,
                     *boost::unit_test::precondition(constnn_test::ocr_file_present{"smallTrain.csv"})) {
  const auto p = trained(init_scheme::zero);
  BOOST_TEST(rows_of_alpha_identical(p));
  // Training did move the weights: the symmetry is not just "still zero".
  BOOST_TEST(p[0] != 0.0);
}

BOOST_AUTO_TEST_CASE(random_init_breaks_the_symmetry,
                     *boost::unit_test::precondition(constnn_test::ocr_file_present{"smallTrain.csv"})) {
  BOOST_TEST(!rows_of_alpha_identical(trained(init_scheme::random)));
}

BOOST_AUTO_TEST_SUITE_END()
