// Convolutional networks against PyTorch: outputs, losses and every parameter gradient of
// three conv/pool networks, computed by PyTorch in float64 offline
// (tests/vectors/generate_pytorch_cnn_vectors.py), agree with constnn's to 1e-10 relative.
#define BOOST_TEST_MODULE pytorch_cnn
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <cmath>
#include <cstddef>
#include <vector>

#include "../support/agree.hpp"
#include "../vectors/pytorch_cnn_vectors.hpp"

using namespace constnn;

namespace {

constexpr double relative_bound = 1e-10;

bool agree(const auto& a, const auto& b) { return constnn_test::agree(a, b, relative_bound); }

template <class Net, class Vectors>
void check_against_pytorch() {
  const Net net;
  std::vector<double> p(Vectors::parameters.begin(), Vectors::parameters.end());
  BOOST_TEST_REQUIRE(p.size() == Net::param_count);
  BOOST_TEST_REQUIRE(Vectors::input.size() == Net::input_shape::static_size);
  std::vector<double> ws(Net::training_workspace_count), g(p.size());
  const std::vector<double> x(Vectors::input.begin(), Vectors::input.end());

  const double* y = net.forward(p, x, ws);
  BOOST_TEST_REQUIRE(y != nullptr);
  BOOST_TEST(agree(std::vector<double>(y, y + net.output_size()), Vectors::probabilities));

  const double loss = net.gradient(p, x, Vectors::label, g, ws);
  BOOST_TEST(std::fabs(loss - Vectors::loss) <= relative_bound * Vectors::loss);
  BOOST_TEST(agree(g, Vectors::gradient));

  // The fused step moves every parameter by lr times that gradient.
  std::vector<double> q = p;
  net.train_step(q, x, Vectors::label, 0.5, ws);
  std::vector<double> expected(p.size());
  for (std::size_t k = 0; k < p.size(); ++k) expected[k] = p[k] - 0.5 * Vectors::gradient[k];
  BOOST_TEST(agree(q, expected));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pytorch_cnn)

BOOST_AUTO_TEST_CASE(same_conv_relu_max_pool_strided_conv_tanh_dense_agree_with_pytorch) {
  using net = sequential<double, input<8, 7, 2>, conv2d<3, 3, 3, 1, padding::same>, relu,
                         max_pool2d<2, 2>, conv2d<4, 2, 2, 2>, constnn::tanh, flatten,
                         dense<8, 3>, softmax_xent>;
  check_against_pytorch<net, pytorch_vectors::image_net>();
}

BOOST_AUTO_TEST_CASE(strided_same_conv_sigmoid_overlapping_avg_pool_global_pool_agree) {
  using net = sequential<double, input<9, 8, 1>, conv2d<4, 3, 3, 2, padding::same>, sigmoid,
                         avg_pool2d<2, 2, 1, 1>, conv2d<5, 3, 3>, relu, global_avg_pool,
                         dense<5, 4>, softmax_xent>;
  check_against_pytorch<net, pytorch_vectors::pooled_net>();
}

BOOST_AUTO_TEST_CASE(conv1d_series_with_global_pooling_agrees_with_pytorch) {
  using net = sequential<double, input<11, 3>, conv1d<4, 3, 2, padding::same>, sigmoid,
                         conv1d<5, 3>, relu, global_avg_pool, dense<5, 3>, softmax_xent>;
  check_against_pytorch<net, pytorch_vectors::series_net>();
}

BOOST_AUTO_TEST_SUITE_END()
