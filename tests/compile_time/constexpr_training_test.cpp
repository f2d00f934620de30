// A network trained by SGD inside a constant expression: the compiler itself checks the result.
#define BOOST_TEST_MODULE constexpr_training
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <array>
#include <bit>
#include <cstdint>

namespace {

template <class T>
using tiny_net = constnn::sequential<T, constnn::dense<2, 3>, constnn::sigmoid,
                                     constnn::dense<3, 2>, constnn::softmax_xent>;

// "Which of the two features is larger?": four examples, class 0 or 1.
template <class T>
constexpr std::array<std::array<T, 2>, 4> inputs{{{1, 0}, {0, 1}, {T(0.9), T(0.2)}, {T(0.1), T(0.8)}}};
constexpr std::array<std::size_t, 4> labels{0, 1, 0, 1};

template <class T>
constexpr constnn::model<tiny_net<T>> trained(int epochs) {
  constnn::model<tiny_net<T>> m;
  m.initialize(constnn::init_scheme::random, 2024);
  for (int e = 0; e < epochs; ++e)
    for (std::size_t k = 0; k < 4; ++k) m.train_step(inputs<T>[k], labels[k], T(2));
  return m;
}

template <class T>
constexpr std::array<std::size_t, 4> predictions(constnn::model<tiny_net<T>> m) {
  std::array<std::size_t, 4> p{};
  for (std::size_t k = 0; k < 4; ++k) p[k] = m.predict(inputs<T>[k]);
  return p;
}

template <class T>
constexpr T mean_loss(constnn::model<tiny_net<T>> m) {
  T s = 0;
  for (std::size_t k = 0; k < 4; ++k) s += m.loss(inputs<T>[k], labels[k]);
  return s / 4;
}

// Trained by the compiler.
constexpr auto untrained_double = trained<double>(0);
constexpr auto trained_double = trained<double>(30);
constexpr auto trained_float = trained<float>(30);

static_assert(predictions(trained_double) == labels, "30 constexpr epochs learn the task (double)");
static_assert(predictions(trained_float) == labels, "30 constexpr epochs learn the task (float)");
static_assert(mean_loss(trained_double) < mean_loss(untrained_double) / 4,
              "training at compile time lowers the loss");
static_assert(tiny_net<float>::training_ram_bytes == (3 * 3 + 2 * 4 + 3 + 2 + 2 * 3) * 4,
              "the memory figure is a compile-time fact");

}  // namespace

BOOST_AUTO_TEST_SUITE(constexpr_training)

BOOST_AUTO_TEST_CASE(compile_time_and_run_time_training_give_the_same_bits) {
  volatile int epochs = 30;  // forces the same training to happen at run time
  const auto at_run_time = trained<float>(epochs);
  for (std::size_t k = 0; k < at_run_time.parameters.size(); ++k)
    BOOST_TEST(std::bit_cast<std::uint32_t>(at_run_time.parameters[k]) ==
               std::bit_cast<std::uint32_t>(trained_float.parameters[k]));
  const auto d = trained<double>(epochs);
  BOOST_TEST(d.parameters == trained_double.parameters);
  BOOST_TEST(predictions(trained_double) == labels);
}

BOOST_AUTO_TEST_SUITE_END()
