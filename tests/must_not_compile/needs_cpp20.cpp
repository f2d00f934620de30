// Must not compile as C++17: constnn says it needs C++20 in one #error and stops there (without
// the stop, g++ reports some 500 errors from the headers and clang 20, none naming the cause).
// clang-format off
// expect-diagnostic: constnn needs C++20: compile with -std=c++20 or later
// expect-errors-at-most: 2
// clang-format on
#ifdef CONSTNN_TEST_WITHOUT_THE_STOP
// For the harness's own test: three errors of its own, so a count above the limit is seen.
#error "harness test: first extra error"
#error "harness test: second extra error"
#error "harness test: third extra error"
#endif
#include <constnn/constnn.hpp>

#include <cstddef>

using net = constnn::sequential<float, constnn::dense<128, 50>, constnn::sigmoid,
                                constnn::dense<50, 10>, constnn::softmax_xent>;

std::size_t parameter_count() {
  return net{}.parameters_size();
}
