// The int8 primitives (detail/int8_kernels.hpp) and the offline quantization steps
// (core/quantization.hpp): hand-computed cases, the real-valued computation they approximate
// (the integer accumulation is exact, so only the last rounding may differ), and the OCR
// reference network quantized after training, whose accuracy must stay within half a
// percentage point of float's.
#define BOOST_TEST_MODULE int8_kernels
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include <constnn/constnn.hpp>
#include <constnn/detail/int8_kernels.hpp>

#include "../support/ocr_data.hpp"

namespace q = constnn::quantization;
namespace fp = constnn::fixed_point;
namespace k8 = constnn::detail::s8;

namespace {

// Quantized operands of one layer, with the real values they stand for.
struct quantized_layer {
  std::vector<std::int8_t> weights;  // [out][in] or OHWI
  std::vector<std::int32_t> bias;
  std::vector<float> weight_scales;
  std::vector<fp::quantized_multiplier> multipliers;
};

// Per-channel symmetric weights (rows of `per_channel` values) and int32 biases.
quantized_layer quantize_layer(const std::vector<double>& w, const std::vector<double>& b,
                               std::size_t per_channel, q::affine in, q::affine out) {
  quantized_layer l;
  const std::size_t channels = b.size();
  for (std::size_t c = 0; c < channels; ++c) {
    double max_abs = 0;
    for (std::size_t i = 0; i < per_channel; ++i)
      max_abs = std::max(max_abs, std::abs(w[c * per_channel + i]));
    const float s = q::weight_scale(max_abs);
    l.weight_scales.push_back(s);
    for (std::size_t i = 0; i < per_channel; ++i)
      l.weights.push_back(q::quantize_weight(w[c * per_channel + i], s));
    l.bias.push_back(q::quantize_bias(b[c], in.scale, s));
    l.multipliers.push_back(q::output_multiplier(in.scale, s, out.scale));
  }
  return l;
}

}  // namespace

BOOST_AUTO_TEST_CASE(activation_parameters_contain_zero_and_pick_the_better_end) {
  BOOST_TEST((q::choose_activation_params(0, 1) == q::affine{1.0f / 255, -128}));
  // Both ends give zero point -0.5; the max end has the smaller error; -0.5 rounds to -1.
  BOOST_TEST((q::choose_activation_params(-1, 1) == q::affine{2.0f / 255, -1}));
  // Only positive values: the range still reaches down to 0.
  BOOST_TEST((q::choose_activation_params(2, 4) == q::affine{4.0f / 255, -128}));
  BOOST_TEST((q::choose_activation_params(-3, -1) == q::affine{3.0f / 255, 127}));
  BOOST_TEST((q::choose_activation_params(0, 0) == q::affine{1.0f, 0}));
  const auto p = q::choose_activation_params(-0.7, 2.3);
  BOOST_TEST(q::quantize(0.0, p) == p.zero_point);  // zero is exact
  BOOST_TEST(q::quantize(-0.7, p) == -128);
  // The zero point -68.5 is nudged to -69, moving the grid half a step: 2.3 lands on 126.
  BOOST_TEST(p.zero_point == -69);
  BOOST_TEST(q::quantize(2.3, p) == 126);
  BOOST_TEST(q::quantize(1e9, p) == 127);
  BOOST_TEST(q::quantize(-1e9, p) == -128);
}

BOOST_AUTO_TEST_CASE(weights_are_symmetric_and_biases_take_the_product_scale) {
  const float s = q::weight_scale(0.5);
  BOOST_TEST(q::quantize_weight(0.5, s) == 127);
  BOOST_TEST(q::quantize_weight(-0.5, s) == -127);  // never -128
  BOOST_TEST(q::quantize_weight(-0.75, s) == -127);
  BOOST_TEST(q::quantize_weight(0.0, s) == 0);
  BOOST_TEST(q::weight_scale(0) == 1.0f);
  BOOST_TEST(q::quantize_bias(1.0, 0.5f, 0.25f) == 8);
  BOOST_TEST(q::quantize_bias(-0.3125, 0.5f, 0.25f) == -3);  // -2.5 -> -3, away from zero
  BOOST_TEST(q::quantize_bias(1e30, 1.0f, 1.0f) == std::numeric_limits<std::int32_t>::max());
  static_assert(q::round_half_away(2.5) == 3 && q::round_half_away(-2.5) == -3 &&
                q::round_half_away(2.4999) == 2 && q::round_half_away(-0.5) == -1);
}

