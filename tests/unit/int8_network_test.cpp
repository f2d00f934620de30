// Networks instantiated with constnn::int8: their parameters are the packed bytes of each
// layer's int8 form, and forward gives the bits of the int8 primitives applied by hand, layer
// by layer, to the same integers; in constant expressions too, and with run-time shapes.
#define BOOST_TEST_MODULE int8_network
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include <constnn/constnn.hpp>
#include <constnn/detail/int8_kernels.hpp>

#include "../support/ocr_data.hpp"

using namespace constnn;
namespace s8 = detail::s8;
namespace q = quantization;

namespace {

using fixed_net =
    sequential<int8, dense<8, 6>, relu, dense<6, 5>, sigmoid, dense<5, 3>, softmax_xent>;
using runtime_net = sequential<int8, dense<dynamic, dynamic>, relu, dense<dynamic, dynamic>,
                               sigmoid, dense<dynamic, dynamic>, softmax_xent>;

// Every operand of the network as typed arrays, from simple patterns: the independent side.
struct operands {
  std::array<std::int8_t, 48> w1{};
  std::array<std::int8_t, 30> w2{};
  std::array<std::int8_t, 15> w3{};
  std::array<std::int32_t, 6> b1{};
  std::array<std::int32_t, 5> b2{};
  std::array<std::int32_t, 3> b3{};
  std::array<fixed_point::quantized_multiplier, 6> m1{};
  std::array<fixed_point::quantized_multiplier, 5> m2{};
  std::array<fixed_point::quantized_multiplier, 3> m3{};
  q::affine x{0.02f, -10}, z1{0.05f, 7}, z2{0.03f, -4}, z3{0.1f, 2};
};

constexpr operands make_operands() {
  operands o;
  const auto fill = [](auto& w, int step, int offset) {
    for (std::size_t i = 0; i < w.size(); ++i)
      w[i] = static_cast<std::int8_t>(static_cast<int>(i) * step % 255 - offset);
  };
  fill(o.w1, 37, 127);
  fill(o.w2, 53, 120);
  fill(o.w3, 71, 110);
  for (std::size_t c = 0; c < 6; ++c) o.b1[c] = static_cast<std::int32_t>(c) * 311 - 800;
  for (std::size_t c = 0; c < 5; ++c) o.b2[c] = 500 - static_cast<std::int32_t>(c) * 207;
  o.b3 = {0, 25000, -5000};  // so that the 40 inputs below reach all three classes
  // Per-channel weight scales around 0.004: M = s_in s_w / s_out.
  for (std::size_t c = 0; c < 6; ++c)
    o.m1[c] = q::output_multiplier(o.x.scale, 0.004f + 0.0005f * static_cast<float>(c), o.z1.scale);
  for (std::size_t c = 0; c < 5; ++c)
    o.m2[c] =
        q::output_multiplier(o.z1.scale, 0.006f + 0.0003f * static_cast<float>(c), o.z2.scale);
  for (std::size_t c = 0; c < 3; ++c)
    o.m3[c] = q::output_multiplier(q::sigmoid_output.scale, 0.01f * static_cast<float>(c + 1),
                                   o.z3.scale);
  return o;
}
constexpr operands ops = make_operands();

// The parameter bytes of the network, layer by layer: dense, relu's zero point, dense, the
// sigmoid table, dense.
template <std::size_t N>
constexpr std::array<std::int8_t, N> pack(const operands& o) {
  std::array<std::int8_t, N> p{};
  std::int8_t* at = p.data();
  s8::packed_layer::write(at, o.x.zero_point, {o.z1.zero_point}, o.w1.data(), 48, o.b1.data(),
                          o.m1.data(), 6);
  at += s8::packed_layer::bytes(48, 6);
  detail::store_i32(at, o.z1.zero_point);
  at += 4;
  s8::packed_layer::write(at, o.z1.zero_point, {o.z2.zero_point}, o.w2.data(), 30, o.b2.data(),
                          o.m2.data(), 5);
  at += s8::packed_layer::bytes(30, 5);
  const q::lookup_table table = q::sigmoid_table(o.z2);
  for (std::size_t k = 0; k < 256; ++k) at[k] = table.values[k];
  at += 256;
  s8::packed_layer::write(at, q::sigmoid_output.zero_point, {o.z3.zero_point}, o.w3.data(), 15,
                          o.b3.data(), o.m3.data(), 3);
  return p;
}

constexpr std::size_t expected_bytes =
    (16 + 48 + 12 * 6) + 4 + (16 + 30 + 12 * 5) + 256 + (16 + 15 + 12 * 3);
static_assert(fixed_net::param_count == expected_bytes);
static_assert(fixed_net::parameter_bytes == expected_bytes);
static_assert(std::is_same_v<fixed_net::parameters, std::array<std::int8_t, expected_bytes>>);
static_assert(std::is_same_v<fixed_net::value_type, std::int8_t>);
// Two int8 buffers of the widest layer (6): a quarter of float's.
static_assert(fixed_net::inference_ram_bytes == 12);
static_assert(sequential<float, dense<8, 6>, relu, dense<6, 5>, sigmoid, dense<5, 3>,
                         softmax_xent>::inference_ram_bytes == 48);

constexpr fixed_net::parameters parameters = pack<expected_bytes>(ops);

constexpr std::array<std::int8_t, 8> input_of(int seed) {
  std::array<std::int8_t, 8> x{};
  for (std::size_t i = 0; i < 8; ++i)
    x[i] = static_cast<std::int8_t>((static_cast<int>(i) * 29 + seed * 61) % 256 - 128);
  return x;
}

// The primitives by hand on the typed operands: the outputs the network must give.
constexpr std::array<std::int8_t, 3> by_hand(const std::array<std::int8_t, 8>& x) {
  std::array<std::int8_t, 6> z1{};
  std::array<std::int8_t, 5> z2{};
  std::array<std::int8_t, 3> z3{};
  s8::fully_connected(8, 6, x.data(), ops.x.zero_point, ops.w1.data(),
                      s8::channel_arrays{ops.b1.data(), ops.m1.data()}, {ops.z1.zero_point},
                      z1.data());
  for (auto& v : z1) v = v > ops.z1.zero_point ? v : static_cast<std::int8_t>(ops.z1.zero_point);
  s8::fully_connected(6, 5, z1.data(), ops.z1.zero_point, ops.w2.data(),
                      s8::channel_arrays{ops.b2.data(), ops.m2.data()}, {ops.z2.zero_point},
                      z2.data());
  const q::lookup_table table = q::sigmoid_table(ops.z2);
  for (auto& v : z2) v = table(v);
  s8::fully_connected(5, 3, z2.data(), q::sigmoid_output.zero_point, ops.w3.data(),
                      s8::channel_arrays{ops.b3.data(), ops.m3.data()}, {ops.z3.zero_point},
                      z3.data());
  return z3;
}

constexpr std::size_t argmax(const std::array<std::int8_t, 3>& v) {
  std::size_t best = 0;
  for (std::size_t k = 1; k < 3; ++k)
    if (v[k] > v[best]) best = k;
  return best;
}

constexpr std::size_t predicted_at_compile_time(int seed) {
  constexpr fixed_net net{};
  fixed_net::inference_workspace ws{};
  return net.predict(parameters, input_of(seed), ws);
}
static_assert(predicted_at_compile_time(0) == argmax(by_hand(input_of(0))));
static_assert(predicted_at_compile_time(3) == argmax(by_hand(input_of(3))));

}  // namespace

