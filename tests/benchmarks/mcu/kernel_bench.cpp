// Instruction counts of constnn's kernels on a microcontroller: one prediction and one SGD
// step of the reference network (128-50-10, float), on a dense input (every multiply-add
// done) and on an OCR-like binary input (zero inputs skipped), and one 3x3 convolution
// layer's forward pass (10x10x8 to 8x8x16, valid: 73,728 multiply-adds). Weights come from RANDOM
// init at compile time, so this needs no data set and no train_export.
//
// Then the int8 primitives (detail/int8_kernels.hpp, the TFLite int8 arithmetic): a fully
// connected layer 128 -> 50 (6,400 multiply-adds), the same 3x3 convolution in int8, with
// per-channel multipliers, and a first layer's convolution of a one-channel image (18x10x1
// to 16x8x8, 3x3, no padding: 9,216 multiply-adds).
//
// Built for a Cortex-M target with firmware_example's startup code and semihosting console,
// and for the host with its stdout console; both print the same lines (a digest of every
// output bit), which mcu_instruction_counts.sh compares. The QEMU plugin counts the
// instructions between the constnn_bench_begin/end markers: first an empty pair (the marker
// overhead), then the four measured regions in the order printed.
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include <constnn/constnn.hpp>
#include <constnn/detail/int8_kernels.hpp>

#include "app.hpp"
#include "platform.hpp"

namespace {

using net_t = constnn::sequential<float, constnn::dense<128, 50>, constnn::sigmoid,
                                  constnn::dense<50, 10>, constnn::softmax_xent>;
constexpr net_t net{};

constexpr net_t::parameters initial_parameters = [] {
  net_t::parameters p{};
  constnn::initialize(net, std::span<float>(p), constnn::init_scheme::random, 2024);
  return p;
}();

// Every input nonzero (no multiply-add skipped), and a binary 16x8 glyph with 27 of 128
// pixels set, as the OCR letters have on average.
constexpr std::array<float, 128> dense_input = [] {
  std::array<float, 128> x{};
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7 + 1) / 8.0f;
  return x;
}();
constexpr std::array<float, 128> binary_input = [] {
  std::array<float, 128> x{};
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = (i * 37 + 11) % 128 < 27 ? 1.0f : 0.0f;
  return x;
}();

#ifndef CONSTNN_BENCH_RAM_BYTES
#define CONSTNN_BENCH_RAM_BYTES (1u << 30)  // the host
#endif
net_t::inference_workspace inference_ws{};

// The convolution: 16 filters of 3x3x8 over a 10x10x8 input, no padding.
using conv_t = constnn::conv2d<16, 3, 3>;
using conv_in = constnn::extents<10, 10, 8>;
using conv_out = constnn::extents<8, 8, 16>;
constexpr std::array<float, 3 * 3 * 8 * 16 + 16> conv_parameters = [] {
  std::array<float, 3 * 3 * 8 * 16 + 16> p{};
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<float>(i % 13) / 16.0f - 0.375f;
  return p;
}();
constexpr std::array<float, 10 * 10 * 8> conv_input = [] {
  std::array<float, 10 * 10 * 8> x{};
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 11 + 1) / 8.0f;
  return x;
}();
std::array<float, 8 * 8 * 16> conv_output{};

