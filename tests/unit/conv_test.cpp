// Tests of the convolution and pooling layers (layers/conv2d.hpp, conv1d.hpp, max_pool2d.hpp,
// avg_pool2d.hpp, global_avg_pool.hpp, flatten.hpp): the reference task's worked examples,
// finite differences on each layer alone and inside whole networks, fixed against run-time
// shapes, and the fused SGD step against the explicit gradient.
#define BOOST_TEST_MODULE conv
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <cstring>
#include <vector>

#include "../support/finite_difference.hpp"

using namespace constnn;
using constnn_test::l2_distance;
using constnn_test::numeric_gradient;
using constnn_test::random_vector;

namespace {

constexpr double fd_bound = 1e-7;

// J = r . layer(x) for a fixed random r: backward with dy = r must give dJ/dx and, through a
// gradient_store, dJ/dp.
template <class Layer, class In>
void check_layer_alone(const Layer& layer, const In& in, unsigned seed) {
  using traits = layer_traits<Layer>;
  using Out = decltype(layer.output_shape(in));
  const Out out = layer.output_shape(in);
  std::vector<double> p = random_vector(traits::param_count(layer, in), -0.5, 0.5, seed);
  std::vector<double> x = random_vector(in.size(), -1, 1, seed + 1);
  x[1] = 0;  // a zero input takes the skipping branches
  const std::vector<double> r = random_vector(out.size(), -1, 1, seed + 2);
  std::vector<double> extra(traits::extra_count(layer, in) + 1);
  std::vector<double> scratch(traits::backward_scratch_count(layer, in, true) + 1);
  auto objective = [&] {
    std::vector<double> y(out.size());
    layer.forward(forward_io<double, In, Out>{.in = in, .out = out, .params = p.data(),
                                              .x = x.data(), .y = y.data(),
                                              .extra = extra.data(), .scratch = scratch.data()});
    double j = 0;
    for (std::size_t k = 0; k < y.size(); ++k) j += r[k] * y[k];
    return j;
  };
  objective();  // leaves what backward reads (the arg-max of max pooling) in extra
  std::vector<double> y(out.size());
  layer.forward(forward_io<double, In, Out>{.in = in, .out = out, .params = p.data(),
                                            .x = x.data(), .y = y.data(), .extra = extra.data(),
                                            .scratch = scratch.data()});
  std::vector<double> dx(in.size()), g(p.size());
  layer.backward(backward_io<double, In, Out>{.in = in, .out = out, .params = p.data(),
                                              .x = x.data(), .y = y.data(),
                                              .extra = extra.data(), .dy = r.data(),
                                              .dx = dx.data(), .scratch = scratch.data()},
                 gradient_store<double>{g.data()});
  BOOST_TEST(l2_distance(dx, numeric_gradient(x, objective)) < fd_bound);
  if (!p.empty()) BOOST_TEST(l2_distance(g, numeric_gradient(p, objective)) < fd_bound);
}

template <class Net>
void check_network_gradient(const Net& net, unsigned seed) {
  std::vector<double> p(net.parameters_size()), ws(net.training_workspace_size());
  initialize(net, std::span<double>(p), init_scheme::he, seed);
  std::vector<double> x = random_vector(net.input_size(), -1, 1, seed + 1);
  x[2] = 0;
  const std::size_t label = 1;
  std::vector<double> g(p.size());
  net.gradient(p, x, label, g, ws);
  const auto numeric = numeric_gradient(p, [&] { return net.loss(p, x, label, ws); });
  BOOST_TEST(l2_distance(g, numeric) < fd_bound);
}

template <class T, class Net>
std::vector<T> train_on_synthetic_data(const Net& net, bool explicit_gradient) {
  std::vector<T> p(net.parameters_size()), ws(net.training_workspace_size()), g(p.size());
  initialize(net, std::span<T>(p), init_scheme::glorot, 5);
  splitmix64 rng(99);
  std::vector<T> x(net.input_size());
  for (int step = 0; step < 60; ++step) {
    for (auto& v : x) v = rng.uniform01<T>() < T(0.3) ? T(0) : rng.uniform01<T>();
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

// conv 3x3 same, relu, max pool, conv 2x2 stride 2 (valid), tanh, flatten, dense, softmax.
template <std::size_t H, std::size_t W, std::size_t F>
using small_cnn = sequential<double, input<H, W, 2>, conv2d<F, 3, 3, 1, padding::same>, relu,
                             max_pool2d<2, 2>, conv2d<4, 2, 2, 2>, constnn::tanh, flatten,
                             dense<dynamic, 3>, softmax_xent>;
using fixed_cnn = small_cnn<8, 8, 3>;
using runtime_cnn = small_cnn<dynamic, dynamic, dynamic>;

template <class T>
using float_cnn = sequential<T, input<12, 10, 1>, conv2d<4, 3, 3, 1, padding::same>, relu,
                             max_pool2d<2, 2>, conv2d<6, 3, 3>, sigmoid, avg_pool2d<2, 2>,
                             dense<12, 4>, softmax_xent>;
template <class T>
using float_cnn_runtime =
    sequential<T, input<dynamic, dynamic, 1>, conv2d<dynamic, 3, 3, 1, padding::same>, relu,
               max_pool2d<2, 2>, conv2d<6, 3, 3>, sigmoid, avg_pool2d<2, 2>,
               dense<dynamic, dynamic>, softmax_xent>;

float_cnn_runtime<float> make_float_cnn_runtime() {
  return float_cnn_runtime<float>(extents<dynamic, dynamic, 1>({12, 10, 1}), input<dynamic, dynamic, 1>{},
                                  conv2d<dynamic, 3, 3, 1, padding::same>(4), relu{},
                                  max_pool2d<2, 2>{}, conv2d<6, 3, 3>{}, sigmoid{},
                                  avg_pool2d<2, 2>{}, dense<dynamic, dynamic>(4), softmax_xent{});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(conv2d)

BOOST_AUTO_TEST_CASE(reference_example_six_by_six_with_an_edge_filter_gives_eight_at_row_3_col_2) {
  // The worked example of the reference task's material (cross-correlation, no padding).
  const std::vector<double> x{1, 0,  -2, 3, 4, 1,  2,  9, 5,  6, 0, -1, 0, -3, 1, 3, 4, 4,
                              6, 5,  2,  0, 6, 8,  -5, 4, -3, 1, 3, -2, 4, 1,  2, 8, 9, 7};
  const std::vector<double> p{-1, -1, -1, -1, 8, -1, -1, -1, -1, /* bias */ 0};
  const constnn::conv2d<1, 3, 3> layer;
  const extents<6, 6, 1> in;
  const auto out = layer.output_shape(in);
  static_assert(decltype(out)::rank() == 3 && decltype(out)::static_extent(0) == 4 &&
                decltype(out)::static_extent(1) == 4 && decltype(out)::static_extent(2) == 1);
  std::vector<double> y(16);
  layer.forward(forward_io<double, extents<6, 6, 1>, extents<4, 4, 1>>{
      .in = in, .out = out, .params = p.data(), .x = x.data(), .y = y.data()});
  BOOST_TEST(y[(3 - 1) * 4 + (2 - 1)] == 8.0);
  // Its first output by hand: the top-left window.
  BOOST_TEST(y[0] == -1 - 0 + 2 - 2 + 8 * 9 - 5 - 0 + 3 - 1);
}

BOOST_AUTO_TEST_CASE(reference_examples_of_output_sizes_and_shared_weights) {
  using six_by_four = decltype(constnn::conv2d<1, 2, 2, 2>{}.output_shape(extents<6, 4, 1>{}));
  static_assert(six_by_four::static_extent(0) == 3 && six_by_four::static_extent(1) == 2);
  using net = sequential<float, input<22, 22, 1>, constnn::conv2d<1, 4, 4, 2>, flatten,
                         dense<100, 2>, softmax_xent>;
  // 16 weights shared by the 10 x 10 output positions (1600 if each had its own) and a bias.
  static_assert(net::output_shape::static_size == 2);
  using positions = decltype(constnn::conv2d<1, 4, 4, 2>{}.output_shape(extents<22, 22, 1>{}));
  static_assert(positions::static_extent(0) == 10 && positions::static_extent(1) == 10);
  static_assert(positions::static_size * 16 == 1600);
  static_assert(net::param_count == (16 + 1) + (100 * 2 + 2));
}

BOOST_AUTO_TEST_CASE(same_padding_keeps_the_size_and_splits_the_padding_as_tflite_does) {
  using out = decltype(constnn::conv2d<2, 3, 3, 2, padding::same>{}.output_shape(extents<7, 6, 1>{}));
  static_assert(out::static_extent(0) == 4 && out::static_extent(1) == 3);
  // 7 rows, stride 2, kernel 3: the windows span 9 rows, one zero row on each side; 6 columns
  // span 7, so the one zero column goes after the input.
  static_assert(detail::window_pad_before(7, 3, 2, padding::same) == 1);
  static_assert(detail::window_pad_before(6, 3, 2, padding::same) == 0);
}

BOOST_AUTO_TEST_CASE(backward_matches_finite_differences_valid_same_and_strided) {
  check_layer_alone(constnn::conv2d<3, 3, 3>{}, extents<5, 6, 2>{}, 1);
  check_layer_alone(constnn::conv2d<2, 3, 2, 1, padding::same>{}, extents<4, 5, 3>{}, 2);
  check_layer_alone(constnn::conv2d<3, 3, 3, 2, padding::same>{}, extents<7, 6, 2>{}, 3);
  check_layer_alone(constnn::conv2d<2, 2, 2, 2>{}, extents<6, 4, 1>{}, 4);
}

BOOST_AUTO_TEST_CASE(fused_sgd_equals_gradient_then_update_bit_for_bit) {
  BOOST_TEST(same_bits(train_on_synthetic_data<float>(float_cnn<float>{}, false),
                       train_on_synthetic_data<float>(float_cnn<float>{}, true)));
  BOOST_TEST(same_bits(train_on_synthetic_data<double>(fixed_cnn{}, false),
                       train_on_synthetic_data<double>(fixed_cnn{}, true)));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(conv1d)

BOOST_AUTO_TEST_CASE(backward_matches_finite_differences_valid_same_and_strided) {
  check_layer_alone(constnn::conv1d<3, 3>{}, extents<9, 2>{}, 5);
  check_layer_alone(constnn::conv1d<2, 4, 1, padding::same>{}, extents<7, 3>{}, 6);
  check_layer_alone(constnn::conv1d<4, 3, 2, padding::same>{}, extents<10, 2>{}, 7);
}

BOOST_AUTO_TEST_CASE(is_conv2d_with_a_kernel_height_of_one) {
  const std::vector<double> p = random_vector(3 * 2 * 4 + 4, -1, 1, 8);
  const std::vector<double> x = random_vector(9 * 2, -1, 1, 9);
  std::vector<double> a(7 * 4), b(7 * 4);
  constnn::conv1d<4, 3>{}.forward(forward_io<double, extents<9, 2>, extents<7, 4>>{
      .params = p.data(), .x = x.data(), .y = a.data()});
  constnn::conv2d<4, 1, 3>{}.forward(forward_io<double, extents<1, 9, 2>, extents<1, 7, 4>>{
      .params = p.data(), .x = x.data(), .y = b.data()});
  BOOST_TEST(a == b, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pooling)

BOOST_AUTO_TEST_CASE(max_pool_takes_the_first_largest_value_of_each_window) {
  // 2 x 4 x 1: windows {1, 5, 2, 5} and {3, 0, 3, 1}.
  const std::vector<double> x{1, 5, 3, 0, 2, 5, 3, 1};
  std::vector<double> y(2), extra(2);
  max_pool2d<2, 2>{}.forward(forward_io<double, extents<2, 4, 1>, extents<1, 2, 1>>{
      .x = x.data(), .y = y.data(), .extra = extra.data()});
  BOOST_TEST(y[0] == 5.0);
  BOOST_TEST(y[1] == 3.0);
  BOOST_TEST(extra[0] == 1.0);  // row 0, column 1 of the window
  BOOST_TEST(extra[1] == 0.0);
}

BOOST_AUTO_TEST_CASE(backward_matches_finite_differences) {
  check_layer_alone(max_pool2d<2, 2>{}, extents<6, 4, 3>{}, 10);
  check_layer_alone(max_pool2d<3, 2, 2, 1>{}, extents<7, 5, 2>{}, 11);  // overlapping windows
  check_layer_alone(avg_pool2d<2, 2>{}, extents<6, 4, 3>{}, 12);
  check_layer_alone(avg_pool2d<3, 3, 2, 2>{}, extents<7, 7, 2>{}, 13);
  check_layer_alone(global_avg_pool{}, extents<5, 4, 3>{}, 14);
  check_layer_alone(global_avg_pool{}, extents<9, 2>{}, 15);
}

BOOST_AUTO_TEST_CASE(flatten_is_free_and_keeps_the_channels_last_order) {
  using net = sequential<float, input<4, 4, 2>, flatten, dense<32, 3>, softmax_xent>;
  using plain = sequential<float, dense<32, 3>, softmax_xent>;
  static_assert(net::param_count == plain::param_count);
  static_assert(net::inference_ram_bytes == plain::inference_ram_bytes);
  static_assert(net::training_ram_bytes == plain::training_ram_bytes);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cnn)

BOOST_AUTO_TEST_CASE(whole_network_gradients_match_finite_differences) {
  check_network_gradient(fixed_cnn{}, 20);
  check_network_gradient(float_cnn<double>{}, 21);
  using series = sequential<double, input<16, 3>, constnn::conv1d<4, 3, 2, padding::same>, sigmoid,
                            constnn::conv1d<5, 3>, relu, global_avg_pool, dense<5, 3>,
                            softmax_xent>;
  check_network_gradient(series{}, 22);
}

BOOST_AUTO_TEST_CASE(fixed_and_run_time_shapes_train_to_identical_bits) {
  const runtime_cnn dyn(extents<dynamic, dynamic, 2>({8, 8, 2}), input<dynamic, dynamic, 2>{},
                        constnn::conv2d<dynamic, 3, 3, 1, padding::same>(3), relu{},
                        max_pool2d<2, 2>{}, constnn::conv2d<4, 2, 2, 2>{}, constnn::tanh{},
                        flatten{}, dense<dynamic, 3>{}, softmax_xent{});
  BOOST_TEST(dyn.parameters_size() == fixed_cnn::param_count);
  BOOST_TEST(dyn.training_workspace_size() == fixed_cnn::training_workspace_count);
  BOOST_TEST(dyn.inference_workspace_size() == fixed_cnn::inference_workspace_count);
  BOOST_TEST(same_bits(train_on_synthetic_data<double>(fixed_cnn{}, false),
                       train_on_synthetic_data<double>(dyn, false)));
  BOOST_TEST(same_bits(train_on_synthetic_data<float>(float_cnn<float>{}, false),
                       train_on_synthetic_data<float>(make_float_cnn_runtime(), false)));
}

BOOST_AUTO_TEST_CASE(windows_chosen_at_run_time_train_to_the_fixed_windows_bits) {
  // Every kernel size, stride, padding and pooling window given to the constructors: the
  // same run-time geometry, so the same loops and the same bits as the fixed types.
  using conv = constnn::conv2d<dynamic, dynamic, dynamic, dynamic, padding::runtime>;
  using series_conv = constnn::conv1d<dynamic, dynamic, dynamic, padding::runtime>;
  using net = sequential<float, input<dynamic, dynamic, dynamic>, conv, relu,
                         max_pool2d<dynamic, dynamic>, conv, sigmoid, avg_pool2d<dynamic, dynamic>,
                         dense<dynamic, dynamic>, softmax_xent>;
  const net dyn(extents<dynamic, dynamic, dynamic>({12, 10, 1}), {}, conv(4, 3, 3, 1, padding::same),
                relu{}, max_pool2d<dynamic, dynamic>(2, 2), conv(6, 3, 3, 1, padding::valid),
                sigmoid{}, avg_pool2d<dynamic, dynamic>(2, 2), dense<dynamic, dynamic>(4),
                softmax_xent{});
  BOOST_TEST(dyn.parameters_size() == float_cnn<float>::param_count);
  BOOST_TEST(dyn.training_workspace_size() == float_cnn<float>::training_workspace_count);
  BOOST_TEST(same_bits(train_on_synthetic_data<float>(float_cnn<float>{}, false),
                       train_on_synthetic_data<float>(dyn, false)));

  // Strided, same-padded, overlapping windows, and conv1d.
  using strided = sequential<double, input<9, 11, 2>, constnn::conv2d<5, 3, 2, 2, padding::same>,
                             constnn::tanh, max_pool2d<3, 3, 2, 1>, flatten, dense<dynamic, 3>,
                             softmax_xent>;
  using strided_dyn = sequential<double, input<dynamic, dynamic, dynamic>, conv, constnn::tanh,
                                 max_pool2d<dynamic, dynamic, dynamic, dynamic>, flatten,
                                 dense<dynamic, dynamic>, softmax_xent>;
  const strided_dyn sd(extents<dynamic, dynamic, dynamic>({9, 11, 2}), {},
                       conv(5, 3, 2, 2, padding::same), constnn::tanh{},
                       max_pool2d<dynamic, dynamic, dynamic, dynamic>(3, 3, 2, 1), flatten{},
                       dense<dynamic, dynamic>(3), softmax_xent{});
  BOOST_TEST(sd.parameters_size() == strided::param_count);
  BOOST_TEST(same_bits(train_on_synthetic_data<double>(strided{}, false),
                       train_on_synthetic_data<double>(sd, false)));
  using series = sequential<double, input<16, 3>, constnn::conv1d<4, 3, 2, padding::same>, relu,
                            global_avg_pool, dense<4, 3>, softmax_xent>;
  using series_dyn = sequential<double, input<dynamic, dynamic>, series_conv, relu, global_avg_pool,
                                dense<dynamic, dynamic>, softmax_xent>;
  const series_dyn s(extents<dynamic, dynamic>({16, 3}), {}, series_conv(4, 3, 2, padding::same),
                     relu{}, global_avg_pool{}, dense<dynamic, dynamic>(3), softmax_xent{});
  BOOST_TEST(same_bits(train_on_synthetic_data<double>(series{}, false),
                       train_on_synthetic_data<double>(s, false)));
  check_network_gradient(sd, 23);
}

BOOST_AUTO_TEST_CASE(windows_chosen_at_run_time_are_refused_when_they_do_not_fit_or_disagree) {
  using conv = constnn::conv2d<dynamic, dynamic, dynamic, dynamic, padding::runtime>;
  using pool = max_pool2d<dynamic, dynamic>;
  const extents<dynamic, dynamic, dynamic> in({4, 2, 16});
  const auto fits = [&](const auto& layer) { return layer.takes_shape(in); };
  BOOST_TEST(!fits(conv(8, 5, 5, 1, padding::valid)));  // 5x5 on 4x2
  BOOST_TEST(fits(conv(8, 5, 5, 1, padding::same)));
  BOOST_TEST(!fits(conv(8, 3, 3, 0, padding::same)));     // no stride
  BOOST_TEST(!fits(conv(8, 3, 3, 1, padding::runtime)));  // no padding chosen
  BOOST_TEST(!fits(conv{}));
  // A size the type fixes must be given its own value.
  using fixed = constnn::conv2d<8, 3, 3>;
  using fixed_same = constnn::conv2d<8, 3, 3, 1, padding::same>;
  BOOST_TEST(!fits(fixed(8, 3, 2)));
  BOOST_TEST(!fits(fixed(8, 3, 3, 1, padding::same)));
  BOOST_TEST(fits(fixed_same(8, 3, 3, 1, padding::same)));
  BOOST_TEST(!fits(pool(3, 3)));
  BOOST_TEST(fits(pool(2, 2)));
  BOOST_TEST(!fits(max_pool2d<2, dynamic>(3, 2)));
  BOOST_TEST(!fits(pool{}));
  using series_conv = constnn::conv1d<dynamic, dynamic, dynamic, padding::runtime>;
  const extents<dynamic, dynamic> series({6, 2});
  BOOST_TEST(!series_conv(3, 7, 1, padding::valid).takes_shape(series));
  BOOST_TEST(series_conv(3, 7, 1, padding::same).takes_shape(series));
}

BOOST_AUTO_TEST_CASE(a_network_without_a_loss_predicts_what_its_trainable_twin_predicts) {
  // The same layers ending in softmax (no loss): inference only, the same outputs.
  using trainable = float_cnn<double>;
  using inference = sequential<double, input<12, 10, 1>, constnn::conv2d<4, 3, 3, 1, padding::same>,
                               relu, max_pool2d<2, 2>, constnn::conv2d<6, 3, 3>, sigmoid,
                               avg_pool2d<2, 2>, dense<12, 4>, softmax>;
  static_assert(trainable::can_train && !inference::can_train);
  static_assert(inference::param_count == trainable::param_count);
  static_assert(inference::inference_workspace_count == trainable::inference_workspace_count);
  std::vector<double> p(trainable::param_count);
  initialize(trainable{}, std::span<double>(p), init_scheme::he, 9);
  const std::vector<double> x = random_vector(120, 0, 1, 10);
  std::vector<double> ws_a(trainable::inference_workspace_count), ws_b(ws_a.size());
  const double* a = trainable{}.forward(p, x, ws_a);
  const double* b = inference{}.forward(p, x, ws_b);
  BOOST_TEST_REQUIRE((a != nullptr && b != nullptr));
  BOOST_TEST(std::vector<double>(a, a + 4) == std::vector<double>(b, b + 4),
             boost::test_tools::per_element());
  BOOST_TEST(inference{}.predict(p, x, ws_b) == trainable{}.predict(p, x, ws_a));
}

BOOST_AUTO_TEST_CASE(memory_figures_follow_the_plan) {
  using net = float_cnn<float>;
  // Parameters: conv 3x3x1x4 + 4, conv 3x3x4x6 + 6, dense 12x4 + 4.
  static_assert(net::param_count == 40 + 222 + 52);
  // Inference ping-pongs two buffers of the largest output (12 x 10 x 4 = 480).
  static_assert(net::inference_workspace_count == 2 * 480);
  // Training keeps: conv1 out 480 (relu shares it: conv does not read its output), pool out
  // 120 + its arg-max 120, conv2 out 4x3x6 = 72 (sigmoid shares it), avg pool out 12, dense
  // out 4 (softmax shares it); two deltas of the largest delta (480); scratch for conv2's
  // weights transposed (3 x 3 x 4 x 6 = 216), which its input gradient runs across.
  static_assert(net::training_workspace_count == 480 + 120 + 120 + 72 + 12 + 4 + 2 * 480 + 216);
  static_assert(net::training_ram_bytes == (314 + 1984) * 4);
}

BOOST_AUTO_TEST_SUITE_END()
