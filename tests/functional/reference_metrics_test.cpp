// The reference job on smallTrain/smallValidation (4 hidden, ZERO, lr 0.1): the published
// cross-entropies, error rates and first predictions, in double and in float.
#define BOOST_TEST_MODULE reference_metrics
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <array>
#include <cmath>
#include <vector>

#include "../support/ocr_data.hpp"
#include "../support/reference_figures.hpp"

using namespace constnn;

namespace {

using constnn_test::reference_train_cross_entropy;
using constnn_test::reference_validation_cross_entropy;

struct run_result {
  std::vector<evaluation> train, validation;
  std::vector<std::size_t> first_predictions_after_two_epochs;
};

template <class T, class Net>
run_result run_reference_job(const Net& net, int epochs) {
  const auto tr = constnn_test::load_csv<T>(constnn_test::ocr_file("smallTrain.csv"));
  const auto va = constnn_test::load_csv<T>(constnn_test::ocr_file("smallValidation.csv"));
  const dataset_view<T, int> train{tr.features.data(), tr.labels.data(), tr.count(), tr.width};
  const dataset_view<T, int> valid{va.features.data(), va.labels.data(), va.count(), va.width};
  std::vector<T> p(net.parameters_size()), ws(net.training_workspace_size());
  initialize(net, std::span<T>(p), init_scheme::zero);
  run_result r;
  for (int e = 1; e <= epochs; ++e) {
    train_epoch(net, std::span<T>(p), train, T(0.1), std::span<T>(ws));
    r.train.push_back(evaluate(net, std::span<const T>(p), train, std::span<T>(ws)));
    r.validation.push_back(evaluate(net, std::span<const T>(p), valid, std::span<T>(ws)));
    if (e == 2)
      for (std::size_t k = 0; k < 4; ++k)
        r.first_predictions_after_two_epochs.push_back(net.predict(p, valid.example(k), ws));
  }
  return r;
}

template <class T, class Net>
void check_against_reference(const Net& net, double tolerance) {
  const auto r = run_reference_job<T>(net, 5);
  for (std::size_t e = 0; e < 5; ++e) {
    BOOST_TEST_CONTEXT("epoch " << e + 1) {
      BOOST_TEST(std::abs(r.train[e].mean_cross_entropy - reference_train_cross_entropy[e]) < tolerance);
      BOOST_TEST(std::abs(r.validation[e].mean_cross_entropy - reference_validation_cross_entropy[e]) < tolerance);
    }
  }
  // Error rates are counts over 500 and 100 examples: exact.
  BOOST_TEST(r.train[1].errors == 385u);       // 0.77
  BOOST_TEST(r.validation[1].errors == 78u);   // 0.78
  BOOST_TEST(r.train[4].errors == 364u);       // 0.728
  BOOST_TEST(r.validation[4].errors == 77u);   // 0.77
  BOOST_TEST(r.train[1].error_rate == 0.77);
  BOOST_TEST(r.validation[4].error_rate == 0.77);
  const auto& expected = constnn_test::reference_first_validation_predictions;
  BOOST_TEST(r.first_predictions_after_two_epochs == expected, boost::test_tools::per_element());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reference_metrics,
                      *boost::unit_test::precondition(constnn_test::ocr_file_present{"smallTrain.csv"}) *
                          boost::unit_test::precondition(
                              constnn_test::ocr_file_present{"smallValidation.csv"}))

BOOST_AUTO_TEST_CASE(double_precision_matches_the_reference_to_1e_9) {
  check_against_reference<double>(
      sequential<double, dense<128, 4>, sigmoid, dense<4, 10>, softmax_xent>{}, 1e-9);
}

BOOST_AUTO_TEST_CASE(run_time_hidden_size_matches_the_reference_to_1e_9) {
  check_against_reference<double>(
      sequential<double, dense<dynamic, dynamic>, sigmoid, dense<dynamic, dynamic>,
                 softmax_xent>({128, 4, 10}),
      1e-9);
}

BOOST_AUTO_TEST_CASE(single_precision_matches_the_reference_to_1e_5) {
  check_against_reference<float>(
      sequential<float, dense<128, 4>, sigmoid, dense<4, 10>, softmax_xent>{}, 1e-5);
}

BOOST_AUTO_TEST_SUITE_END()