BOOST_AUTO_TEST_CASE(forward_gives_the_primitives_bits_with_fixed_and_run_time_shapes) {
  const fixed_net fixed{};
  const runtime_net runtime({8, 6, 5, 3});
  BOOST_TEST_REQUIRE(runtime.valid());
  BOOST_TEST(runtime.parameters_size() == expected_bytes);
  BOOST_TEST(runtime.inference_workspace_size() == fixed_net::inference_workspace_count);
  std::array<std::int8_t, fixed_net::inference_workspace_count> ws{};
  std::vector<std::int8_t> ws2(runtime.inference_workspace_size());
  std::size_t classes_seen[3] = {};
  for (int seed = 0; seed < 40; ++seed) {
    const auto x = input_of(seed);
    const auto expected = by_hand(x);
    const std::int8_t* y = fixed.forward(parameters, x, ws);
    const std::int8_t* y2 = runtime.forward(parameters, x, ws2);
    BOOST_TEST_REQUIRE(y != nullptr);
    BOOST_TEST_REQUIRE(y2 != nullptr);
    for (std::size_t k = 0; k < 3; ++k) {
      BOOST_TEST(y[k] == expected[k]);
      BOOST_TEST(y2[k] == expected[k]);
    }
    const std::size_t c = fixed.predict(parameters, x, ws);
    BOOST_TEST(c == argmax(expected));
    BOOST_TEST(runtime.predict(parameters, x, ws2) == c);
    ++classes_seen[c];
  }
  // The inputs reach every class, so a wrong layer could not hide behind one answer.
  for (const std::size_t n : classes_seen) BOOST_TEST(n > 0u);
}

