// Must not compile: a network that ends in an activation instead of a loss.
// clang-format off
// expect-diagnostic: constnn::sequential: the last layer must be a loss (softmax_xent or cross_entropy)
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

std::size_t parameter_count() {
  return net{}.parameters_size();
}
