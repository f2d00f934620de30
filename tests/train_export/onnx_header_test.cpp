// Headers train_export writes from imported ONNX models compile, predict in a constant
// expression, and their fixed types give PyTorch's outputs: probabilities within 1e-5 for
// float models, int8 logits within the rounding that separates ONNX's QDQ from TFLite's
// arithmetic for quantized ones (onnx_import_test.cpp says how far), and PyTorch's classes.
#define BOOST_TEST_MODULE train_export_onnx_header
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "fashion_cnn_model.hpp"
#include "header_sample.hpp"
#include "onnx_test_data.hpp"
#include "ocr_cnn_model.hpp"
#include "qdq_mlp_model.hpp"
#include "qdq_ocr_cnn_model.hpp"

namespace {

using train_export_test::predict_sample;

static_assert(predict_sample<ocr_cnn_model::network>(ocr_cnn_model::parameters,
                                                     ocr_cnn_model::sample_features,
                                                     0) == ocr_cnn_model::sample_predictions[0]);
static_assert(predict_sample<qdq_ocr_cnn_model::network>(
                  qdq_ocr_cnn_model::parameters, qdq_ocr_cnn_model::sample_features, 0) ==
              qdq_ocr_cnn_model::sample_predictions[0]);

// Every embedded sample through the header's fixed type: its outputs against PyTorch's (at
// most `tolerance` apart), its class against PyTorch's and the host's.
template <class Net, class Parameters, class Features, class Predictions>
void check(const std::string& name, const Parameters& parameters, const Features& features,
           const Predictions& host, std::size_t samples, double tolerance) {
  const auto expected = onnx_test_data::rows_of(onnx_test_data::outputs(name));
  BOOST_TEST_REQUIRE(expected.size() >= samples);
  const Net net{};
  typename Net::inference_workspace ws{};
  double largest = 0;
  for (std::size_t s = 0; s < samples; ++s) {
    const auto* y = net.forward(
        parameters, std::span(features).subspan(s * net.input_size(), net.input_size()), ws);
    BOOST_TEST_REQUIRE(y != nullptr);
    for (std::size_t k = 0; k < 10; ++k)
      largest = std::max(largest, std::abs(static_cast<double>(y[k]) - expected[s][k]));
    BOOST_TEST(net.predicted_class(y) == static_cast<std::size_t>(expected[s][10]));
    BOOST_TEST(net.predicted_class(y) == host[s]);
  }
  BOOST_TEST_MESSAGE(name << ": largest distance from PyTorch " << largest);
  BOOST_TEST(largest <= tolerance);
}

}  // namespace

BOOST_AUTO_TEST_CASE(float_headers_give_pytorchs_probabilities) {
  check<ocr_cnn_model::network>("ocr_cnn", ocr_cnn_model::parameters,
                                ocr_cnn_model::sample_features, ocr_cnn_model::sample_predictions,
                                ocr_cnn_model::sample_count, 1e-5);
  check<fashion_cnn_model::network>("fashion_cnn", fashion_cnn_model::parameters,
                                    fashion_cnn_model::sample_features,
                                    fashion_cnn_model::sample_predictions,
                                    fashion_cnn_model::sample_count, 1e-5);
}

BOOST_AUTO_TEST_CASE(int8_headers_give_pytorchs_quantized_logits) {
  check<qdq_ocr_cnn_model::network>("qdq_ocr_cnn", qdq_ocr_cnn_model::parameters,
                                    qdq_ocr_cnn_model::sample_features,
                                    qdq_ocr_cnn_model::sample_predictions,
                                    qdq_ocr_cnn_model::sample_count, 1);
  check<qdq_mlp_model::network>("qdq_mlp", qdq_mlp_model::parameters,
                                qdq_mlp_model::sample_features, qdq_mlp_model::sample_predictions,
                                qdq_mlp_model::sample_count, 2);
}