// int8 operands: weights, inputs and biases from simple patterns, multipliers that keep the
// outputs inside the int8 range, and the OCR pixels' input zero point.
template <std::size_t N>
constexpr std::array<std::int8_t, N> int8_pattern(std::size_t step, std::size_t mod, int offset) {
  std::array<std::int8_t, N> v{};
  for (std::size_t i = 0; i < N; ++i)
    v[i] = static_cast<std::int8_t>(static_cast<int>((i * step) % mod) - offset);
  return v;
}
constexpr auto fc_weights = int8_pattern<50 * 128>(7, 255, 127);
constexpr auto fc_input = int8_pattern<128>(5, 256, 128);
constexpr auto conv8_weights = int8_pattern<16 * 3 * 3 * 8>(11, 255, 127);
constexpr auto conv8_input = int8_pattern<10 * 10 * 8>(3, 256, 128);
constexpr auto conv1_weights = int8_pattern<8 * 3 * 3>(13, 255, 127);
constexpr auto conv1_input = int8_pattern<18 * 10>(5, 256, 128);
template <std::size_t N>
constexpr std::array<std::int32_t, N> int8_biases() {
  std::array<std::int32_t, N> b{};
  for (std::size_t i = 0; i < N; ++i) b[i] = static_cast<std::int32_t>(i * 97 % 1000) - 500;
  return b;
}
template <std::size_t N>
constexpr std::array<constnn::fixed_point::quantized_multiplier, N> int8_multipliers() {
  std::array<constnn::fixed_point::quantized_multiplier, N> m{};
  for (std::size_t i = 0; i < N; ++i)
    m[i] = constnn::fixed_point::quantize_multiplier(0.0002 + 0.00001 * static_cast<double>(i));
  return m;
}
constexpr auto fc_bias = int8_biases<50>();
constexpr auto fc_multipliers = int8_multipliers<50>();
constexpr auto conv8_bias = int8_biases<16>();
constexpr auto conv8_multipliers = int8_multipliers<16>();
std::array<std::int8_t, 50> fc_output{};
std::array<std::int8_t, 8 * 8 * 16> conv8_output{};
constexpr auto conv1_bias = int8_biases<8>();
constexpr auto conv1_multipliers = int8_multipliers<8>();
std::array<std::int8_t, 16 * 8 * 8> conv1_output{};

std::uint32_t digest8(std::span<const std::int8_t> v) {
  std::uint32_t h = 2166136261u;
  for (const std::int8_t b : v) {
    h ^= static_cast<std::uint8_t>(b);
    h *= 16777619u;
  }
  return h;
}

// The int8 kernels on shapes that reach every edge of their loops: widths not a multiple of
// four, one to three channels left over, padding, strides, one to eight input channels,
// every input zero point's sign and a folded ReLU's clamp. Each case's outputs at run time
// (the target's kernels) must equal the same call's in a constant expression, where the
// portable loops run: the compiler for this target computes the reference.
struct fc_case {
  std::size_t in, out;
  std::int32_t zero_point;
  constnn::detail::s8::output_stage stage;
  double multiplier = 0.001;  // channel c's: multiplier * (1 + c / 2)
};
struct conv_case {
  std::size_t h, w, c, k, stride, pad, filters;
  std::int32_t zero_point;
  constnn::detail::s8::output_stage stage;
  double multiplier = 0.002;  // channel c's: multiplier * (1 + c / 2)
  constexpr std::size_t out_h() const { return (h + 2 * pad - k) / stride + 1; }
  constexpr std::size_t out_w() const { return (w + 2 * pad - k) / stride + 1; }
};
constexpr std::array<fc_case, 9> fc_cases{{{1, 1, 0, {}},
                                           {3, 5, -128, {}},
                                           {7, 2, 37, {5, 5, 127}},
                                           {70, 3, -128, {-3}},
                                           {64, 4, 127, {}},
                                           {5, 3, -1, {-128, -128, 127}},
                                           {33, 6, 12, {20, 20, 127}},
                                           {8, 9, -128, {0}},
                                           {36, 7, -128, {}, 0.3}}};
constexpr std::array<conv_case, 12> conv_cases{{{6, 5, 1, 3, 1, 1, 3, -128, {}},
                                               {7, 6, 3, 3, 2, 1, 5, 17, {4, 4, 127}},
                                               {5, 5, 4, 3, 1, 1, 6, -128, {-2}},
                                               {5, 6, 8, 3, 1, 0, 2, 90, {}},
                                               {4, 4, 2, 1, 1, 0, 1, -5, {}},
                                               {8, 8, 1, 5, 2, 2, 4, -128, {-128, -128, 127}},
                                               {3, 9, 4, 3, 1, 1, 7, 0, {}},
                                               {5, 6, 5, 2, 2, 0, 3, 127, {1}},
                                               // Multipliers from one half up (TFLite's
                                               // general requantization, left shifts), one
                                               // channel's or more, and a clamp below 127.
                                               {8, 6, 1, 3, 1, 1, 5, -128, {}, 0.9},
                                               {7, 7, 1, 3, 1, 0, 9, 20, {3, -100, 90}},
                                               {5, 5, 8, 3, 1, 1, 3, -128, {6, 6, 127}, 3.0},
                                               {6, 6, 4, 3, 1, 1, 6, 5, {}, 0.3}}};
constexpr std::size_t max_case_bytes = 256;  // small: the M0+ has 2 KiB of stack

