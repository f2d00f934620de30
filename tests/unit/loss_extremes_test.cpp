// The loss where a probability underflows (handler mode): softmax_xent computes it from the
// scores, exactly; softmax + cross_entropy cannot, and a training step says so instead of
// writing NaN into the parameters.
#define CONSTNN_CHECK_MODE CONSTNN_CHECK_HANDLER
#define BOOST_TEST_MODULE loss_extremes
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace {
std::vector<std::string> failures;

// One input of 1 through dense<1, 3> with zero biases: the weights are the scores.
template <class T, class Loss>
using scores_net = constnn::sequential<T, constnn::dense<1, 3>, Loss>;
template <class T>
using unfused_net = constnn::sequential<T, constnn::dense<1, 3>, constnn::softmax, constnn::cross_entropy>;

template <class Net>
constnn::model<Net> with_scores(typename Net::scalar a, typename Net::scalar b,
                                typename Net::scalar c) {
  constnn::model<Net> m;
  m.parameters = {a, b, c, 0, 0, 0};
  return m;
}

template <class T>
bool all_finite(const auto& values) {
  for (const T v : values)
    if (!std::isfinite(v)) return false;
  return true;
}
}  // namespace

void constnn::check_failed(const char* message, const char*, int) noexcept {
  failures.emplace_back(message);
}

BOOST_AUTO_TEST_SUITE(loss_at_the_extremes)

BOOST_AUTO_TEST_CASE(softmax_xent_loss_is_exact_where_float_probability_underflows) {
  failures.clear();
  auto m = with_scores<scores_net<float, constnn::softmax_xent>>(0.f, 0.f, -200.f);
  const std::array<float, 1> x{1.f};
  // -log(e^-200 / (2 + e^-200)) = 200 + log 2 (PyTorch's cross_entropy: 200.6931); the
  // probabilities alone gave 103.28, -log of the smallest float.
  const double exact = 200.0 + std::log(2.0);
  BOOST_TEST(m.loss(x, 2) == exact, boost::test_tools::tolerance(1e-6));
  float from_forward = 0;
  BOOST_TEST(m.network.forward_with_loss(m.parameters, x, 2, m.workspace, from_forward) != nullptr);
  BOOST_TEST(from_forward == m.loss(x, 2));
  // evaluate() uses the same loss.
  const std::array<std::size_t, 1> labels{2};
  const constnn::dataset_view<float, std::size_t> data{x.data(), labels.data(), 1, 1};
  std::array<float, decltype(m)::network_type::inference_workspace_count> ws{};
  BOOST_TEST(constnn::evaluate(m.network, m.parameters, data, ws).mean_cross_entropy ==
             static_cast<double>(from_forward));
  // A training step returns it, and its gradient (y - onehot) is finite.
  BOOST_TEST(m.train_step(x, 2, 0.01f) == from_forward);
  BOOST_TEST(all_finite<float>(m.parameters));
  BOOST_TEST(failures.empty());
}

BOOST_AUTO_TEST_CASE(batched_evaluation_takes_exact_losses_where_some_examples_underflow) {
  // The batched path takes each loss from the output after the batch and runs forward again
  // only for examples whose output cannot give it: underflowed, subnormal and ordinary
  // examples mixed in one batch must each give forward_with_loss()'s value, and the outputs
  // the predictions read must be unchanged by the second forward.
  failures.clear();
  auto m = with_scores<scores_net<float, constnn::softmax_xent>>(0.f, 0.f, -200.f);
  const std::array<float, 7> x{1.f, 0.01f, 0.475f, 1.f, 0.3f, 0.f, 1.f};
  const std::array<std::size_t, 7> labels{2, 2, 2, 0, 2, 1, 1};
  const constnn::dataset_view<float, std::size_t> data{x.data(), labels.data(), 7, 1};
  double sum = 0;
  std::size_t errors = 0;
  for (std::size_t e = 0; e < x.size(); ++e) {
    const std::array<float, 1> one{x[e]};
    sum += static_cast<double>(m.loss(one, labels[e]));
    errors += m.predict(one) != labels[e] ? 1 : 0;
  }
  std::array<float, decltype(m)::network_type::inference_workspace_count> ws{};
  const auto r = constnn::evaluate(m.network, m.parameters, data, ws);
  BOOST_TEST(r.mean_cross_entropy == sum / 7.0);
  BOOST_TEST(r.errors == errors);
  BOOST_TEST(std::isfinite(r.mean_cross_entropy));
  BOOST_TEST(failures.empty());
}