BOOST_AUTO_TEST_CASE(fully_connected_by_hand) {
  // x = [1, -2] with zero point -1 -> [2, -1]; w rows [3, 4] and [-5, 6]; bias [10, -10].
  // acc0 = 10 + 2*3 + (-1)*4 = 12; acc1 = -10 + 2*(-5) + (-1)*6 = -26; M = 0.5, zero point 3.
  const std::int8_t x[] = {1, -2}, w[] = {3, 4, -5, 6};
  const std::int32_t bias[] = {10, -10};
  const fp::quantized_multiplier m[] = {fp::quantize_multiplier(0.5), fp::quantize_multiplier(0.5)};
  std::int8_t y[2] = {};
  k8::fully_connected(2, 2, x, -1, w, k8::channel_arrays{bias, m}, {3, -128, 127}, y);
  BOOST_TEST(y[0] == 9);    // 6 + 3
  BOOST_TEST(y[1] == -10);  // -13 + 3
  // A folded ReLU: the clamp starts at the zero point.
  k8::fully_connected(2, 2, x, -1, w, k8::channel_arrays{bias, m}, {3, 3, 127}, y);
  BOOST_TEST(y[1] == 3);
}

BOOST_AUTO_TEST_CASE(random_layers_are_within_one_step_of_their_real_values) {
  std::mt19937 gen(11);
  std::normal_distribution<double> normal(0, 1);
  std::uniform_int_distribution<int> byte(-128, 127);
  for (std::size_t trial = 0; trial < 50; ++trial) {
    const std::size_t in = 1 + trial % 37, out = 1 + trial % 11;
    std::vector<double> w(in * out), b(out);
    for (double& v : w) v = normal(gen) * 0.3;
    for (double& v : b) v = normal(gen) * 0.1;
    const q::affine x_params{0.02f, static_cast<std::int32_t>(byte(gen) / 2)};
    const q::affine y_params{0.05f, static_cast<std::int32_t>(byte(gen) / 2)};
    const auto l = quantize_layer(w, b, in, x_params, y_params);
    std::vector<std::int8_t> x(in), y(out);
    for (auto& v : x) v = static_cast<std::int8_t>(byte(gen));
    k8::fully_connected(in, out, x.data(), x_params.zero_point, l.weights.data(),
                        k8::channel_arrays{l.bias.data(), l.multipliers.data()},
                        {y_params.zero_point}, y.data());
    for (std::size_t o = 0; o < out; ++o) {
      // The real computation on the quantized operands, in double.
      double real = static_cast<double>(l.bias[o]) * x_params.scale * l.weight_scales[o];
      for (std::size_t i = 0; i < in; ++i)
        real += q::dequantize(x[i], x_params) * l.weight_scales[o] * l.weights[o * in + i];
      const double expected =
          std::clamp(real / y_params.scale + y_params.zero_point, -128.0, 127.0);
      BOOST_TEST_REQUIRE(std::abs(y[o] - expected) <= 0.5 + 1e-6, "trial " << trial << " output "
                                                                           << o << ": " << int{y[o]}
                                                                           << " vs " << expected);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_one_by_one_convolution_is_a_fully_connected_layer_per_position) {
  std::mt19937 gen(5);
  std::uniform_int_distribution<int> byte(-128, 127);
  const std::size_t h = 3, w = 4, c = 5, f = 6;
  std::vector<std::int8_t> x(h * w * c), weights(f * c);
  for (auto& v : x) v = static_cast<std::int8_t>(byte(gen));
  for (auto& v : weights) v = static_cast<std::int8_t>(byte(gen) / 2);
  std::vector<std::int32_t> bias(f);
  for (auto& v : bias) v = byte(gen) * 40;
  std::vector<fp::quantized_multiplier> m;
  for (std::size_t i = 0; i < f; ++i)
    m.push_back(fp::quantize_multiplier(0.001 * static_cast<double>(i + 1)));
  const k8::channel_arrays channels{bias.data(), m.data()};
  const k8::output_stage os{-7};
  const constnn::detail::conv_geometry g(h, w, c, 1, 1, 1, 1, 0, 0, h, w, f);
  std::vector<std::int8_t> y(h * w * f), row(f);
  k8::conv2d(g, x.data(), 9, weights.data(), channels, os, y.data());
  for (std::size_t p = 0; p < h * w; ++p) {
    k8::fully_connected(c, f, x.data() + p * c, 9, weights.data(), channels, os, row.data());
    for (std::size_t o = 0; o < f; ++o) BOOST_TEST_REQUIRE(y[p * f + o] == row[o]);
  }
}

BOOST_AUTO_TEST_CASE(padding_contributes_nothing_as_if_it_held_the_zero_point) {
  // One channel 2x2 input, a 3x3 window of ones, same padding: each output sums the inputs
  // its window covers, offset by the zero point; M = 1.
  const std::int8_t x[] = {5, 6, 7, 8};
  std::int8_t w[9];
  std::fill(std::begin(w), std::end(w), std::int8_t{1});
  const fp::quantized_multiplier m[] = {fp::quantize_multiplier(1.0)};
  const constnn::detail::conv_geometry g(2, 2, 1, 3, 3, 1, 1, 1, 1, 2, 2, 1);
  std::int8_t y[4] = {};
  k8::conv2d(g, x, 4, w, k8::channel_arrays{nullptr, m}, {0}, y);
  // x - 4 = [1, 2, 3, 4]; every 3x3 window around a 2x2 image covers all four.
  for (const std::int8_t v : y) BOOST_TEST(v == 10);
}

BOOST_AUTO_TEST_CASE(pooling_keeps_the_grid_and_rounds_averages_away_from_zero) {
  const std::int8_t x[] = {-3, -2, 1, 2, 127, -128, 5, 6};  // 2x2 image, 2 channels
  const constnn::detail::conv_geometry g(2, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1, 2);
  std::int8_t y[2] = {};
  k8::max_pool(g, x, y);
  BOOST_TEST(y[0] == 127);
  BOOST_TEST(y[1] == 6);
  k8::average_pool(g, x, y);
  BOOST_TEST(y[0] == 33);   // (-3 + 1 + 127 + 5) / 4 = 32.5
  BOOST_TEST(y[1] == -31);  // (-2 + 2 - 128 + 6) / 4 = -30.5
}

BOOST_AUTO_TEST_CASE(sigmoid_and_tanh_tables_follow_tflites_grids) {
  const q::affine in{0.1f, 3};
  const auto s = q::sigmoid_table(in);
  const auto t = q::tanh_table(in);
  for (int v = -128; v <= 127; ++v) {
    const double x = static_cast<double>(0.1f) * (v - 3);
    const double sig = std::clamp(std::round((1 / (1 + std::exp(-x))) * 256) - 128, -128.0, 127.0);
    const double th = std::clamp(std::round(std::tanh(x) * 128), -128.0, 127.0);
    BOOST_TEST_REQUIRE(s(static_cast<std::int8_t>(v)) == sig, "sigmoid at " << v);
    BOOST_TEST_REQUIRE(t(static_cast<std::int8_t>(v)) == th, "tanh at " << v);
  }
  BOOST_TEST(s(3) == 0);                               // sigmoid(0) = 0.5 -> 128 - 128
  static_assert(q::sigmoid_table({0.1f, 3})(3) == 0);  // built at compile time
}

// Post-training quantization of the reference network (128-50-10, sigmoid) trained in float:
// inputs on [0, 1], the hidden pre-activations and the logits calibrated on the training set,
// sigmoid by its table, the class by argmax of the int8 logits.
BOOST_AUTO_TEST_CASE(
    the_ocr_network_quantized_after_training_loses_at_most_half_a_point,
    *boost::unit_test::precondition(constnn_test::ocr_file_present{"largeTrain.csv"}) *
        boost::unit_test::precondition(constnn_test::ocr_file_present{"largeValidation.csv"})) {
  using namespace constnn;
  const auto train = constnn_test::load_csv<float>(constnn_test::ocr_file("largeTrain.csv"));
  const auto valid = constnn_test::load_csv<float>(constnn_test::ocr_file("largeValidation.csv"));
  const dataset_view<float, int> tv{train.features.data(), train.labels.data(), train.count(),
                                    train.width};
  const dataset_view<float, int> vv{valid.features.data(), valid.labels.data(), valid.count(),
                                    valid.width};
  constexpr std::size_t n_in = 128, n_hidden = 50, n_out = 10;
  const sequential<float, dense<n_in, n_hidden>, sigmoid, dense<n_hidden, n_out>, softmax_xent> net;
  std::vector<float> p(net.parameters_size()), ws(net.training_workspace_size());
  initialize(net, std::span<float>(p), init_scheme::random, 0);
  for (int e = 0; e < 30; ++e)
    train_epoch(net, std::span<float>(p), tv, 0.01f, std::span<float>(ws));
  const evaluation float_result =
      evaluate(net, std::span<const float>(p), vv, std::span<float>(ws));

  // constnn's layout: w1[i * 50 + o], b1, w2[h * 10 + k], b2.
  const float* w1 = p.data();
  const float* b1 = w1 + n_in * n_hidden;
  const float* w2 = b1 + n_hidden;
  const float* b2 = w2 + n_hidden * n_out;
  const auto layer1 = [&](const float* x, std::size_t o) {
    double z = b1[o];
    for (std::size_t i = 0; i < n_in; ++i) z += double{x[i]} * w1[i * n_hidden + o];
    return z;
  };
  double z1_min = 0, z1_max = 0, z2_min = 0, z2_max = 0;
  for (std::size_t e = 0; e < tv.count; ++e) {
    double h[n_hidden];
    for (std::size_t o = 0; o < n_hidden; ++o) {
      const double z = layer1(tv.example(e).data(), o);
      z1_min = std::min(z1_min, z), z1_max = std::max(z1_max, z);
      h[o] = 1 / (1 + std::exp(-z));
    }
    for (std::size_t k = 0; k < n_out; ++k) {
      double z = b2[k];
      for (std::size_t o = 0; o < n_hidden; ++o) z += h[o] * w2[o * n_out + k];
      z2_min = std::min(z2_min, z), z2_max = std::max(z2_max, z);
    }
  }
  const q::affine x_params = q::choose_activation_params(0, 1);
  const q::affine z1_params = q::choose_activation_params(z1_min, z1_max);
  const q::affine z2_params = q::choose_activation_params(z2_min, z2_max);
  std::vector<double> w1_rows(n_in * n_hidden), w2_rows(n_hidden * n_out);
  for (std::size_t i = 0; i < n_in; ++i)
    for (std::size_t o = 0; o < n_hidden; ++o) w1_rows[o * n_in + i] = w1[i * n_hidden + o];
  for (std::size_t o = 0; o < n_hidden; ++o)
    for (std::size_t k = 0; k < n_out; ++k) w2_rows[k * n_hidden + o] = w2[o * n_out + k];
  const auto l1 =
      quantize_layer(w1_rows, std::vector<double>(b1, b1 + n_hidden), n_in, x_params, z1_params);
  const auto l2 = quantize_layer(w2_rows, std::vector<double>(b2, b2 + n_out), n_hidden,
                                 q::sigmoid_output, z2_params);
  const auto table = q::sigmoid_table(z1_params);

  std::size_t errors = 0;
  for (std::size_t e = 0; e < vv.count; ++e) {
    std::int8_t x[n_in], z1[n_hidden], z2[n_out];
    const auto features = vv.example(e);
    for (std::size_t i = 0; i < n_in; ++i)
      x[i] = static_cast<std::int8_t>(q::quantize(features[i], x_params));
    k8::fully_connected(n_in, n_hidden, x, x_params.zero_point, l1.weights.data(),
                        k8::channel_arrays{l1.bias.data(), l1.multipliers.data()},
                        {z1_params.zero_point}, z1);
    k8::apply_table(n_hidden, table.values, z1, z1);
    k8::fully_connected(n_hidden, n_out, z1, q::sigmoid_output.zero_point, l2.weights.data(),
                        k8::channel_arrays{l2.bias.data(), l2.multipliers.data()},
                        {z2_params.zero_point}, z2);
    errors += k8::argmax(n_out, z2) != static_cast<std::size_t>(valid.labels[e]) ? 1 : 0;
  }
  const double int8_error = static_cast<double>(errors) / static_cast<double>(vv.count);
  BOOST_TEST_MESSAGE("OCR 128-50-10 after 30 epochs: validation error float "
                     << float_result.error_rate << ", int8 " << int8_error);
  BOOST_TEST(int8_error - float_result.error_rate <= 0.005);
  BOOST_TEST(int8_error < 0.5, "the int8 network must still classify");
}
