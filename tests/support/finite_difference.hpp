// Test helper: centered finite differences, the independent check of every gradient.
#pragma once

#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

namespace constnn_test {

inline constexpr double fd_eps = 1e-5;

/// Centered differences (f(v + eps e_k) - f(v - eps e_k)) / 2 eps for every k of v.
template <class F>
std::vector<double> numeric_gradient(std::vector<double>& v, F&& f) {
  std::vector<double> g(v.size());
  for (std::size_t k = 0; k < v.size(); ++k) {
    const double keep = v[k];
    v[k] = keep + fd_eps;
    const double up = f();
    v[k] = keep - fd_eps;
    const double down = f();
    v[k] = keep;
    g[k] = (up - down) / (2 * fd_eps);
  }
  return g;
}

inline double l2_distance(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t k = 0; k < a.size(); ++k) s += (a[k] - b[k]) * (a[k] - b[k]);
  return std::sqrt(s);
}

inline std::vector<double> random_vector(std::size_t n, double lo, double hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

}  // namespace constnn_test
