// Benchmark helper: the reference job run through constnn, exactly as train_export runs it.
#pragma once

#include <bit>
#include <cstdint>
#include <span>
#include <vector>

#include <constnn/constnn.hpp>

#include "ocr_csv.hpp"

namespace constnn_bench {

/// What one job leaves behind: enough to tell two runs apart bit for bit.
struct job_result {
  double last_train_ce = 0, last_validation_ce = 0;
  std::size_t train_errors = 0, validation_errors = 0;
  std::uint64_t weight_hash = 0;      // FNV-1a of the weights' bits
  std::uint64_t prediction_hash = 0;  // FNV-1a of every prediction
};

inline void fnv1a(std::uint64_t& h, std::uint64_t v) {
  for (int b = 0; b < 8; ++b) {
    h ^= (v >> (8 * b)) & 0xffu;
    h *= 1099511628211ull;
  }
}

/// FEATURES -> dense(HIDDEN) -> sigmoid -> dense(CLASSES) -> softmax + cross-entropy, every
/// width chosen at run time: train_export's network.
template <class T>
using runtime_network =
    constnn::sequential<T, constnn::dense<constnn::dynamic, constnn::dynamic>, constnn::sigmoid,
                        constnn::dense<constnn::dynamic, constnn::dynamic>, constnn::softmax_xent>;

/// RANDOM init (seed 0), `epochs` epochs of per-example SGD in file order, the mean
/// cross-entropy of both sets after every epoch, then every prediction and the error rates.
template <class Net>
job_result run_constnn_job(const Net& net, const labelled_data<typename Net::scalar>& train,
                           const labelled_data<typename Net::scalar>& validation, int epochs,
                           typename Net::scalar lr) {
  using T = typename Net::scalar;
  const constnn::dataset_view<T, int> tv{train.features.data(), train.labels.data(),
                                         train.count(), train.width};
  const constnn::dataset_view<T, int> vv{validation.features.data(), validation.labels.data(),
                                         validation.count(), validation.width};
  std::vector<T> params(net.parameters_size());
  std::vector<T> ws(std::max(net.training_workspace_size(), net.inference_workspace_size()));
  const std::span<T> p(params);
  constnn::initialize(net, p, constnn::init_scheme::random, 0);
  job_result r;
  constnn::evaluation on_train{}, on_validation{};
  for (int e = 0; e < epochs; ++e) {
    constnn::train_epoch(net, p, tv, lr, std::span<T>(ws));
    on_train = constnn::evaluate(net, std::span<const T>(p), tv, std::span<T>(ws));
    on_validation = constnn::evaluate(net, std::span<const T>(p), vv, std::span<T>(ws));
  }
  std::vector<int> tp(train.count()), vp(validation.count());
  constnn::predict_all(net, std::span<const T>(p), tv, std::span<int>(tp), std::span<T>(ws));
  constnn::predict_all(net, std::span<const T>(p), vv, std::span<int>(vp), std::span<T>(ws));
  r.last_train_ce = on_train.mean_cross_entropy;
  r.last_validation_ce = on_validation.mean_cross_entropy;
  r.train_errors = on_train.errors;
  r.validation_errors = on_validation.errors;
  r.weight_hash = 14695981039346656037ull;
  for (const T w : params) {
    if constexpr (sizeof(T) == 4) {
      fnv1a(r.weight_hash, std::bit_cast<std::uint32_t>(w));
    } else {
      fnv1a(r.weight_hash, std::bit_cast<std::uint64_t>(w));
    }
  }
  r.prediction_hash = 14695981039346656037ull;
  for (const int v : tp) fnv1a(r.prediction_hash, static_cast<std::uint64_t>(v));
  for (const int v : vp) fnv1a(r.prediction_hash, static_cast<std::uint64_t>(v));
  return r;
}

}  // namespace constnn_bench
