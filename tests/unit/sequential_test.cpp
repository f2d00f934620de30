// Tests of model/sequential.hpp: whole-network gradients, fixed vs run-time sizes, the fused
// SGD path against the explicit-gradient path, memory figures and prediction rules.
#define BOOST_TEST_MODULE sequential
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <array>
#include <cstring>
#include <vector>

#include "../support/finite_difference.hpp"

using namespace constnn;
using constnn_test::l2_distance;
using constnn_test::numeric_gradient;
using constnn_test::random_vector;

namespace {

template <class T>
using reference_net = sequential<T, dense<128, 50>, sigmoid, dense<50, 10>, softmax_xent>;
template <class T>
using runtime_net =
    sequential<T, dense<dynamic, dynamic>, sigmoid, dense<dynamic, dynamic>, softmax_xent>;
using deep_net = sequential<double, dense<9, 7>, constnn::tanh, dense<7, 6>, relu, dense<6, 5>, sigmoid,
                            dense<5, 4>, softmax, cross_entropy>;

// The whole network's gradient against centered differences of its loss.
template <class Net>
void check_network_gradient(const Net& net, unsigned seed) {
  std::vector<double> p(net.parameters_size()), ws(net.training_workspace_size());
  initialize(net, std::span<double>(p), init_scheme::random, seed);
  for (auto& v : p) v *= 5;  // larger weights make every layer matter
  std::vector<double> x = random_vector(net.input_size(), 0, 1, seed + 1);
  x[2] = 0;
  const std::size_t label = 3;
  std::vector<double> g(p.size());
  net.gradient(p, x, label, g, ws);
  const auto numeric = numeric_gradient(p, [&] { return net.loss(p, x, label, ws); });
  BOOST_TEST(l2_distance(g, numeric) < 1e-7);
}

template <class T, class Net>
std::vector<T> train_on_synthetic_data(const Net& net, bool explicit_gradient) {
  std::vector<T> p(net.parameters_size()), ws(net.training_workspace_size()), g(p.size());
  initialize(net, std::span<T>(p), init_scheme::random, 5);
  splitmix64 rng(99);
  std::vector<T> x(net.input_size());
  for (int step = 0; step < 200; ++step) {
    for (auto& v : x) v = rng.uniform01<T>() < T(0.7) ? T(0) : rng.uniform01<T>();
    const std::size_t label = static_cast<std::size_t>(rng.next() % net.output_size());
    if (explicit_gradient) {
      net.gradient(p, x, label, g, ws);
      net.apply_sgd(p, g, T(0.05));
    } else {
      net.train_step(p, x, label, T(0.05), ws);
    }
  }
  return p;
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sequential)

BOOST_AUTO_TEST_CASE(reference_network_gradient_matches_finite_differences) {
  check_network_gradient(reference_net<double>{}, 1);
}

BOOST_AUTO_TEST_CASE(deeper_stack_gradient_matches_finite_differences) {
  check_network_gradient(deep_net{}, 2);
}

BOOST_AUTO_TEST_CASE(run_time_size_network_gradient_matches_finite_differences) {
  check_network_gradient(runtime_net<double>({13, 6, 4}), 3);
}

BOOST_AUTO_TEST_CASE(fixed_and_run_time_sizes_train_to_identical_bits) {
  const auto fixed_f = train_on_synthetic_data<float>(reference_net<float>{}, false);
  const auto runtime_f = train_on_synthetic_data<float>(runtime_net<float>({128, 50, 10}), false);
  BOOST_TEST(same_bits(fixed_f, runtime_f));
  const auto fixed_d = train_on_synthetic_data<double>(reference_net<double>{}, false);
  const auto runtime_d =
      train_on_synthetic_data<double>(runtime_net<double>({128, 50, 10}), false);
  BOOST_TEST(same_bits(fixed_d, runtime_d));
}

BOOST_AUTO_TEST_CASE(fused_sgd_and_explicit_gradient_paths_give_identical_bits) {
  BOOST_TEST(same_bits(train_on_synthetic_data<float>(reference_net<float>{}, false),
                       train_on_synthetic_data<float>(reference_net<float>{}, true)));
  deep_net deep;
  BOOST_TEST(same_bits(train_on_synthetic_data<double>(deep, false),
                       train_on_synthetic_data<double>(deep, true)));
}

BOOST_AUTO_TEST_CASE(reference_network_states_its_memory_at_compile_time) {
  using net = reference_net<float>;
  // 50 hidden units with 128 weights and a bias; 10 outputs with 50 weights and a bias.
  static_assert(net::param_count == 50 * (128 + 1) + 10 * (50 + 1));
  static_assert(net::parameter_bytes == 6960 * 4);
  // Prediction ping-pongs two buffers of the widest layer (50).
  static_assert(net::inference_ram_bytes == 2 * 50 * 4);
  // Training keeps the hidden output (sigmoid runs in place on it), the 10 outputs and two
  // delta buffers of 50, besides the parameters: no gradient buffer.
  static_assert(net::training_ram_bytes == 6960 * 4 + (50 + 10 + 2 * 50) * 4);
  static_assert(sizeof(model<net>) == net::training_ram_bytes);
  const runtime_net<float> dyn({128, 50, 10});
  BOOST_TEST(dyn.parameters_size() == net::param_count);
  BOOST_TEST(dyn.training_workspace_size() == net::training_workspace_count);
  BOOST_TEST(dyn.inference_workspace_size() == net::inference_workspace_count);
}

BOOST_AUTO_TEST_CASE(prediction_breaks_ties_towards_the_smallest_index) {
  // All-zero parameters give equal probabilities: the answer must be class 0.
  reference_net<float> net;
  std::array<float, reference_net<float>::param_count> p{};
  std::array<float, reference_net<float>::inference_workspace_count> ws{};
  std::array<float, 128> x{};
  x[5] = 1;
  BOOST_TEST(net.predict(p, x, ws) == 0u);
  // Raise the bias of classes 3 and 6 equally: the smaller index wins.
  p[net.dense_param_offset(1) + 50 * 10 + 3] = 1;
  p[net.dense_param_offset(1) + 50 * 10 + 6] = 1;
  BOOST_TEST(net.predict(p, x, ws) == 3u);
}

BOOST_AUTO_TEST_CASE(train_step_returns_the_loss_before_its_update) {
  model<reference_net<double>> m;
  m.initialize(init_scheme::random, 3);
  std::array<double, 128> x{};
  for (std::size_t i = 0; i < 128; i += 3) x[i] = 1;
  const double before = m.loss(x, 4);
  BOOST_TEST(m.train_step(x, 4, 0.1) == before);
  BOOST_TEST(m.loss(x, 4) < before);
}

BOOST_AUTO_TEST_SUITE_END()