BOOST_AUTO_TEST_CASE(softmax_xent_loss_is_exact_where_the_probability_is_subnormal) {
  // e^-95 is subnormal in float: -log of it would keep only a few significant bits.
  auto m = with_scores<scores_net<float, constnn::softmax_xent>>(0.f, 0.f, -95.f);
  const std::array<float, 1> x{1.f};
  BOOST_TEST(m.loss(x, 2) == 95.0 + std::log(2.0 + std::exp(-95.0)),
             boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(softmax_xent_loss_is_exact_where_double_probability_underflows) {
  auto m = with_scores<scores_net<double, constnn::softmax_xent>>(0.0, 0.0, -800.0);
  const std::array<double, 1> x{1.0};
  BOOST_TEST(m.loss(x, 2) == 800.0 + std::log(2.0), boost::test_tools::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(softmax_xent_loss_keeps_its_bits_where_nothing_underflows) {
  // The reference job's published numbers depend on it: -log(y[label]) as before.
  for (const float s : {0.f, 3.5f, -20.f, -80.f}) {
    auto m = with_scores<scores_net<float, constnn::softmax_xent>>(0.25f, s, -1.f);
    const std::array<float, 1> x{1.f};
    for (std::size_t label = 0; label < 3; ++label) {
      const float* y = m.network.forward(m.parameters, x, m.workspace);
      const float from_output = m.network.loss_of_output(y, label);
      BOOST_TEST(std::bit_cast<unsigned>(m.loss(x, label)) == std::bit_cast<unsigned>(from_output));
    }
  }
}

BOOST_AUTO_TEST_CASE(unfused_training_step_with_an_infinite_loss_fails_its_check_and_changes_nothing) {
  failures.clear();
  auto m = with_scores<unfused_net<float>>(0.f, 0.f, -200.f);
  const std::array<float, 1> x{1.f};
  // From probabilities alone the loss is +inf, not a capped finite value.
  BOOST_TEST(m.loss(x, 2) == std::numeric_limits<float>::infinity());
  const auto before = m.parameters;
  BOOST_TEST(std::isnan(m.train_step(x, 2, 0.01f)));
  BOOST_TEST(m.parameters == before);
  BOOST_TEST_REQUIRE(failures.size() == 1u);
  BOOST_TEST(failures[0].find("the loss is not finite") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unfused_training_step_with_a_finite_loss_still_trains) {
  failures.clear();
  auto m = with_scores<unfused_net<float>>(0.f, 0.f, -2.f);
  const std::array<float, 1> x{1.f};
  const auto before = m.parameters;
  BOOST_TEST(std::isfinite(m.train_step(x, 2, 0.01f)));
  BOOST_TEST(m.parameters != before);
  BOOST_TEST(all_finite<float>(m.parameters));
  BOOST_TEST(failures.empty());
}

// An optimizer's clock advances only for a step whose loss lets backward run.
BOOST_AUTO_TEST_CASE(an_infinite_loss_leaves_the_optimizer_clock_and_state_alone) {
  failures.clear();
  auto m = with_scores<unfused_net<float>>(0.f, 0.f, -200.f);
  const std::array<float, 1> x{1.f};
  const auto before = m.parameters;
  std::array<float, 2 * 6> state{};
  auto opt = constnn::adam(0.01f);
  BOOST_TEST(std::isnan(m.network.train_step(m.parameters, x, 2, opt, state, m.workspace)));
  BOOST_TEST(opt.step == 0u);
  BOOST_TEST(m.parameters == before);
  BOOST_TEST((state == std::array<float, 2 * 6>{}));
  BOOST_TEST(failures.size() == 1u);
  BOOST_TEST(std::isfinite(m.network.train_step(m.parameters, x, 0, opt, state, m.workspace)));
  BOOST_TEST(opt.step == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
