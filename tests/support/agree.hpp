// Test helper: element-wise agreement with a framework's float64 numbers, to a relative bound.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstddef>

namespace constnn_test {

/// |a - b| <= bound |b| for every element; values the reference gives as (nearly) 0 are held
/// to `bound` of 1e-3 times the largest magnitude of their vector instead.
template <class A, class B>
bool agree(const A& a, const B& b, double bound) {
  double scale = 0;
  for (const double v : b) scale = std::fmax(scale, std::fabs(v));
  bool ok = a.size() == b.size();
  for (std::size_t k = 0; ok && k < b.size(); ++k) {
    const double allowed = bound * std::fmax(std::fabs(b[k]), 1e-3 * scale);
    if (!(std::fabs(a[k] - b[k]) <= allowed)) {
      BOOST_TEST_MESSAGE("element " << k << ": " << a[k] << " against the reference's " << b[k]);
      ok = false;
    }
  }
  return ok;
}

}  // namespace constnn_test
