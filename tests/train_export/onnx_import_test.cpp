// ONNX models exported by PyTorch (tests/data/onnx/make_onnx_models.py says how) imported
// and run by constnn's run-time network: the same classes as PyTorch on every stored input,
// probabilities within 1e-5 absolute of PyTorch's.
#define BOOST_TEST_MODULE onnx_import
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "error.hpp"
#include "int8_quantization.hpp"
#include "onnx_import.hpp"
#include "onnx_test_data.hpp"
#include "stack_network.hpp"

#include <constnn/constnn.hpp>

namespace {

const std::string& data_dir = onnx_test_data::dir;

std::string bytes_of(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

using onnx_test_data::rows_of;

host_tools::onnx_import imported(const std::string& name) {
  const std::string path = data_dir + "/" + name + ".onnx";
  return host_tools::import_onnx(path, bytes_of(path), std::nullopt);
}

// The largest distance from PyTorch's probabilities, and the count of differing classes.
void check_against_pytorch(const std::string& name, std::size_t expected_layers) {
  const host_tools::onnx_import m = imported(name);
  BOOST_TEST(m.description.layers.size() == expected_layers);
  BOOST_TEST(m.classes == 10u);
  auto net = host_tools::make_network<float>(m.description);
  BOOST_REQUIRE(net.parameters_size() == m.parameters.size());
  std::vector<float> p(m.parameters.begin(), m.parameters.end());
  std::vector<float> ws(net.inference_workspace_size());
  const auto inputs = rows_of(data_dir + "/" + name + ".inputs.csv");
  const auto outputs = rows_of(data_dir + "/" + name + ".outputs.csv");
  BOOST_REQUIRE(inputs.size() == 200u);
  BOOST_REQUIRE(outputs.size() == inputs.size());
  double worst = 0;
  std::size_t other_class = 0;
  for (std::size_t r = 0; r < inputs.size(); ++r) {
    std::vector<float> x(inputs[r].begin() + 1, inputs[r].end());
    BOOST_REQUIRE(x.size() == m.description.input.size());
    const float* y = net.forward(p, x, ws);
    BOOST_REQUIRE(y != nullptr);
    for (std::size_t k = 0; k < 10; ++k)
      worst = std::max(worst, std::abs(double{y[k]} - outputs[r][k]));
    const auto predicted = static_cast<std::size_t>(std::max_element(y, y + 10) - y);
    other_class += predicted != static_cast<std::size_t>(outputs[r][10]);
  }
  BOOST_TEST_MESSAGE(name << ": largest distance from PyTorch " << worst);
  BOOST_TEST(worst <= 1e-5);
  BOOST_TEST(other_class == 0u);
}

std::string refusal(const std::string& file) {
  const std::string path = data_dir + "/refused/" + file;
  try {
    host_tools::import_onnx(path, bytes_of(path), std::nullopt);
  } catch (const host_tools::tool_error& e) {
    BOOST_TEST((e.kind() == host_tools::failure_kind::data));
    return e.what();
  }
  return "(imported)";
}

}  // namespace

BOOST_AUTO_TEST_CASE(mlp_with_gemm_matmul_add_and_softmax) {
  check_against_pytorch("mlp", 5);
}
BOOST_AUTO_TEST_CASE(ocr_cnn) {
  check_against_pytorch("ocr_cnn", 8);
}
BOOST_AUTO_TEST_CASE(series_as_an_lx1_image) {
  check_against_pytorch("series", 7);
}
BOOST_AUTO_TEST_CASE(fashion_cnn_with_batch_norm_folded) {
  check_against_pytorch("fashion_cnn", 12);
}

BOOST_AUTO_TEST_CASE(ocr_cnn_transposes_weights_into_constnn_layout) {
  const auto m = imported("ocr_cnn");
  BOOST_TEST(host_tools::layers_text(m.description.layers) ==
             "conv2d:8:3x3:same,relu,maxpool:2x2,conv2d:16:3x3:same,relu,maxpool:2x2,flatten,"
             "dense:10");
  BOOST_TEST(m.description.input.text() == "16x8x1");
}

namespace {

// A refused model of tests/data/onnx/refused and the message after its path: whole, or (for
// messages holding numbers the model's training chose) its beginning.
struct refused_model {
  const char* file;
  const char* message;
  bool whole = true;
};

void check_refusals(std::initializer_list<refused_model> models) {
  for (const refused_model& m : models) {
    const std::string expected = data_dir + "/refused/" + m.file + ": " + m.message;
    const std::string got = refusal(m.file);
    if (m.whole)
      BOOST_TEST(got == expected);
    else
      BOOST_TEST(got.rfind(expected, 0) == 0, got << " begins otherwise than " << expected);
  }
}

// Whether importing `bytes` as `name` is refused with a message naming it.
bool refused_as(const std::string& name, const std::string& bytes) {
  try {
    host_tools::import_onnx(name, bytes, std::nullopt);
  } catch (const host_tools::tool_error& e) {
    return std::string(e.what()).rfind(name + ": ", 0) == 0;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(refusals_name_the_node_and_the_reason) {
  check_refusals({
      {"grouped_conv.onnx", "node '/0/Conv' (Conv): group 8 is not supported"},
      {"leaky_relu.onnx", "node '/1/LeakyRelu' (LeakyRelu): this operator is not supported"},
      {"two_inputs.onnx", "the model has 2 inputs; constnn takes one"},
      {"two_outputs.onnx", "the model has 2 outputs; constnn gives one"},
      {"dynamic_shape.onnx", "input 'input' has axes of unknown size; give --input-shape"},
      {"opset_5.onnx", "opset 5 is not supported (constnn reads 7 to 17)"},
      {"ends_in_relu.onnx", "the model must end in a Gemm or MatMul", false},
      {"asymmetric_padding.onnx",
       "node '/0/Conv' (Conv): pads 1 before and 1 after on an axis of 6 (window 3, stride 2) "
       "are neither none nor constnn's 'same' (0 before, 3 outputs)"},
  });
}

BOOST_AUTO_TEST_CASE(truncated_and_garbage_files_are_refused) {
  const std::string bytes = bytes_of(data_dir + "/ocr_cnn.onnx");
  for (const std::size_t keep : {bytes.size() / 2, bytes.size() - 7, std::size_t{3}})
    BOOST_TEST(refused_as("cut.onnx", bytes.substr(0, keep)), "a file cut to " << keep << " bytes");
  BOOST_TEST(refused_as("text.onnx", "this is not a model\n"));
}

BOOST_AUTO_TEST_CASE(an_input_shape_completes_a_dynamic_model) {
  const std::string path = data_dir + "/refused/dynamic_shape.onnx";
  const auto m =
      host_tools::import_onnx(path, bytes_of(path), host_tools::parse_input_shape("6x6x1"));
  BOOST_TEST(m.description.input.text() == "6x6x1");
  BOOST_TEST(m.classes == 3u);
}

namespace {

// A QDQ model imported and run as int8: its logits against those PyTorch's fake-quantized
// graph gives, which round as ONNX does (half to even, in float) where constnn rounds as
// TFLite (a Q31 multiplier, halves away from zero).
struct int8_agreement {
  std::size_t values = 0, off_by_one = 0, further = 0, other_class = 0;
  double largest = 0;
};

int8_agreement run_qdq(const std::string& name, std::size_t expected_layers) {
  const host_tools::onnx_import m = imported(name);
  BOOST_TEST_REQUIRE(m.int8.has_value());
  BOOST_TEST(m.description.layers.size() == expected_layers);
  const host_tools::labeled_data<float> none;
  const host_tools::int8_network q = host_tools::int8_from_grids<float>(
      m.description, m.parameters, m.int8->tensors, m.int8->weight_scales, none, none,
      {host_tools::tool_error(host_tools::failure_kind::data, "sizes"),
       host_tools::tool_error(host_tools::failure_kind::data, "calibration")});
  const auto net8 = host_tools::make_network<constnn::int8>(m.description);
  const std::span<const std::int8_t> bytes(q.parameters);
  const auto inputs = rows_of(data_dir + "/" + name + ".inputs.csv");
  const auto outputs = rows_of(data_dir + "/" + name + ".outputs.csv");
  BOOST_REQUIRE(outputs.size() == inputs.size());
  std::vector<std::int8_t> x(m.description.input.size()), ws(net8.inference_workspace_size());
  int8_agreement a;
  for (std::size_t r = 0; r < inputs.size(); ++r) {
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] = static_cast<std::int8_t>(
          constnn::quantization::quantize(inputs[r][i + 1], m.int8->tensors[0]));
    const std::int8_t* y = net8.forward(bytes, x, ws);
    BOOST_REQUIRE(y != nullptr);
    for (std::size_t k = 0; k < 10; ++k) {
      const double d = std::abs(static_cast<double>(y[k]) - outputs[r][k]);
      ++a.values;
      a.off_by_one += d == 1 ? 1 : 0;
      a.further += d > 1 ? 1 : 0;
      a.largest = std::max(a.largest, d);
    }
    a.other_class += net8.predicted_class(y) != static_cast<std::size_t>(outputs[r][10]);
  }
  BOOST_TEST_MESSAGE(name << ": of " << a.values << " int8 logits " << a.off_by_one
                          << " one step from PyTorch's, " << a.further << " further; "
                          << a.other_class << " other classes");
  return a;
}

}  // namespace

BOOST_AUTO_TEST_CASE(qdq_models_run_as_int8_networks) {
  // Where the two roundings meet a value within a hair of half a step, ONNX's half-to-even
  // rounding of a float sum and TFLite's rounding of the exact int32 sum by a Q31 multiplier
  // (halves away from zero) part by one step; sigmoid and tanh tables, computed in double, can
  // part from PyTorch's float sigmoid likewise. Measured: the CNN 24 of 2,000 logits one step
  // off, none further; the MLP 5 one step and 2 two steps off; no class differs.
  const int8_agreement cnn = run_qdq("qdq_ocr_cnn", 8);
  BOOST_TEST(cnn.other_class == 0u);
  BOOST_TEST(cnn.largest <= 1);
  BOOST_TEST(cnn.off_by_one <= cnn.values / 50);
  const int8_agreement mlp = run_qdq("qdq_mlp", 5);
  BOOST_TEST(mlp.other_class == 0u);
  BOOST_TEST(mlp.largest <= 2);
  BOOST_TEST(mlp.off_by_one + mlp.further <= mlp.values / 100);
}

BOOST_AUTO_TEST_CASE(qdq_weights_are_their_integers_and_scales) {
  const host_tools::onnx_import m = imported("qdq_mlp");
  BOOST_TEST_REQUIRE(m.int8.has_value());
  // 32 + 24 + 10 output channels; the MatMul's 24 share its one scale.
  BOOST_TEST_REQUIRE(m.int8->weight_scales.size() == 66u);
  for (std::size_t c = 33; c < 56; ++c)
    BOOST_TEST(m.int8->weight_scales[c] == m.int8->weight_scales[32]);
  // The sigmoid's and tanh's outputs on TFLite's fixed grids, the input's on the file's.
  BOOST_TEST((m.int8->tensors[2] == constnn::quantization::sigmoid_output));
  BOOST_TEST((m.int8->tensors[4] == constnn::quantization::tanh_output));
  BOOST_TEST(m.int8->tensors[0].zero_point == -128);
  // Every weight of the first layer is an integer times its channel's scale, within 127.
  for (std::size_t i = 0; i < 128 * 32; ++i) {
    const double q = m.parameters[i] / m.int8->weight_scales[i % 32];
    BOOST_TEST_REQUIRE(q == std::round(q));
    BOOST_TEST_REQUIRE(std::abs(q) <= 127);
  }
}

BOOST_AUTO_TEST_CASE(qdq_models_outside_the_int8_scheme_are_refused) {
  check_refusals({
      {"qdq_uint8_input.onnx",
       "node '/QuantizeLinear' (QuantizeLinear): quantizes to another type than int8; constnn's "
       "int8 activations are int8 (TFLite's scheme)"},
      {"qdq_weight_zero_point.onnx",
       "node '/Gemm' (Gemm): its weights have zero point 1; TFLite's int8 weights are symmetric "
       "(zero point 0)"},
      {"qdq_bias_scale.onnx", "node '/Gemm' (Gemm): the bias of output 0 has scale ", false},
      {"qdq_requantized_relu.onnx",
       "node '/QuantizeLinear_3' (QuantizeLinear): requantizes scale 0.05, zero point 10 to "
       "scale 0.03, zero point -128 after a relu, whose int8 form keeps its input's grid; "
       "quantize once, after it"},
      {"qdq_sigmoid_grid.onnx",
       "node '/QuantizeLinear_3' (QuantizeLinear): quantizes the Sigmoid to scale 0.005, zero "
       "point -128; constnn's int8 sigmoid gives TFLite's fixed scale 0.00390625, zero point "
       "-128"},
      {"qdq_requantized_input.onnx",
       "node 'requantize' (QuantizeLinear): requantizes scale 0.003921569, zero point -128 to "
       "scale 0.01, zero point -100; constnn's int8 tensors have one grid each"},
      {"qdq_float_output.onnx",
       "the model's output is not quantized: constnn's int8 network ends in int8 logits, a "
       "QuantizeLinear after the last Gemm or MatMul"},
  });
}