template <class F>
constexpr std::array<std::int8_t, max_case_bytes> case_outputs(const F& run) {
  std::array<std::int8_t, max_case_bytes> y{};
  run(y.data());
  return y;
}
// A case's weights, inputs, biases and multipliers, from simple patterns that differ by case.
struct case_operands {
  std::array<std::int8_t, max_case_bytes> w{}, x{};
  std::array<std::int32_t, 16> b{};
  std::array<constnn::fixed_point::quantized_multiplier, 16> m{};
  constexpr case_operands(std::size_t weights, std::size_t inputs, std::size_t channels,
                          std::size_t k, std::size_t step, std::int32_t bias_range,
                          double multiplier) {
    for (std::size_t i = 0; i < weights; ++i)
      w[i] = static_cast<std::int8_t>(static_cast<int>((i * step + k) % 255) - 127);
    for (std::size_t i = 0; i < inputs; ++i)
      x[i] = static_cast<std::int8_t>(static_cast<int>((i * (step + 24) + 3 * k) % 256) - 128);
    for (std::size_t c = 0; c < channels; ++c) {
      b[c] = static_cast<std::int32_t>(c * 311 % static_cast<std::size_t>(2 * bias_range)) -
             bias_range;
      m[c] = constnn::fixed_point::quantize_multiplier(multiplier *
                                                       (1.0 + 0.5 * static_cast<double>(c)));
    }
  }
  constexpr constnn::detail::s8::channel_arrays channels() const { return {b.data(), m.data()}; }
};
constexpr auto fc_case_run(std::size_t k) {
  return [k](std::int8_t* y) {
    const fc_case c = fc_cases[k];
    const case_operands op(c.in * c.out, c.in, c.out, k, 29, 1000, c.multiplier);
    constnn::detail::s8::fully_connected(c.in, c.out, op.x.data(), c.zero_point, op.w.data(),
                                         op.channels(), c.stage, y);
  };
}
constexpr auto conv_case_run(std::size_t k) {
  return [k](std::int8_t* y) {
    const conv_case c = conv_cases[k];
    const case_operands op(c.filters * c.k * c.k * c.c, c.h * c.w * c.c, c.filters, k, 31, 1500,
                           c.multiplier);
    const constnn::detail::conv_geometry g(c.h, c.w, c.c, c.k, c.k, c.stride, c.stride, c.pad,
                                           c.pad, c.out_h(), c.out_w(), c.filters);
    constnn::detail::s8::conv2d(g, op.x.data(), c.zero_point, op.w.data(), op.channels(), c.stage,
                                y);
  };
}
template <std::size_t... F, std::size_t... C>
bool int8_kernels_match_constant_evaluation(std::index_sequence<F...>, std::index_sequence<C...>) {
  static constexpr std::array<std::array<std::int8_t, max_case_bytes>, sizeof...(F)> fc_reference{
      case_outputs(fc_case_run(F))...};
  static constexpr std::array<std::array<std::int8_t, max_case_bytes>, sizeof...(C)>
      conv_reference{case_outputs(conv_case_run(C))...};
  bool same = true;
  for (std::size_t k = 0; k < sizeof...(F); ++k)
    same = same && case_outputs(fc_case_run(k)) == fc_reference[k];
  for (std::size_t k = 0; k < sizeof...(C); ++k)
    same = same && case_outputs(conv_case_run(k)) == conv_reference[k];
  return same;
}

// Training needs the weights in RAM beside the buffers above; a target too small for them all
// (the M0+, the RV32IMAC part) only predicts.
constexpr bool trains = net_t::training_ram_bytes + sizeof(inference_ws) + sizeof(conv_output) <=
                        CONSTNN_BENCH_RAM_BYTES;

void put(const char* label, std::uint32_t value) {
  char text[64];
  std::size_t n = 0;
  for (const char* c = label; *c != '\0'; ++c) text[n++] = *c;
  text[n++] = ' ';
  for (int shift = 28; shift >= 0; shift -= 4) text[n++] = "0123456789abcdef"[(value >> shift) & 15u];
  text[n++] = '\n';
  text[n] = '\0';
  fw::write_text(text);
}

std::uint32_t digest(std::span<const float> v) {
  std::uint32_t h = 2166136261u;
  for (const float f : v) {
    h ^= std::bit_cast<std::uint32_t>(f);
    h *= 16777619u;
  }
  return h;
}

}  // namespace

