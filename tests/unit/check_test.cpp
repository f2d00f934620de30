// Tests of core/check.hpp in handler mode: bad labels and non-finite inputs reach the
// application's handler, and the operation leaves its outputs untouched.
#define CONSTNN_CHECK_MODE CONSTNN_CHECK_HANDLER
#define BOOST_TEST_MODULE check
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace {
std::vector<std::string> failures;
}

void constnn::check_failed(const char* message, const char*, int) noexcept {
  failures.emplace_back(message);
}

using net_t = constnn::sequential<float, constnn::dense<4, 3>, constnn::sigmoid,
                                  constnn::dense<3, 2>, constnn::softmax_xent>;

BOOST_AUTO_TEST_SUITE(check)

BOOST_AUTO_TEST_CASE(a_label_out_of_range_calls_the_handler_and_changes_nothing) {
  failures.clear();
  constnn::model<net_t> m;
  m.initialize(constnn::init_scheme::random, 1);
  const auto before = m.parameters;
  const std::array<float, 4> x{0.f, 1.f, 0.5f, 0.f};
  BOOST_TEST(std::isnan(m.train_step(x, 2, 0.1f)));
  BOOST_TEST(m.parameters == before);
  BOOST_TEST_REQUIRE(failures.size() == 1u);
  BOOST_TEST(failures[0] == "constnn: label is out of range");
}

BOOST_AUTO_TEST_CASE(a_non_finite_input_calls_the_handler) {
  failures.clear();
  constnn::model<net_t> m;
  m.initialize(constnn::init_scheme::random, 1);
  const std::array<float, 4> x{0.f, std::numeric_limits<float>::quiet_NaN(), 0.5f, 0.f};
  BOOST_TEST(m.predict(x) == 2u);  // output_size(): no class
  BOOST_TEST_REQUIRE(failures.size() == 1u);
  BOOST_TEST(failures[0] == "constnn: input is not finite");
}

BOOST_AUTO_TEST_CASE(widths_that_contradict_the_layer_types_are_refused) {
  failures.clear();
  using half_fixed = constnn::sequential<double, constnn::dense<constnn::dynamic, 5>,
                                         constnn::sigmoid, constnn::dense<5, 2>,
                                         constnn::softmax_xent>;
  const half_fixed ok({7, 5, 2});
  BOOST_TEST(ok.parameters_size() == 5u * 8 + 2 * 6);
  BOOST_TEST(failures.empty());
  const half_fixed bad({7, 6, 2});
  BOOST_TEST(failures.size() == 1u);
  BOOST_TEST(bad.parameters_size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_run_time_image_the_window_does_not_fit_is_refused) {
  failures.clear();
  using net = constnn::sequential<float, constnn::input<constnn::dynamic, constnn::dynamic, 1>,
                                  constnn::conv2d<2, 3, 3>, constnn::flatten,
                                  constnn::dense<constnn::dynamic, 2>, constnn::softmax_xent>;
  using image = constnn::extents<constnn::dynamic, constnn::dynamic, 1>;
  const net ok(image({4, 4, 1}), {}, {}, {}, constnn::dense<constnn::dynamic, 2>(2), {});
  BOOST_TEST(ok.parameters_size() == (9 * 2 + 2) + (2 * 2 * 2 * 2 + 2));
  BOOST_TEST(failures.empty());
  // Two rows: a 3 x 3 window without padding has no position.
  const net bad(image({2, 4, 1}), {}, {}, {}, constnn::dense<constnn::dynamic, 2>(2), {});
  BOOST_TEST_REQUIRE(failures.size() == 1u);
  BOOST_TEST(failures[0] == "constnn: sequential: sizes must be positive and agree with the layer types");
  BOOST_TEST(bad.parameters_size() == 0u);
  std::vector<float> p(64), ws(256), x(8);
  BOOST_TEST(bad.predict(p, x, ws) == bad.output_size());  // no class: the handler was called
  BOOST_TEST(failures.size() == 2u);
}

// An optimizer's clock (Adam's bias corrections) advances only for a step that runs.
BOOST_AUTO_TEST_CASE(a_refused_optimizer_step_changes_neither_parameters_nor_clock) {
  failures.clear();
  constnn::model<net_t> m;
  m.initialize(constnn::init_scheme::random, 1);
  const auto before = m.parameters;
  std::vector<float> state(constnn::optimizer_state_count<constnn::adam_optimizer<float>>(
      net_t::param_count));
  auto opt = constnn::adam(0.01f);
  const std::array<float, 4> x{0.f, 1.f, 0.5f, 0.f};
  BOOST_TEST(std::isnan(m.network.train_step(m.parameters, x, 2, opt, state, m.workspace)));
  BOOST_TEST(failures.size() == 1u);
  BOOST_TEST(opt.step == 0u);
  BOOST_TEST((m.parameters == before));
  std::vector<float> small(3);
  BOOST_TEST(std::isnan(m.network.train_step(m.parameters, x, 1, opt, small, m.workspace)));
  BOOST_TEST(failures.size() == 2u);
  BOOST_TEST(opt.step == 0u);
  BOOST_TEST(std::isfinite(m.network.train_step(m.parameters, x, 1, opt, state, m.workspace)));
  BOOST_TEST(opt.step == 1u);
  BOOST_TEST((m.parameters != before));
}

BOOST_AUTO_TEST_SUITE_END()
