// The README's example, compiled and run, so the README cannot drift from the library.
#define BOOST_TEST_MODULE readme_example
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <array>
#include <cstddef>
#include <cstring>
#include <vector>

namespace {

// --- as in README.md ---
using ocr_net = constnn::sequential<float,
                                    constnn::dense<128, 50>, constnn::sigmoid,
                                    constnn::dense<50, 10>, constnn::softmax_xent>;
static_assert(ocr_net::training_ram_bytes <= 32 * 1024, "does not fit this MCU");
// ---

// --- as in README.md ---
// Fashion-MNIST: 28x28 grey images, 10 classes.
using fashion_cnn = constnn::sequential<float, constnn::input<28, 28, 1>,
    constnn::conv2d<8, 3, 3, 1, constnn::padding::same>, constnn::relu, constnn::max_pool2d<2, 2>,
    constnn::conv2d<16, 3, 3, 1, constnn::padding::same>, constnn::relu, constnn::max_pool2d<2, 2>,
    constnn::flatten, constnn::dense<7 * 7 * 16, 10>, constnn::softmax_xent>;
// ---
// The README's table of its figures.
static_assert(fashion_cnn::param_count == 9098);
static_assert(fashion_cnn::parameter_bytes == 36392);
static_assert(fashion_cnn::inference_ram_bytes == 50176);
static_assert(fashion_cnn::training_ram_bytes == 147664);

// The README's int8 network.
using ocr_int8 = constnn::sequential<constnn::int8, constnn::dense<128, 50>, constnn::sigmoid,
                                     constnn::dense<50, 10>, constnn::softmax_xent>;
static_assert(ocr_int8::parameter_bytes == 7'908);
static_assert(ocr_int8::inference_ram_bytes == 100);
static_assert(constnn::sequential<float, constnn::dense<128, 50>, constnn::sigmoid,
                                  constnn::dense<50, 10>,
                                  constnn::softmax_xent>::parameter_bytes == 27'840);
// "Optimizers, mini-batches, schedules": Adam's two values per parameter.
static_assert(constnn::training_ram_bytes_with<fashion_cnn, constnn::adam_optimizer<float>> ==
              fashion_cnn::training_ram_bytes + 2 * fashion_cnn::parameter_bytes);
static_assert(constnn::optimizer_state_count<constnn::adam_optimizer<float>>(
                  fashion_cnn::param_count) == 2 * 9098);

// Two synthetic "letters": the left or the right half of the image lit.
constexpr std::size_t examples = 2;
std::array<std::array<float, 128>, examples> make_pixels() {
  std::array<std::array<float, 128>, examples> p{};
  for (std::size_t i = 0; i < 128; ++i) p[(i % 8) < 4 ? 0 : 1][i] = 1.0f;
  return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(readme_example)

BOOST_AUTO_TEST_CASE(the_readme_example_trains_and_predicts) {
  const auto pixels = make_pixels();
  const std::array<std::size_t, examples> labels{3, 7};

  // --- as in README.md ---
  constnn::model<ocr_net> net;
  net.initialize(constnn::init_scheme::random, /*seed=*/1);

  for (int epoch = 0; epoch < 100; ++epoch)
    for (std::size_t e = 0; e < examples; ++e)
      net.train_step(pixels[e], labels[e], 0.01f);

  std::size_t letter = net.predict(pixels[0]);
  // ---
  BOOST_TEST(letter == 3u);
  BOOST_TEST(net.predict(pixels[1]) == 7u);
}

BOOST_AUTO_TEST_CASE(the_readme_cnn_takes_its_image_size_at_run_time_with_the_same_bits) {
  using image = constnn::extents<constnn::dynamic, constnn::dynamic, 1>;
  using fashion_cnn_dyn = constnn::sequential<float, constnn::input<constnn::dynamic, constnn::dynamic, 1>,
      constnn::conv2d<8, 3, 3, 1, constnn::padding::same>, constnn::relu, constnn::max_pool2d<2, 2>,
      constnn::conv2d<16, 3, 3, 1, constnn::padding::same>, constnn::relu, constnn::max_pool2d<2, 2>,
      constnn::flatten, constnn::dense<constnn::dynamic, 10>, constnn::softmax_xent>;
  const fashion_cnn_dyn dyn(image({28, 28, 1}), {}, {}, {}, {}, {}, {}, {}, {}, {}, {});
  BOOST_TEST(dyn.parameters_size() == fashion_cnn::param_count);
  BOOST_TEST(dyn.training_workspace_size() == fashion_cnn::training_workspace_count);

  static constnn::model<fashion_cnn> fixed;
  fixed.initialize(constnn::init_scheme::he, 3);
  std::vector<float> p(fixed.parameters.begin(), fixed.parameters.end()), ws(dyn.training_workspace_size());
  std::array<float, 784> x{};
  for (std::size_t i = 0; i < x.size(); i += 7) x[i] = 0.5f;
  for (int step = 0; step < 3; ++step) {
    fixed.train_step(x, 4, 0.01f);
    dyn.train_step(p, x, 4, 0.01f, ws);
  }
  BOOST_TEST(std::memcmp(p.data(), fixed.parameters.data(), p.size() * sizeof(float)) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
