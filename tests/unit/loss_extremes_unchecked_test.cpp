// With checks off, an unfused training step whose loss is +inf still runs backward (the
// parameters may become NaN), and the loss it returns is what signals it.
#define CONSTNN_CHECK_MODE CONSTNN_CHECK_OFF
#define BOOST_TEST_MODULE loss_extremes_unchecked
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <array>
#include <cmath>
#include <limits>

using unfused_net =
    constnn::sequential<float, constnn::dense<1, 3>, constnn::softmax, constnn::cross_entropy>;

BOOST_AUTO_TEST_SUITE(loss_at_the_extremes_unchecked)

BOOST_AUTO_TEST_CASE(unfused_training_step_returns_an_infinite_loss_where_parameters_turn_nan) {
  constnn::model<unfused_net> m;
  m.parameters = {0.f, 0.f, -200.f, 0.f, 0.f, 0.f};
  const std::array<float, 1> x{1.f};
  BOOST_TEST(m.train_step(x, 2, 0.01f) == std::numeric_limits<float>::infinity());
  bool any_nan = false;
  for (const float p : m.parameters) any_nan = any_nan || std::isnan(p);
  BOOST_TEST(any_nan);
}

BOOST_AUTO_TEST_SUITE_END()
