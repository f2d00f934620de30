// Headers exported by train_export at build time compile, predict in a constant expression,
// and predict every validation example exactly as the host did (its labels file, bit for bit).
#define BOOST_TEST_MODULE train_export_header_round_trip
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstring>
#include <span>
#include <string>

#include "cnn_model.hpp"
#include "csv_reader.hpp"
#include "double_model.hpp"
#include "float_model.hpp"
#include "header_sample.hpp"
#include "int8_cnn_model.hpp"
#include "int8_mlp_model.hpp"
#include "mlp_model.hpp"
#include "reference_format.hpp"
#include "tool_harness.hpp"

namespace {

using train_export_test::predict_sample;

// The claim of the header: usable in constant expressions, with the host's answer.
static_assert(predict_sample<float_model::network>(float_model::parameters,
                                                   float_model::sample_features,
                                                   0) == float_model::sample_predictions[0]);
static_assert(predict_sample<double_model::network>(double_model::parameters,
                                                    double_model::sample_features,
                                                    1) == double_model::sample_predictions[1]);

static_assert(predict_sample<cnn_model::network>(cnn_model::parameters, cnn_model::sample_features,
                                                 0) == cnn_model::sample_predictions[0]);
static_assert(predict_sample<mlp_model::network>(mlp_model::parameters, mlp_model::sample_features,
                                                 2) == mlp_model::sample_predictions[2]);

static_assert(predict_sample<int8_cnn_model::network>(int8_cnn_model::parameters,
                                                      int8_cnn_model::sample_features, 0) ==
              int8_cnn_model::sample_predictions[0]);
static_assert(predict_sample<int8_mlp_model::network>(int8_mlp_model::parameters,
                                                      int8_mlp_model::sample_features, 1) ==
              int8_mlp_model::sample_predictions[1]);

// Each header's namespace as a type, so the checks below take any of them.
#define ROUND_TRIP_HEADER(name)                                               \
  struct name##_header {                                                      \
    using network = name##_model::network;                                    \
    static constexpr auto& parameters = name##_model::parameters;             \
    static constexpr auto& sample_features = name##_model::sample_features;   \
    static constexpr std::size_t sample_count = name##_model::sample_count;   \
  };
ROUND_TRIP_HEADER(float)
ROUND_TRIP_HEADER(double)
ROUND_TRIP_HEADER(cnn)
ROUND_TRIP_HEADER(mlp)
ROUND_TRIP_HEADER(int8_cnn)
ROUND_TRIP_HEADER(int8_mlp)
#undef ROUND_TRIP_HEADER

// Predicts every embedded sample at run time and formats them as train_export's labels file.
template <class Model>
std::string predicted_labels_text() {
  std::vector<host_tools::label_type> labels;
  for (std::size_t s = 0; s < Model::sample_count; ++s) {
    labels.push_back(static_cast<host_tools::label_type>(
        predict_sample<typename Model::network>(Model::parameters, Model::sample_features, s)));
  }
  return train_export::labels_text(labels);
}

// The int8 samples are the CSV's features on the header's input grid.
template <std::size_t N>
void check_int8_samples_quantize_the_csv(const std::array<std::int8_t, N>& samples, float scale,
                                         std::int32_t zero_point) {
  const auto file = train_export_test::read_file(ROUND_TRIP_VALIDATION);
  const auto data =
      host_tools::parse_labeled_csv<float>(file, ROUND_TRIP_VALIDATION, ROUND_TRIP_CLASSES);
  BOOST_TEST_REQUIRE(data.features.size() == N);
  const constnn::quantization::affine grid{scale, zero_point};
  for (std::size_t i = 0; i < N; ++i)
    BOOST_TEST_REQUIRE(samples[i] == constnn::quantization::quantize(data.features[i], grid));
}

