// Tests of layers chosen at run time (layers/any_layer.hpp): a network of any_layer must be
// the network spelled with fixed types in every figure and every bit (parameters, the
// plan's memory, training by SGD and by Adam with mini-batches, predictions), its gradients
// must match finite differences, and stacks that cannot run must be refused.
// Handler mode, so that a refused network reports its check instead of stopping the test
// (the sanitizer build, like every debug build, traps by default).
#define CONSTNN_CHECK_MODE CONSTNN_CHECK_HANDLER
#define BOOST_TEST_MODULE any_layer
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <array>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "../support/finite_difference.hpp"

using namespace constnn;
using constnn_test::l2_distance;
using constnn_test::numeric_gradient;
using constnn_test::random_vector;

namespace {
std::vector<std::string> failures;
}  // namespace

void constnn::check_failed(const char* message, const char*, int) noexcept {
  failures.emplace_back(message);
}

namespace {

constexpr std::size_t max_layers = 12;

// A network of max_layers any_layers: the given ones first, the rest passing their input on.
template <class T, std::size_t... I>
auto any_network(const any_shape& in, const std::array<any_layer, max_layers>& layers,
                 std::index_sequence<I...>) {
  using net = sequential<T, input<dynamic, dynamic, dynamic>, decltype((void(I), any_layer{}))...,
                         softmax_xent>;
  return net(in, {}, layers[I]..., softmax_xent{});
}
template <class T>
auto any_network(const any_shape& in, std::initializer_list<any_layer> given) {
  std::array<any_layer, max_layers> layers{};
  std::size_t k = 0;
  for (const any_layer& l : given) layers[k++] = l;
  return any_network<T>(in, layers, std::make_index_sequence<max_layers>{});
}

using conv = any_layer::conv2d_kind;
using series_conv = any_layer::conv1d_kind;
using pool = any_layer::max_pool2d_kind;
using mean_pool = any_layer::avg_pool2d_kind;
using fc = any_layer::dense_kind;

template <class T, class Net>
std::vector<T> train_sgd(const Net& net, init_scheme init) {
  std::vector<T> p(net.parameters_size()), ws(net.training_workspace_size());
  initialize(net, std::span<T>(p), init, 5);
  splitmix64 rng(99);
  std::vector<T> x(net.input_size());
  for (int step = 0; step < 40; ++step) {
    for (auto& v : x) v = rng.uniform01<T>() < T(0.3) ? T(0) : rng.uniform01<T>();
    const std::size_t label = static_cast<std::size_t>(rng.next() % net.output_size());
    net.train_step(p, x, label, T(0.05), ws);
  }
  return p;
}

template <class T, class Net>
std::vector<T> train_adam(const Net& net) {
  const std::size_t n = 36, width = net.input_size();
  std::vector<T> features(n * width);
  std::vector<int> labels(n);
  splitmix64 rng(7);
  for (auto& v : features) v = rng.uniform01<T>();
  for (auto& l : labels) l = static_cast<int>(rng.next() % net.output_size());
  const dataset_view<T, int> data{features.data(), labels.data(), n, width};
  std::vector<T> p(net.parameters_size()), ws(net.training_workspace_size());
  auto opt = adam(T(0.01));
  std::vector<T> state(optimizer_state_count<decltype(opt)>(p.size()));
  std::vector<T> grad(batch_gradient_count(5, p.size()));
  std::vector<std::size_t> order(n);
  initialize(net, std::span<T>(p), init_scheme::he, 3);
  for (std::uint64_t e = 0; e < 3; ++e) {
    shuffled_order(order, 11, e);
    train_epoch(net, std::span<T>(p), data, opt, std::span<T>(state), std::span<T>(grad),
                std::span<T>(ws), 5, std::span<const std::size_t>(order));
  }
  return p;
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

template <class Fixed, class Any>
void check_same_network(const Fixed& fixed, const Any& any) {
  using T = typename Fixed::scalar;
  BOOST_TEST_REQUIRE(any.parameters_size() == fixed.parameters_size());
  BOOST_TEST(any.inference_workspace_size() == fixed.inference_workspace_size());
  BOOST_TEST(any.training_workspace_size() == fixed.training_workspace_size());
  BOOST_TEST(any.input_size() == fixed.input_size());
  BOOST_TEST(any.output_size() == fixed.output_size());
  BOOST_TEST(same_bits(train_sgd<T>(fixed, init_scheme::glorot), train_sgd<T>(any, init_scheme::glorot)));
  BOOST_TEST(same_bits(train_sgd<T>(fixed, init_scheme::random), train_sgd<T>(any, init_scheme::random)));
  BOOST_TEST(same_bits(train_adam<T>(fixed), train_adam<T>(any)));
  // Prediction, one example and a batch through evaluate().
  const std::vector<T> p = train_sgd<T>(fixed, init_scheme::he);
  std::vector<T> wa(fixed.inference_workspace_size()), wb(any.inference_workspace_size());
  std::vector<T> x(fixed.input_size());
  for (std::size_t k = 0; k < x.size(); ++k) x[k] = static_cast<T>(k % 7) / T(7);
  const T* ya = fixed.forward(p, x, wa);
  const T* yb = any.forward(p, x, wb);
  BOOST_TEST_REQUIRE((ya != nullptr && yb != nullptr));
  BOOST_TEST(std::memcmp(ya, yb, fixed.output_size() * sizeof(T)) == 0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(any_layer_networks)

BOOST_AUTO_TEST_CASE(a_cnn_of_any_layers_is_the_fixed_cnn_in_every_figure_and_bit) {
  using fixed = sequential<float, input<12, 10, 1>, conv2d<4, 3, 3, 1, padding::same>, relu,
                           max_pool2d<2, 2>, conv2d<6, 3, 3>, sigmoid, avg_pool2d<2, 2>, flatten,
                           dense<12, 4>, softmax_xent>;
  const auto any = any_network<float>(
      any_shape({12, 10, 1}), {conv(4, 3, 3, 1, padding::same), relu{}, pool(2, 2),
                               conv(6, 3, 3, 1, padding::valid), sigmoid{}, mean_pool(2, 2),
                               flatten{}, fc(4)});
  BOOST_TEST(any.valid());
  failures.clear();
  check_same_network(fixed{}, any);
  BOOST_TEST(failures.empty());
}

BOOST_AUTO_TEST_CASE(strides_overlap_series_and_deep_mlps_too) {
  using strided = sequential<double, input<9, 11, 2>, conv2d<5, 3, 2, 2, padding::same>,
                             constnn::tanh, max_pool2d<3, 3, 2, 1>, flatten, dense<dynamic, 3>,
                             softmax_xent>;
  const auto a = any_network<double>(any_shape({9, 11, 2}),
                                     {conv(5, 3, 2, 2, padding::same), constnn::tanh{},
                                      pool(3, 3, 2, 1), flatten{}, fc(3)});
  check_same_network(strided{}, a);
  // A series is 1 x L x C.
  using series = sequential<double, input<16, 3>, conv1d<4, 3, 2, padding::same>, relu,
                            conv1d<5, 3>, sigmoid, global_avg_pool, dense<5, 3>, softmax_xent>;
  const auto s = any_network<double>(any_shape({1, 16, 3}),
                                     {series_conv(4, 3, 2, padding::same), relu{},
                                      series_conv(5, 3, 1, padding::valid), sigmoid{},
                                      global_avg_pool{}, fc(3)});
  check_same_network(series{}, s);
  // The reference network's shape and a deeper MLP: dense layers on a vector, 1 x 1 x N.
  using mlp = sequential<float, dense<37, 45>, relu, dense<45, 19>, constnn::tanh, dense<19, 6>,
                         sigmoid, dense<6, 5>, softmax_xent>;
  const auto m = any_network<float>(any_shape({1, 1, 37}), {fc(45), relu{}, fc(19), constnn::tanh{},
                                                            fc(6), sigmoid{}, fc(5)});
  check_same_network(mlp{}, m);
}

BOOST_AUTO_TEST_CASE(gradients_match_finite_differences) {
  const auto net = any_network<double>(any_shape({6, 7, 2}),
                                       {conv(3, 3, 3, 1, padding::same), relu{}, pool(2, 2),
                                        conv(4, 2, 2, 1, padding::valid), constnn::tanh{},
                                        mean_pool(2, 1), fc(3)});
  std::vector<double> p(net.parameters_size()), ws(net.training_workspace_size());
  initialize(net, std::span<double>(p), init_scheme::he, 4);
  std::vector<double> x = random_vector(net.input_size(), -1, 1, 5);
  std::vector<double> g(p.size());
  net.gradient(p, x, 2, g, ws);
  const auto numeric = numeric_gradient(p, [&] { return net.loss(p, x, 2, ws); });
  BOOST_TEST(l2_distance(g, numeric) < 1e-7);
}

BOOST_AUTO_TEST_CASE(stacks_that_cannot_run_are_refused) {
  // conv1d needs a series (one row), a window must fit; each refusal fails the network's check.
  failures.clear();
  const auto image_to_series =
      any_network<float>(any_shape({4, 5, 1}), {series_conv(2, 3, 1, padding::valid), fc(2)});
  BOOST_TEST(!image_to_series.valid());
  BOOST_TEST(failures.size() == 1u);
  const auto too_big =
      any_network<float>(any_shape({4, 2, 16}), {conv(8, 5, 5, 1, padding::valid), fc(2)});
  BOOST_TEST(!too_big.valid());
  BOOST_TEST(failures.size() == 2u);
  const auto fine =
      any_network<float>(any_shape({4, 2, 16}), {conv(8, 5, 5, 1, padding::same), fc(2)});
  BOOST_TEST(fine.valid());
  BOOST_TEST(failures.size() == 2u);
  BOOST_TEST(fine.parameters_size() == (5 * 5 * 16 * 8 + 8) + (4 * 2 * 8 * 2 + 2));
  // What a layer says of itself.
  const any_layer r = relu{};
  const layer_facts f = r.facts(any_shape({1, 1, 4}));
  BOOST_TEST((f.in_place && f.saves_output && !f.has_params && !f.view));
  BOOST_TEST(any_layer{}.facts(any_shape({1, 1, 4})).view);
  BOOST_TEST(any_layer(flatten{}).facts(any_shape({2, 2, 4})).view);
  BOOST_TEST(any_layer(fc(3)).get_if<fc>() != nullptr);
  BOOST_TEST(any_layer(fc(3)).get_if<conv>() == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