int fw::run_example() noexcept {
  fw::write_text("constnn kernel bench: 128-50-10 float\n");
  fw::write_text("kernel path: ");
  fw::write_text(constnn::kernels::name(constnn::kernels::active()));
  fw::write_text("\n");
  constnn_bench_begin();
  constnn_bench_end();

  constnn_bench_begin();
  const std::size_t dense_class = net.predict(initial_parameters, dense_input, inference_ws);
  constnn_bench_end();
  put("predict dense: class", static_cast<std::uint32_t>(dense_class));
  put("predict dense: outputs", digest(std::span<const float>(inference_ws)));

  constnn_bench_begin();
  const std::size_t binary_class = net.predict(initial_parameters, binary_input, inference_ws);
  constnn_bench_end();
  put("predict binary: class", static_cast<std::uint32_t>(binary_class));
  put("predict binary: outputs", digest(std::span<const float>(inference_ws)));

  if constexpr (trains) {
    static constinit constnn::model<net_t> trained{};
    trained.parameters = initial_parameters;
    constnn_bench_begin();
    const float dense_loss = trained.train_step(dense_input, 3, 0.01f);
    constnn_bench_end();
    put("sgd dense: loss", std::bit_cast<std::uint32_t>(dense_loss));
    put("sgd dense: weights", digest(trained.parameters));

    constnn_bench_begin();
    const float binary_loss = trained.train_step(binary_input, 7, 0.01f);
    constnn_bench_end();
    put("sgd binary: loss", std::bit_cast<std::uint32_t>(binary_loss));
    put("sgd binary: weights", digest(trained.parameters));
  } else {
    fw::write_text("sgd: the weights do not fit this target's RAM\n");
  }

  constnn_bench_begin();
  conv_t{}.forward(constnn::forward_io<float, conv_in, conv_out>{
      .params = conv_parameters.data(), .x = conv_input.data(), .y = conv_output.data()});
  constnn_bench_end();
  put("conv3x3 10x10x8 to 8x8x16: outputs", digest(conv_output));

  namespace s8 = constnn::detail::s8;
  constnn_bench_begin();
  s8::fully_connected(128, 50, fc_input.data(), -128, fc_weights.data(),
                      s8::channel_arrays{fc_bias.data(), fc_multipliers.data()}, {-3},
                      fc_output.data());
  constnn_bench_end();
  put("int8 fully connected 128 to 50: outputs", digest8(fc_output));

  const constnn::detail::conv_geometry g(10, 10, 8, 3, 3, 1, 1, 0, 0, 8, 8, 16);
  constnn_bench_begin();
  s8::conv2d(g, conv8_input.data(), -128, conv8_weights.data(),
             s8::channel_arrays{conv8_bias.data(), conv8_multipliers.data()}, {5},
             conv8_output.data());
  constnn_bench_end();
  put("int8 conv3x3 10x10x8 to 8x8x16: outputs", digest8(conv8_output));

  const constnn::detail::conv_geometry g1(18, 10, 1, 3, 3, 1, 1, 0, 0, 16, 8, 8);
  constnn_bench_begin();
  s8::conv2d(g1, conv1_input.data(), -128, conv1_weights.data(),
             s8::channel_arrays{conv1_bias.data(), conv1_multipliers.data()}, {-7},
             conv1_output.data());
  constnn_bench_end();
  put("int8 conv3x3 18x10x1 to 16x8x8: outputs", digest8(conv1_output));

  const bool int8_same = int8_kernels_match_constant_evaluation(
      std::make_index_sequence<fc_cases.size()>{}, std::make_index_sequence<conv_cases.size()>{});
  fw::write_text(int8_same ? "int8 kernels on 21 edge shapes: same bytes as constant evaluation\n"
                           : "int8 kernels on 21 edge shapes: DIFFERENT BYTES\n");

  // The same predictions with the portable loops: the printed digests must not change.
  const std::uint32_t accelerated = digest(std::span<const float>(inference_ws));
  constnn::kernels::use(constnn::kernels::path::portable);
  (void)net.predict(initial_parameters, binary_input, inference_ws);
  const bool same = digest(std::span<const float>(inference_ws)) == accelerated;
  fw::write_text(same ? "portable path: same bits\n" : "portable path: DIFFERENT BITS\n");
  return same && int8_same ? 0 : 1;
}
