// Networks instantiated with constnn::int8: their parameters are the packed bytes of each
// layer's int8 form, and forward gives the bits of the int8 primitives applied by hand, layer
// by layer, to the same integers; in constant expressions too, and with run-time shapes.
#define BOOST_TEST_MODULE int8_network
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdint>
#include <span>

#include <constnn/constnn.hpp>
#include <constnn/detail/int8_kernels.hpp>

using namespace constnn;
namespace s8 = detail::s8;
namespace q = quantization;

namespace {

using fixed_net = sequential<int8, dense<8, 6>, relu, dense<6, 5>, sigmoid, dense<5, 3>, softmax_xent>;
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
    o.m2[c] = q::output_multiplier(o.z1.scale, 0.006f + 0.0003f * static_cast<float>(c), o.z2.scale);
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

constexpr std::size_t expected_bytes = (16 + 48 + 12 * 6) + 4 + (16 + 30 + 12 * 5) + 256 +
                                       (16 + 15 + 12 * 3);
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
