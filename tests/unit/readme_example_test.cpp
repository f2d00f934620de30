// The README's example, compiled and run, so the README cannot drift from the library.
#define BOOST_TEST_MODULE readme_example
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <array>
#include <cstddef>

namespace {

// --- as in README.md ---
using ocr_net = constnn::sequential<float,
                                    constnn::dense<128, 50>, constnn::sigmoid,
                                    constnn::dense<50, 10>, constnn::softmax_xent>;
static_assert(ocr_net::training_ram_bytes <= 32 * 1024, "does not fit this MCU");
// ---

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

BOOST_AUTO_TEST_SUITE_END()
