// Must not compile: constnn::model owns std::arrays, so its network's sizes must all be fixed.
// clang-format off
// expect-diagnostic: constnn::model: the network's sizes must all be fixed
// clang-format on
#include <constnn/constnn.hpp>

#include <cstddef>

#ifdef CONSTNN_TEST_CONTROL
inline constexpr std::size_t hidden = 50;
#else
inline constexpr std::size_t hidden = constnn::dynamic;
#endif

using net = constnn::sequential<float, constnn::dense<128, hidden>, constnn::sigmoid,
                                constnn::dense<hidden, 10>, constnn::softmax_xent>;

std::size_t predict_zero_input() {
  static constnn::model<net> m;
  static constexpr float x[128] = {};
  return m.predict(x);
}
