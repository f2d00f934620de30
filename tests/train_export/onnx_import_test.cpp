// ONNX models exported by PyTorch (tests/data/onnx/make_onnx_models.py says how) imported
// and run by constnn's run-time network: the same classes as PyTorch on every stored input,
// probabilities within 1e-5 absolute of PyTorch's.
#define BOOST_TEST_MODULE onnx_import
#include <boost/test/included/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "error.hpp"
#include "onnx_import.hpp"
#include "stack_network.hpp"

namespace {

const std::string data_dir = CONSTNN_ONNX_TEST_DATA;

std::string bytes_of(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<std::vector<double>> rows_of(const std::string& path) {
  std::vector<std::vector<double>> rows;
  std::ifstream f(path);
  for (std::string line; std::getline(f, line);) {
    std::vector<double> row;
    std::istringstream s(line);
    for (std::string cell; std::getline(s, cell, ',');) row.push_back(std::stod(cell));
    rows.push_back(row);
  }
  return rows;
}

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

BOOST_AUTO_TEST_CASE(refusals_name_the_node_and_the_reason) {
  const auto base = data_dir + "/refused/";
  BOOST_TEST(refusal("grouped_conv.onnx") ==
             base + "grouped_conv.onnx: node '/0/Conv' (Conv): group 8 is not supported");
  BOOST_TEST(
      refusal("leaky_relu.onnx") ==
      base + "leaky_relu.onnx: node '/1/LeakyRelu' (LeakyRelu): this operator is not supported");
  BOOST_TEST(refusal("two_inputs.onnx") ==
             base + "two_inputs.onnx: the model has 2 inputs; constnn takes one");
  BOOST_TEST(refusal("two_outputs.onnx") ==
             base + "two_outputs.onnx: the model has 2 outputs; constnn gives one");
  BOOST_TEST(refusal("dynamic_shape.onnx") ==
             base +
                 "dynamic_shape.onnx: input 'input' has axes of unknown size; give --input-shape");
  BOOST_TEST(refusal("opset_5.onnx") ==
             base + "opset_5.onnx: opset 5 is not supported (constnn reads 7 to 17)");
  BOOST_TEST(refusal("ends_in_relu.onnx").find("the model must end in a Gemm or MatMul") !=
             std::string::npos);
  BOOST_TEST(refusal("asymmetric_padding.onnx") ==
             base +
                 "asymmetric_padding.onnx: node '/0/Conv' (Conv): pads 1 before and 1 after "
                 "on an axis of 6 (window 3, stride 2) are neither none nor constnn's 'same' "
                 "(0 before, 3 outputs)");
}

BOOST_AUTO_TEST_CASE(truncated_and_garbage_files_are_refused) {
  const std::string path = data_dir + "/ocr_cnn.onnx";
  const std::string bytes = bytes_of(path);
  for (const std::size_t keep : {bytes.size() / 2, bytes.size() - 7, std::size_t{3}}) {
    bool refused = false;
    try {
      host_tools::import_onnx("cut.onnx", bytes.substr(0, keep), std::nullopt);
    } catch (const host_tools::tool_error& e) {
      refused = std::string(e.what()).rfind("cut.onnx: ", 0) == 0;
    }
    BOOST_TEST(refused, "a file cut to " << keep << " bytes");
  }
  bool refused = false;
  try {
    host_tools::import_onnx("text.onnx", "this is not a model\n", std::nullopt);
  } catch (const host_tools::tool_error& e) {
    refused = std::string(e.what()).rfind("text.onnx: ", 0) == 0;
  }
  BOOST_TEST(refused);
}

BOOST_AUTO_TEST_CASE(an_input_shape_completes_a_dynamic_model) {
  const std::string path = data_dir + "/refused/dynamic_shape.onnx";
  const auto m =
      host_tools::import_onnx(path, bytes_of(path), host_tools::parse_input_shape("6x6x1"));
  BOOST_TEST(m.description.input.text() == "6x6x1");
  BOOST_TEST(m.classes == 3u);
}