namespace {

// One layer with weights: its int8 operands from a pattern, written packed where it belongs.
struct weighted {
  std::vector<std::int8_t> w;
  std::vector<std::int32_t> b;
  std::vector<fixed_point::quantized_multiplier> m;
  std::int32_t in_zero, out_zero;
};

weighted make_weighted(std::size_t weights, std::size_t channels, int seed, std::int32_t in_zero,
                       std::int32_t out_zero, double multiplier) {
  weighted l{{}, {}, {}, in_zero, out_zero};
  for (std::size_t i = 0; i < weights; ++i)
    l.w.push_back(static_cast<std::int8_t>(
        static_cast<int>(i * 37 + static_cast<std::size_t>(seed) * 11) % 255 - 127));
  for (std::size_t c = 0; c < channels; ++c) {
    l.b.push_back(static_cast<std::int32_t>(c * 733 % 2000) - 1000);
    l.m.push_back(
        fixed_point::quantize_multiplier(multiplier * (1 + 0.1 * static_cast<double>(c))));
  }
  return l;
}

std::int8_t* write(std::int8_t* at, const weighted& l) {
  s8::packed_layer::write(at, l.in_zero, {l.out_zero}, l.w.data(), l.w.size(), l.b.data(),
                          l.m.data(), l.b.size());
  return at + s8::packed_layer::bytes(l.w.size(), l.b.size());
}

std::vector<std::int8_t> pattern_input(std::size_t n, int seed) {
  std::vector<std::int8_t> x(n);
  for (std::size_t i = 0; i < n; ++i)
    x[i] = static_cast<std::int8_t>(
        static_cast<int>(i * 53 + static_cast<std::size_t>(seed) * 97) % 256 - 128);
  return x;
}

}  // namespace

