// Benchmark helper: the reference job as a textbook would write it, the yardstick constnn is
// measured against. Plain loops over the reference's row-major matrices with their bias
// columns (alpha is D x (M+1), beta is K x (D+1)), std::exp and std::log, explicit gradient
// buffers, no tricks. Not bit-compatible with constnn (other exp/log), only comparable.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include <constnn/core/random.hpp>

#include "ocr_csv.hpp"

namespace constnn_bench {

struct textbook_result {
  double last_train_ce = 0, last_validation_ce = 0;
  std::size_t train_errors = 0, validation_errors = 0;
};

template <class T>
class textbook_network {
 public:
  textbook_network(std::size_t m, std::size_t d, std::size_t k)
      : M(m), D(d), K(k), alpha(D * (M + 1)), beta(K * (D + 1)), galpha(alpha.size()),
        gbeta(beta.size()), a(D), z(D + 1), b(K), yhat(K), gb(K), gz(D), ga(D) {
    constnn::splitmix64 rng(0);
    for (std::size_t j = 0; j < D; ++j)
      for (std::size_t i = 1; i <= M; ++i) alpha[j * (M + 1) + i] = rng.uniform<T>(T(-0.1), T(0.1));
    for (std::size_t q = 0; q < K; ++q)
      for (std::size_t j = 1; j <= D; ++j) beta[q * (D + 1) + j] = rng.uniform<T>(T(-0.1), T(0.1));
  }

  /// Forward pass; returns J for label y.
  T forward(const T* x, int y) {
    for (std::size_t j = 0; j < D; ++j) {
      T s = alpha[j * (M + 1)];  // x0 = 1
      for (std::size_t i = 1; i <= M; ++i) s += alpha[j * (M + 1) + i] * x[i - 1];
      a[j] = s;
    }
    z[0] = 1;
    for (std::size_t j = 0; j < D; ++j) z[j + 1] = T(1) / (T(1) + std::exp(-a[j]));
    for (std::size_t q = 0; q < K; ++q) {
      T s = 0;
      for (std::size_t j = 0; j <= D; ++j) s += beta[q * (D + 1) + j] * z[j];
      b[q] = s;
    }
    T sum = 0;
    for (std::size_t q = 0; q < K; ++q) {
      yhat[q] = std::exp(b[q]);
      sum += yhat[q];
    }
    for (std::size_t q = 0; q < K; ++q) yhat[q] /= sum;
    return -std::log(yhat[static_cast<std::size_t>(y)]);
  }

  /// One SGD step: forward, backward into the gradient buffers, then the update.
  void train_step(const T* x, int y, T lr) {
    forward(x, y);
    for (std::size_t q = 0; q < K; ++q) gb[q] = yhat[q] - (static_cast<int>(q) == y ? T(1) : T(0));
    for (std::size_t q = 0; q < K; ++q)
      for (std::size_t j = 0; j <= D; ++j) gbeta[q * (D + 1) + j] = gb[q] * z[j];
    for (std::size_t j = 0; j < D; ++j) {
      T s = 0;
      for (std::size_t q = 0; q < K; ++q) s += beta[q * (D + 1) + j + 1] * gb[q];
      gz[j] = s;
    }
    for (std::size_t j = 0; j < D; ++j) ga[j] = gz[j] * z[j + 1] * (T(1) - z[j + 1]);
    for (std::size_t j = 0; j < D; ++j) {
      galpha[j * (M + 1)] = ga[j];
      for (std::size_t i = 1; i <= M; ++i) galpha[j * (M + 1) + i] = ga[j] * x[i - 1];
    }
    for (std::size_t n = 0; n < alpha.size(); ++n) alpha[n] -= lr * galpha[n];
    for (std::size_t n = 0; n < beta.size(); ++n) beta[n] -= lr * gbeta[n];
  }

  int predicted() const {
    std::size_t best = 0;
    for (std::size_t q = 1; q < K; ++q)
      if (yhat[q] > yhat[best]) best = q;
    return static_cast<int>(best);
  }

 private:
  std::size_t M, D, K;
  std::vector<T> alpha, beta, galpha, gbeta, a, z, b, yhat, gb, gz, ga;
};

/// The same job as run_constnn_job, with the textbook network.
template <class T>
textbook_result run_textbook_job(const labelled_data<T>& train, const labelled_data<T>& validation,
                                 std::size_t hidden, std::size_t classes, int epochs, T lr) {
  textbook_network<T> net(train.width, hidden, classes);
  const auto mean_ce = [&](const labelled_data<T>& d, std::size_t& errors) {
    double s = 0;
    errors = 0;
    for (std::size_t e = 0; e < d.count(); ++e) {
      s += static_cast<double>(net.forward(d.features.data() + e * d.width, d.labels[e]));
      if (net.predicted() != d.labels[e]) ++errors;
    }
    return s / static_cast<double>(d.count());
  };
  textbook_result r;
  for (int ep = 0; ep < epochs; ++ep) {
    for (std::size_t e = 0; e < train.count(); ++e)
      net.train_step(train.features.data() + e * train.width, train.labels[e], lr);
    r.last_train_ce = mean_ce(train, r.train_errors);
    r.last_validation_ce = mean_ce(validation, r.validation_errors);
  }
  return r;
}

}  // namespace constnn_bench
