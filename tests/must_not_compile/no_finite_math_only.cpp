// Must not compile with -ffinite-math-only: constnn stops with an #error that says why.
// clang-format off
// expect-diagnostic: constnn must not be compiled with -ffinite-math-only: the library's checks for NaN and infinity would be folded away
// expect-errors-at-most: 1
// clang-format on
#include <constnn/core/math.hpp>

bool finite(float x) {
  return constnn::math::isfinite(x);
}