// conv2d (same padding), relu, max pooling, a valid conv2d, average pooling, flatten, dense.
BOOST_AUTO_TEST_CASE(a_convolutional_network_gives_the_primitives_bits) {
  using cnn =
      sequential<int8, input<6, 5, 2>, conv2d<3, 3, 3, 1, padding::same>, relu, max_pool2d<2, 2>,
                 conv2d<4, 2, 2>, avg_pool2d<2, 1>, flatten, dense<4, 3>, softmax_xent>;
  using conv_any = conv2d<dynamic, dynamic, dynamic, dynamic, padding::runtime>;
  using conv_valid = conv2d<dynamic, dynamic, dynamic>;
  using cnn_runtime =
      sequential<int8, input<dynamic, dynamic, dynamic>, conv_any, relu,
                 max_pool2d<dynamic, dynamic>, conv_valid, avg_pool2d<dynamic, dynamic>, flatten,
                 dense<dynamic, dynamic>, softmax_xent>;
  const weighted c1 = make_weighted(3 * 3 * 3 * 2, 3, 1, -5, 9, 0.003);
  const weighted c2 = make_weighted(4 * 2 * 2 * 3, 4, 2, 9, -2, 0.002);
  const weighted d = make_weighted(3 * 4, 3, 3, -2, 4, 0.01);
  constexpr std::size_t bytes = (16 + 54 + 36) + 4 + (16 + 48 + 48) + (16 + 12 + 36);
  static_assert(cnn::param_count == bytes);
  cnn::parameters p{};
  std::int8_t* at = write(p.data(), c1);
  detail::store_i32(at, c1.out_zero);
  at = write(at + 4, c2);
  write(at, d);

  const cnn fixed{};
  const cnn_runtime runtime(extents<dynamic, dynamic, dynamic>({6, 5, 2}), {},
                            conv_any(3, 3, 3, 1, padding::same), {},
                            max_pool2d<dynamic, dynamic>(2, 2), conv_valid(4, 2, 2),
                            avg_pool2d<dynamic, dynamic>(2, 1), {}, dense<dynamic, dynamic>(3), {});
  BOOST_TEST_REQUIRE(runtime.valid());
  BOOST_TEST(runtime.parameters_size() == bytes);
  cnn::inference_workspace ws{};
  std::vector<std::int8_t> ws2(runtime.inference_workspace_size());
  for (int seed = 0; seed < 20; ++seed) {
    const auto x = pattern_input(6 * 5 * 2, seed);
    // By hand: conv 6x5x2 -> 6x5x3 (same), relu at its zero point, 2x2 max -> 3x2x3,
    // conv 2x2 valid -> 2x1x4, average 2x1 -> 1x1x4, dense -> 3.
    std::vector<std::int8_t> a(6 * 5 * 3), b(3 * 2 * 3), c(2 * 1 * 4), e(4), y(3);
    s8::conv2d(detail::conv_geometry(6, 5, 2, 3, 3, 1, 1, 1, 1, 6, 5, 3), x.data(), c1.in_zero,
               c1.w.data(), s8::channel_arrays{c1.b.data(), c1.m.data()}, {c1.out_zero}, a.data());
    for (auto& v : a) v = v > c1.out_zero ? v : static_cast<std::int8_t>(c1.out_zero);
    s8::max_pool(detail::conv_geometry(6, 5, 3, 2, 2, 2, 2, 0, 0, 3, 2, 3), a.data(),
                 b.data());
    s8::conv2d(detail::conv_geometry(3, 2, 3, 2, 2, 1, 1, 0, 0, 2, 1, 4), b.data(), c2.in_zero,
               c2.w.data(), s8::channel_arrays{c2.b.data(), c2.m.data()}, {c2.out_zero}, c.data());
    s8::average_pool(detail::conv_geometry(2, 1, 4, 2, 1, 2, 1, 0, 0, 1, 1, 4), c.data(),
                     e.data());
    s8::fully_connected(4, 3, e.data(), d.in_zero, d.w.data(),
                        s8::channel_arrays{d.b.data(), d.m.data()}, {d.out_zero}, y.data());
    const std::int8_t* got = fixed.forward(p, x, ws);
    const std::int8_t* got2 = runtime.forward(p, x, ws2);
    BOOST_TEST_REQUIRE(got != nullptr);
    BOOST_TEST_REQUIRE(got2 != nullptr);
    for (std::size_t k = 0; k < 3; ++k) {
      BOOST_TEST(got[k] == y[k]);
      BOOST_TEST(got2[k] == y[k]);
    }
  }
}

