// Must not compile: training a network that ends in an activation instead of a loss (such a
// network predicts, but has nothing to train against).
// clang-format off
// expect-diagnostic: constnn::sequential: only a network whose last layer is a loss (softmax_xent or cross_entropy) can train
// clang-format on
#include <constnn/constnn.hpp>

#include <cstddef>

#ifdef CONSTNN_TEST_CONTROL
using last_layer = constnn::softmax_xent;
#else
using last_layer = constnn::sigmoid;
#endif

using net = constnn::sequential<float, constnn::dense<128, 50>, constnn::sigmoid,
                                constnn::dense<50, 10>, last_layer>;

float one_step() {
  static constnn::model<net> m;
  static constexpr float x[128] = {};
  return m.train_step(x, 0, 0.1f);
}
