// A convolutional network trained by SGD inside a constant expression: conv, pooling and the
// plan's buffers all run in the compiler, which checks the result.
#define BOOST_TEST_MODULE constexpr_cnn_training
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <array>
#include <bit>
#include <cstdint>

namespace {

template <class T>
using tiny_cnn =
    constnn::sequential<T, constnn::input<4, 4, 1>,
                        constnn::conv2d<2, 3, 3, 1, constnn::padding::same>, constnn::relu,
                        constnn::max_pool2d<2, 2>, constnn::flatten, constnn::dense<8, 2>,
                        constnn::softmax_xent>;

// "Is the lit pixel in the left or the right half?": four 4 x 4 images, class 0 or 1.
template <class T>
constexpr std::array<std::array<T, 16>, 4> images = [] {
  std::array<std::array<T, 16>, 4> x{};
  x[0][1 * 4 + 0] = 1;  // row 1, column 0: left
  x[1][2 * 4 + 3] = 1;  // right
  x[2][3 * 4 + 1] = 1;  // left
  x[3][0 * 4 + 2] = 1;  // right
  return x;
}();
constexpr std::array<std::size_t, 4> labels{0, 1, 0, 1};

template <class T>
constexpr constnn::model<tiny_cnn<T>> trained(int epochs) {
  constnn::model<tiny_cnn<T>> m;
  m.initialize(constnn::init_scheme::he, 7);
  for (int e = 0; e < epochs; ++e)
    for (std::size_t k = 0; k < 4; ++k) m.train_step(images<T>[k], labels[k], T(0.5));
  return m;
}

template <class T>
constexpr std::array<std::size_t, 4> predictions(constnn::model<tiny_cnn<T>> m) {
  std::array<std::size_t, 4> p{};
  for (std::size_t k = 0; k < 4; ++k) p[k] = m.predict(images<T>[k]);
  return p;
}

// Twelve epochs stay within clang's default constexpr step limit (-fconstexpr-steps); more
// training at compile time needs that limit raised (GCC: -fconstexpr-ops-limit).
constexpr auto trained_double = trained<double>(12);
constexpr auto trained_float = trained<float>(12);

static_assert(predictions(trained_double) == labels, "12 constexpr epochs learn the task (double)");
static_assert(predictions(trained_float) == labels, "12 constexpr epochs learn the task (float)");
// conv 3x3x1x2 + 2, dense 8x2 + 2; training keeps conv's output (relu shares it), the pooled
// 2x2x2 and its arg-max, the dense output; two deltas of 32; scratch for a block of four
// rows of filter gradients (the first layer needs no input gradient).
static_assert(tiny_cnn<float>::param_count == 20 + 18);
static_assert(tiny_cnn<float>::training_ram_bytes == (38 + 32 + 8 + 8 + 2 + 2 * 32 + 4 * 2) * 4,
              "the memory figure is a compile-time fact");

}  // namespace

BOOST_AUTO_TEST_SUITE(constexpr_cnn_training)

BOOST_AUTO_TEST_CASE(compile_time_and_run_time_training_give_the_same_bits) {
  volatile int epochs = 12;  // forces the same training to happen at run time
  const auto at_run_time = trained<float>(epochs);
  for (std::size_t k = 0; k < at_run_time.parameters.size(); ++k)
    BOOST_TEST(std::bit_cast<std::uint32_t>(at_run_time.parameters[k]) ==
               std::bit_cast<std::uint32_t>(trained_float.parameters[k]));
  const auto d = trained<double>(epochs);
  BOOST_TEST(d.parameters == trained_double.parameters);
}

BOOST_AUTO_TEST_SUITE_END()