// A series: conv1d (same), tanh by its table, global average pooling, dense.
BOOST_AUTO_TEST_CASE(a_series_network_gives_the_primitives_bits) {
  using net = sequential<int8, input<7, 2>, conv1d<3, 3, 1, padding::same>, constnn::tanh,
                         global_avg_pool, dense<3, 2>, softmax_xent>;
  const weighted c = make_weighted(3 * 3 * 2, 3, 4, 3, -6, 0.004);
  const weighted d = make_weighted(2 * 3, 2, 5, q::tanh_output.zero_point, 1, 0.02);
  const q::affine conv_out{0.04f, -6};
  const q::lookup_table table = q::tanh_table(conv_out);
  net::parameters p{};
  std::int8_t* at = write(p.data(), c);
  for (std::size_t k = 0; k < 256; ++k) at[k] = table.values[k];
  write(at + 256, d);
  const net n{};
  net::inference_workspace ws{};
  for (int seed = 0; seed < 20; ++seed) {
    const auto x = pattern_input(7 * 2, seed);
    std::vector<std::int8_t> a(7 * 3), g(3), y(2);
    s8::conv2d(detail::conv_geometry(1, 7, 2, 1, 3, 1, 1, 0, 1, 1, 7, 3), x.data(), c.in_zero,
               c.w.data(), s8::channel_arrays{c.b.data(), c.m.data()}, {c.out_zero}, a.data());
    for (auto& v : a) v = table(v);
    s8::average_pool(detail::conv_geometry(1, 7, 3, 1, 7, 1, 1, 0, 0, 1, 1, 3), a.data(),
                     g.data());
    s8::fully_connected(3, 2, g.data(), d.in_zero, d.w.data(),
                        s8::channel_arrays{d.b.data(), d.m.data()}, {d.out_zero}, y.data());
    const std::int8_t* got = n.forward(p, x, ws);
    BOOST_TEST_REQUIRE(got != nullptr);
    for (std::size_t k = 0; k < 2; ++k) BOOST_TEST(got[k] == y[k]);
  }
}

// Post-training quantization by the library (model/quantize.hpp) of the reference network
// trained in float: calibrated on the training set, it keeps the validation error within half a
// percentage point, and its int8 logits stay within a few grid steps of the float ones.
BOOST_AUTO_TEST_CASE(
    the_quantized_ocr_network_keeps_its_accuracy,
    *boost::unit_test::precondition(constnn_test::ocr_file_present{"largeTrain.csv"}) *
        boost::unit_test::precondition(constnn_test::ocr_file_present{"largeValidation.csv"})) {
  const auto train = constnn_test::load_csv<float>(constnn_test::ocr_file("largeTrain.csv"));
  const auto valid = constnn_test::load_csv<float>(constnn_test::ocr_file("largeValidation.csv"));
  const dataset_view<float, int> tv{train.features.data(), train.labels.data(), train.count(),
                                    train.width};
  const dataset_view<float, int> vv{valid.features.data(), valid.labels.data(), valid.count(),
                                    valid.width};
  using float_net = sequential<float, dense<128, 50>, sigmoid, dense<50, 10>, softmax_xent>;
  using int8_net = sequential<int8, dense<128, 50>, sigmoid, dense<50, 10>, softmax_xent>;
  const float_net net{};
  std::vector<float> p(net.parameters_size()), ws(net.training_workspace_size());
  initialize(net, std::span<float>(p), init_scheme::random, 0);
  for (int e = 0; e < 30; ++e)
    train_epoch(net, std::span<float>(p), tv, 0.01f, std::span<float>(ws));
  const evaluation float_result =
      evaluate(net, std::span<const float>(p), vv, std::span<float>(ws));

  std::array<tensor_range, float_net::layer_count + 1> ranges{};
  BOOST_TEST_REQUIRE(calibrate(net, std::span<const float>(p), tv, std::span<float>(ws),
                               std::span<tensor_range>(ranges)));
  BOOST_TEST(ranges[0].min == 0.0);
  BOOST_TEST(ranges[0].max == 1.0);
  const int8_net net8{};
  static_assert(int8_net::parameter_bytes == (16 + 6400 + 600) + 256 + (16 + 500 + 120));
  static_assert(int8_net::parameter_bytes * 3 < float_net::parameter_bytes);  // about a quarter
  int8_net::parameters p8{};
  std::array<q::affine, float_net::layer_count + 1> tensors{};
  BOOST_TEST_REQUIRE(quantize(net, std::span<const float>(p), std::span<const tensor_range>(ranges),
                              net8, std::span<std::int8_t>(p8), std::span<q::affine>(tensors)));
  BOOST_TEST((tensors[2] == q::sigmoid_output));
  BOOST_TEST((tensors[4] == tensors[3]));  // softmax_xent keeps the logits' grid

  int8_net::inference_workspace ws8{};
  std::size_t errors = 0;
  double logit_error = 0;
  for (std::size_t e = 0; e < vv.count; ++e) {
    std::array<std::int8_t, 128> x{};
    const auto f = vv.example(e);
    for (std::size_t i = 0; i < 128; ++i)
      x[i] = static_cast<std::int8_t>(q::quantize(f[i], tensors[0]));
    const std::int8_t* y = net8.forward(p8, x, ws8);
    BOOST_TEST_REQUIRE(y != nullptr);
    errors += net8.predicted_class(y) != vv.label(e) ? 1 : 0;
    // The float logits: the network's input to softmax, by hand from its parameters.
    double h[50];
    for (std::size_t o = 0; o < 50; ++o) {
      double z = p[6400 + o];
      for (std::size_t i = 0; i < 128; ++i) z += double{f[i]} * p[i * 50 + o];
      h[o] = 1 / (1 + std::exp(-z));
    }
    for (std::size_t k = 0; k < 10; ++k) {
      double z = p[6450 + 500 + k];
      for (std::size_t o = 0; o < 50; ++o) z += h[o] * p[6450 + o * 10 + k];
      logit_error += std::abs(q::dequantize(y[k], tensors[3]) - z) / tensors[3].scale;
    }
  }
  const double int8_error = static_cast<double>(errors) / static_cast<double>(vv.count);
  const double mean_steps = logit_error / static_cast<double>(vv.count * 10);
  BOOST_TEST_MESSAGE("OCR 128-50-10 quantized by constnn::quantize: validation error float "
                     << float_result.error_rate << ", int8 " << int8_error
                     << "; int8 logits off by " << mean_steps << " grid steps on average");
  BOOST_TEST(int8_error - float_result.error_rate <= 0.005);
  BOOST_TEST(mean_steps < 2.0);
}