template <class T, std::size_t N, std::size_t M, class Label>
void check_samples_equal_csv(const std::array<T, N>& features, const std::array<Label, M>& labels) {
  const auto file = train_export_test::read_file(ROUND_TRIP_VALIDATION);
  const auto data =
      host_tools::parse_labeled_csv<T>(file, ROUND_TRIP_VALIDATION, ROUND_TRIP_CLASSES);
  BOOST_TEST_REQUIRE(data.size() == M, "every validation example is embedded");
  BOOST_TEST_REQUIRE(data.features.size() == N);
  BOOST_TEST(std::memcmp(features.data(), data.features.data(), sizeof(T) * N) == 0);
  for (std::size_t s = 0; s < M; ++s) BOOST_TEST_REQUIRE(labels[s] == data.labels[s]);
}

}  // namespace

BOOST_AUTO_TEST_CASE(float_header_predicts_the_validation_labels_file_bit_for_bit) {
  BOOST_TEST(predicted_labels_text<float_header>() ==
             train_export_test::read_file(ROUND_TRIP_FLOAT_LABELS));
}

BOOST_AUTO_TEST_CASE(double_header_predicts_the_validation_labels_file_bit_for_bit) {
  BOOST_TEST(predicted_labels_text<double_header>() ==
             train_export_test::read_file(ROUND_TRIP_DOUBLE_LABELS));
}

BOOST_AUTO_TEST_CASE(any_stack_header_predicts_the_validation_labels_file_bit_for_bit) {
  // The fixed types the tool spells predict what its run-time layers predicted.
  BOOST_TEST(predicted_labels_text<cnn_header>() ==
             train_export_test::read_file(ROUND_TRIP_CNN_LABELS));
  BOOST_TEST(predicted_labels_text<mlp_header>() ==
             train_export_test::read_file(ROUND_TRIP_MLP_LABELS));
  check_samples_equal_csv(cnn_model::sample_features, cnn_model::sample_labels);
  static_assert(cnn_model::network::param_count == cnn_model::parameters.size());
}

BOOST_AUTO_TEST_CASE(embedded_predictions_are_the_hosts) {
  for (std::size_t s = 0; s < float_model::sample_count; ++s) {
    BOOST_TEST(predict_sample<float_model::network>(float_model::parameters,
                                                    float_model::sample_features,
                                                    s) == float_model::sample_predictions[s]);
  }
}

BOOST_AUTO_TEST_CASE(embedded_samples_are_the_csv_values_bit_for_bit) {
  check_samples_equal_csv(float_model::sample_features, float_model::sample_labels);
  check_samples_equal_csv(double_model::sample_features, double_model::sample_labels);
}

BOOST_AUTO_TEST_CASE(header_weights_keep_training_on_the_embedded_samples) {
  // What firmware does with the header: copy the weights to RAM and run SGD steps.
  constexpr float_model::network net{};
  auto parameters = float_model::parameters;
  typename float_model::network::training_workspace ws{};
  const auto x = std::span(float_model::sample_features).first(net.input_size());
  const float before = net.loss(parameters, x, float_model::sample_labels[0], ws);
  for (int step = 0; step < 20; ++step) {
    net.train_step(parameters, x, float_model::sample_labels[0], float_model::learning_rate, ws);
  }
  BOOST_TEST(net.loss(parameters, x, float_model::sample_labels[0], ws) < before);
}

BOOST_AUTO_TEST_CASE(int8_headers_predict_the_int8_labels_files_bit_for_bit) {
  BOOST_TEST(predicted_labels_text<int8_cnn_header>() ==
             train_export_test::read_file(ROUND_TRIP_INT8_CNN_LABELS));
  BOOST_TEST(predicted_labels_text<int8_mlp_header>() ==
             train_export_test::read_file(ROUND_TRIP_INT8_MLP_LABELS));
  check_int8_samples_quantize_the_csv(int8_cnn_model::sample_features, int8_cnn_model::input_scale,
                                      int8_cnn_model::input_zero_point);
  check_int8_samples_quantize_the_csv(int8_mlp_model::sample_features, int8_mlp_model::input_scale,
                                      int8_mlp_model::input_zero_point);
  static_assert(std::is_same_v<int8_cnn_model::network::scalar, constnn::int8>);
}
