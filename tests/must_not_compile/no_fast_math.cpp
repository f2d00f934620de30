// Must not compile with -ffast-math: constnn stops with an #error that says why.
// clang-format off
// expect-diagnostic: constnn must not be compiled with -ffast-math: it reorders and fuses floating-point operations
// expect-errors-at-most: 1
// clang-format on
#include <constnn/core/math.hpp>

float exp_of(float x) {
  return constnn::math::exp(x);
}