// Layers chosen at run time (any_layer) quantize to the same bytes and grids as the fixed
// types, and run to the same bits: calibrate and quantize go through each kind's own int8 form.
BOOST_AUTO_TEST_CASE(layers_chosen_at_run_time_quantize_and_run_as_the_fixed_types) {
  using fixed_f = sequential<float, input<6, 5, 2>, conv2d<3, 3, 3, 1, padding::same>, relu,
                             max_pool2d<2, 2>, conv2d<4, 2, 2>, constnn::tanh, avg_pool2d<2, 1>,
                             flatten, dense<4, 3>, softmax_xent>;
  using fixed_8 = sequential<int8, input<6, 5, 2>, conv2d<3, 3, 3, 1, padding::same>, relu,
                             max_pool2d<2, 2>, conv2d<4, 2, 2>, constnn::tanh, avg_pool2d<2, 1>,
                             flatten, dense<4, 3>, softmax_xent>;
  using any_in = input<dynamic, dynamic, dynamic>;
  using stack_f = sequential<float, any_in, any_layer, any_layer, any_layer, any_layer, any_layer,
                             any_layer, any_layer, any_layer, softmax_xent>;
  using stack_8 = sequential<int8, any_in, any_layer, any_layer, any_layer, any_layer, any_layer,
                             any_layer, any_layer, any_layer, softmax_xent>;
  const any_layer layers[] = {any_layer::conv2d_kind(3, 3, 3, 1, padding::same),
                              relu{},
                              any_layer::max_pool2d_kind(2, 2),
                              any_layer::conv2d_kind(4, 2, 2, 1, padding::valid),
                              constnn::tanh{},
                              any_layer::avg_pool2d_kind(2, 1),
                              flatten{},
                              any_layer::dense_kind(3)};
  const any_shape in({6, 5, 2});
  const stack_f sf(in, {}, layers[0], layers[1], layers[2], layers[3], layers[4], layers[5],
                   layers[6], layers[7], {});
  const stack_8 s8n(in, {}, layers[0], layers[1], layers[2], layers[3], layers[4], layers[5],
                    layers[6], layers[7], {});
  BOOST_TEST_REQUIRE(sf.valid());
  BOOST_TEST_REQUIRE(s8n.valid());
  const fixed_f ff{};
  const fixed_8 f8{};
  BOOST_TEST(s8n.parameters_size() == fixed_8::param_count);
  BOOST_TEST(s8n.inference_workspace_size() == fixed_8::inference_workspace_count);

  fixed_f::parameters pf{};
  initialize(ff, std::span<float>(pf), init_scheme::he, 4);
  std::vector<float> inputs(6 * 5 * 2 * 64);
  for (std::size_t i = 0; i < inputs.size(); ++i)
    inputs[i] = static_cast<float>((i * 37) % 101) / 50.0f - 1.0f;
  std::vector<int> labels(64, 0);
  const dataset_view<float, int> data{inputs.data(), labels.data(), 64, 60};
  std::array<tensor_range, fixed_f::layer_count + 1> rf{}, rs{};
  fixed_f::inference_workspace wf{};
  std::vector<float> ws(sf.inference_workspace_size());
  BOOST_TEST_REQUIRE(calibrate(ff, std::span<const float>(pf), data, std::span<float>(wf),
                               std::span<tensor_range>(rf)));
  BOOST_TEST_REQUIRE(calibrate(sf, std::span<const float>(pf), data, std::span<float>(ws),
                               std::span<tensor_range>(rs)));
  for (std::size_t i = 0; i < rf.size(); ++i) {
    BOOST_TEST(rf[i].min == rs[i].min);
    BOOST_TEST(rf[i].max == rs[i].max);
  }
  fixed_8::parameters p8{};
  std::vector<std::int8_t> ps8(s8n.parameters_size());
  std::array<q::affine, fixed_f::layer_count + 1> tf{}, ts{};
  BOOST_TEST_REQUIRE(quantize(ff, std::span<const float>(pf), std::span<const tensor_range>(rf), f8,
                              std::span<std::int8_t>(p8), std::span<q::affine>(tf)));
  BOOST_TEST_REQUIRE(quantize(sf, std::span<const float>(pf), std::span<const tensor_range>(rs),
                              s8n, std::span<std::int8_t>(ps8), std::span<q::affine>(ts)));
  BOOST_TEST(std::equal(p8.begin(), p8.end(), ps8.begin()));
  for (std::size_t i = 0; i < tf.size(); ++i) BOOST_TEST((tf[i] == ts[i]));
  // Tensor l + 1 is layer l's output; layer 0 is the input itself.
  BOOST_TEST((tf[1] == tf[0]));
  BOOST_TEST((tf[3] == tf[2]));           // relu keeps its input's grid
  BOOST_TEST((tf[6] == q::tanh_output));  // tanh's is TFLite's
  BOOST_TEST((tf[7] == tf[6]));           // pooling keeps its input's

  fixed_8::inference_workspace w8{};
  std::vector<std::int8_t> ws8(s8n.inference_workspace_size());
  std::size_t agree = 0;
  for (std::size_t e = 0; e < 64; ++e) {
    std::array<std::int8_t, 60> x{};
    for (std::size_t i = 0; i < 60; ++i)
      x[i] = static_cast<std::int8_t>(q::quantize(inputs[e * 60 + i], tf[0]));
    const std::int8_t* a = f8.forward(p8, x, w8);
    const std::int8_t* b = s8n.forward(ps8, x, ws8);
    BOOST_TEST_REQUIRE((a != nullptr && b != nullptr));
    for (std::size_t k = 0; k < 3; ++k) BOOST_TEST(a[k] == b[k]);
    // And the int8 network agrees with float on most classes of these inputs.
    agree += f8.predicted_class(a) == ff.predict(pf, data.example(e), wf) ? 1 : 0;
  }
  BOOST_TEST(agree >= 48u, agree << " of 64 classes as in float");
}

