// Centered finite differences on every layer on its own: dense, sigmoid, tanh, relu,
// softmax, cross_entropy and softmax_xent (eps 1e-5, double, L2 error below 1e-7).
#define BOOST_TEST_MODULE layers
#include <boost/test/unit_test.hpp>

#include <constnn/layers/dense.hpp>
#include <constnn/layers/relu.hpp>
#include <constnn/layers/sigmoid.hpp>
#include <constnn/layers/tanh.hpp>
#include <constnn/loss/cross_entropy.hpp>
#include <constnn/loss/softmax.hpp>
#include <constnn/loss/softmax_cross_entropy.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "../support/finite_difference.hpp"

using constnn_test::l2_distance;
using constnn_test::numeric_gradient;
using constnn_test::random_vector;

namespace {

constexpr double fd_bound = 1e-7;

// J(x) = r . f(x) for an elementwise layer f; its backward with dy = r must equal dJ/dx.
template <class Layer>
void check_elementwise(const std::vector<double>& x0) {
  const std::size_t n = x0.size();
  std::vector<double> x = x0, y(n), dx(n);
  const std::vector<double> r = random_vector(n, -1, 1, 11);
  auto objective = [&] {
    std::vector<double> out(n);
    Layer::forward(n, x.data(), out.data());
    double j = 0;
    for (std::size_t k = 0; k < n; ++k) j += r[k] * out[k];
    return j;
  };
  Layer::forward(n, x.data(), y.data());
  Layer::backward(n, y.data(), r.data(), dx.data());
  const auto numeric = numeric_gradient(x, objective);
  BOOST_TEST(l2_distance(dx, numeric) < fd_bound);
}

template <class Loss>
void check_loss(const std::vector<double>& x0, std::size_t label) {
  const std::size_t n = x0.size();
  std::vector<double> x = x0, y(n), dx(n);
  auto objective = [&] {
    std::vector<double> out(n);
    Loss::forward(n, x.data(), out.data());
    return Loss::value(n, out.data(), label);
  };
  Loss::forward(n, x.data(), y.data());
  Loss::backward(n, y.data(), label, dx.data());
  const auto numeric = numeric_gradient(x, objective);
  BOOST_TEST(l2_distance(dx, numeric) < fd_bound);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dense)

BOOST_AUTO_TEST_CASE(backward_matches_finite_differences_for_inputs_and_parameters) {
  using layer = constnn::dense<7, 5>;
  constexpr std::size_t in = 7, out = 5;
  std::vector<double> p = random_vector(layer::param_count(in, out), -0.5, 0.5, 1);
  std::vector<double> x = random_vector(in, 0, 1, 2);
  x[3] = 0;  // a zero input exercises the skipped rows
  const std::vector<double> r = random_vector(out, -1, 1, 3);
  auto objective = [&] {
    std::vector<double> y(out);
    layer::forward(in, out, p.data(), x.data(), y.data());
    double j = 0;
    for (std::size_t o = 0; o < out; ++o) j += r[o] * y[o];
    return j;
  };
  std::vector<double> dx(in), g(p.size());
  layer::backward_input(in, out, p.data(), r.data(), dx.data());
  layer::backward_params(in, out, x.data(), r.data(), g.data());
  BOOST_TEST(l2_distance(dx, numeric_gradient(x, objective)) < fd_bound);
  BOOST_TEST(l2_distance(g, numeric_gradient(p, objective)) < fd_bound);
}

BOOST_AUTO_TEST_CASE(fixed_and_run_time_sizes_give_the_same_bits) {
  using layer = constnn::dense<6, 4>;
  std::vector<double> p = random_vector(28, -0.5, 0.5, 4), x = random_vector(6, 0, 1, 5);
  std::vector<double> a(4), b(4);
  layer::forward(constnn::fixed_size<6>{}, constnn::fixed_size<4>{}, p.data(), x.data(), a.data());
  layer::forward(std::size_t{6}, std::size_t{4}, p.data(), x.data(), b.data());
  BOOST_TEST(a == b, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(fused_sgd_equals_gradient_then_update_bit_for_bit) {
  using layer = constnn::dense<5, 3>;
  std::vector<float> p(18), x{0.f, 1.f, 0.25f, 0.f, 0.75f}, dy{0.3f, -0.7f, 0.11f};
  for (std::size_t k = 0; k < p.size(); ++k) p[k] = 0.01f * static_cast<float>(k) - 0.07f;
  std::vector<float> q = p, g(18), dx_fused(5), dx_explicit(5);
  layer::backward_sgd(std::size_t{5}, std::size_t{3}, p.data(), x.data(), dy.data(), dx_fused.data(), 0.1f);
  layer::backward_input(std::size_t{5}, std::size_t{3}, q.data(), dy.data(), dx_explicit.data());
  layer::backward_params(std::size_t{5}, std::size_t{3}, x.data(), dy.data(), g.data());
  for (std::size_t k = 0; k < q.size(); ++k) q[k] -= 0.1f * g[k];
  BOOST_TEST(p == q, boost::test_tools::per_element());
  BOOST_TEST(dx_fused == dx_explicit, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sigmoid)
BOOST_AUTO_TEST_CASE(backward_matches_finite_differences) {
  check_elementwise<constnn::sigmoid>(random_vector(9, -4, 4, 6));
}
BOOST_AUTO_TEST_CASE(forward_is_one_half_at_zero_and_saturates) {
  double x[3] = {0, 40, -800}, y[3];
  constnn::sigmoid::forward(std::size_t{3}, x, y);
  BOOST_TEST(y[0] == 0.5);
  BOOST_TEST(y[1] == 1.0);
  BOOST_TEST(y[2] == 0.0);
}
BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tanh_layer)
BOOST_AUTO_TEST_CASE(backward_matches_finite_differences) {
  check_elementwise<constnn::tanh>(random_vector(9, -3, 3, 7));
}
BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(relu)
BOOST_AUTO_TEST_CASE(backward_matches_finite_differences_away_from_the_kink) {
  auto x = random_vector(9, -2, 2, 8);
  for (auto& v : x)
    if (std::abs(v) < 0.01) v = 0.5;
  check_elementwise<constnn::relu>(x);
}
BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(softmax)
BOOST_AUTO_TEST_CASE(backward_matches_finite_differences) {
  check_elementwise<constnn::softmax>(random_vector(10, -3, 3, 9));
}
BOOST_AUTO_TEST_CASE(forward_sums_to_one_and_survives_huge_scores) {
  float x[4] = {1000.f, 999.f, -1000.f, 1000.f}, y[4];
  constnn::softmax::forward(std::size_t{4}, x, y);
  BOOST_TEST(y[0] == y[3]);
  BOOST_TEST(y[0] + y[1] + y[2] + y[3] == 1.0f, boost::test_tools::tolerance(1e-6f));
  BOOST_TEST(y[2] == 0.0f);
}
BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cross_entropy)
BOOST_AUTO_TEST_CASE(backward_matches_finite_differences) {
  auto p = random_vector(6, 0.05, 1, 10);
  check_loss<constnn::cross_entropy>(p, 4);
}
BOOST_AUTO_TEST_CASE(value_is_minus_log_of_the_label_probability_and_infinite_at_zero) {
  double p[3] = {0.2, 0.5, 0.3};
  BOOST_TEST(constnn::cross_entropy::value(std::size_t{3}, p, 1) == -std::log(0.5));
  float zero[2] = {0.f, 1.f};
  BOOST_TEST(constnn::cross_entropy::value(std::size_t{2}, zero, 0) ==
             std::numeric_limits<float>::infinity());
}
BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(softmax_cross_entropy)
BOOST_AUTO_TEST_CASE(backward_matches_finite_differences) {
  check_loss<constnn::softmax_xent>(random_vector(10, -3, 3, 12), 7);
}
BOOST_AUTO_TEST_CASE(gradient_is_probabilities_minus_one_hot) {
  double b[3] = {0, 0, 0}, y[3], d[3];
  constnn::softmax_xent::forward(std::size_t{3}, b, y);
  constnn::softmax_xent::backward(std::size_t{3}, y, 2, d);
  BOOST_TEST(d[0] == 1.0 / 3);
  BOOST_TEST(d[2] == 1.0 / 3 - 1);
}
BOOST_AUTO_TEST_SUITE_END()