BOOST_AUTO_TEST_CASE(grids_and_weight_scales_given_give_back_the_quantized_bytes) {
  // What an imported QDQ model is: the integers and grids of a quantization made elsewhere.
  // Here the elsewhere is quantize(): its integers dequantized and its grids and weight scales
  // handed to quantize_on_grids must give its very bytes.
  using layers_f = sequential<float, input<6, 5, 2>, conv2d<3, 3, 3, 1, padding::same>, relu,
                              max_pool2d<2, 2>, flatten, dense<18, 4>, sigmoid, dense<4, 3>,
                              softmax_xent>;
  using layers_d = sequential<double, input<6, 5, 2>, conv2d<3, 3, 3, 1, padding::same>, relu,
                              max_pool2d<2, 2>, flatten, dense<18, 4>, sigmoid, dense<4, 3>,
                              softmax_xent>;
  using layers_8 = sequential<int8, input<6, 5, 2>, conv2d<3, 3, 3, 1, padding::same>, relu,
                              max_pool2d<2, 2>, flatten, dense<18, 4>, sigmoid, dense<4, 3>,
                              softmax_xent>;
  const layers_f nf{};
  const layers_d nd{};
  const layers_8 n8{};
  layers_f::parameters pf{};
  initialize(nf, std::span<float>(pf), init_scheme::he, 11);
  std::vector<float> inputs(60 * 32);
  for (std::size_t i = 0; i < inputs.size(); ++i)
    inputs[i] = static_cast<float>((i * 53) % 97) / 48.0f - 1.0f;
  std::vector<int> labels(32, 0);
  const dataset_view<float, int> data{inputs.data(), labels.data(), 32, 60};
  std::array<tensor_range, layers_f::layer_count + 1> ranges{};
  layers_f::inference_workspace ws{};
  BOOST_TEST_REQUIRE(calibrate(nf, std::span<const float>(pf), data, std::span<float>(ws),
                               std::span<tensor_range>(ranges)));
  layers_8::parameters expected{};
  std::array<q::affine, layers_f::layer_count + 1> grids{};
  BOOST_TEST_REQUIRE(quantize(nf, std::span<const float>(pf),
                              std::span<const tensor_range>(ranges), n8,
                              std::span<std::int8_t>(expected), std::span<q::affine>(grids)));

  // Layers 1 (conv, 18 weights per filter), 5 and 7 (dense): each channel's scale as
  // quantize chose it, and its weights and bias back on their grids, in double.
  struct weighted {
    std::size_t layer, per_channel, channels;
  };
  const weighted with_weights[] = {{1, 18, 3}, {5, 18, 4}, {7, 4, 3}};
  layers_d::parameters pd{};
  std::copy(pf.begin(), pf.end(), pd.begin());
  std::vector<float> scales;
  for (const weighted& l : with_weights) {
    const std::size_t at = nf.param_offset(l.layer);
    for (std::size_t c = 0; c < l.channels; ++c) {
      double max_abs = 0;
      for (std::size_t k = 0; k < l.per_channel; ++k)
        max_abs = std::max(max_abs, std::abs(static_cast<double>(pf[at + k * l.channels + c])));
      const float s = q::weight_scale(max_abs);
      scales.push_back(s);
      for (std::size_t k = 0; k < l.per_channel; ++k) {
        double& w = pd[at + k * l.channels + c];
        w = q::quantize_weight(w, s) * static_cast<double>(s);
      }
      double& b = pd[at + l.per_channel * l.channels + c];
      b = q::quantize_bias(b, grids[l.layer].scale, s) *
          (static_cast<double>(grids[l.layer].scale) * static_cast<double>(s));
    }
  }
  layers_8::parameters given{};
  BOOST_TEST_REQUIRE(quantize_on_grids(nd, std::span<const double>(pd),
                                       std::span<const q::affine>(grids),
                                       std::span<const float>(scales), n8,
                                       std::span<std::int8_t>(given)));
  BOOST_TEST(std::equal(given.begin(), given.end(), expected.begin()));
  // A scale that differs changes that channel's integers and multiplier, so the check above
  // can tell.
  scales[4] *= 2;
  BOOST_TEST_REQUIRE(quantize_on_grids(nd, std::span<const double>(pd),
                                       std::span<const q::affine>(grids),
                                       std::span<const float>(scales), n8,
                                       std::span<std::int8_t>(given)));
  BOOST_TEST(!std::equal(given.begin(), given.end(), expected.begin()));
}
