// Trains the network with constnn exactly as the reference job does and measures it each epoch.
#include "training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <span>

#include <fmt/format.h>
#include <constnn/constnn.hpp>

#include "error.hpp"
#include "network.hpp"

namespace train_export {

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

template <class T>
constnn::dataset_view<T, label_type> view_of(const labeled_data<T>& data) {
  return {data.features.data(), data.labels.data(), data.size(), data.width};
}

}  // namespace

template <class T>
trained_network<T> train(const options& opts, const labeled_data<T>& train_set,
                         const labeled_data<T>& validation_set, progress_reporter& progress,
                         run_summary& summary) {
  const runtime_network<T> net({train_set.width, opts.hidden, opts.classes});
  trained_network<T> result;
  result.parameters.resize(net.parameters_size());
  // One workspace serves training and evaluation; training needs the larger one.
  std::vector<T> workspace(std::max(net.training_workspace_size(), net.inference_workspace_size()));
  const std::span<T> params(result.parameters);
  const std::span<T> ws(workspace);

  constnn::initialize(net, params,
                      opts.init == initialization::random ? constnn::init_scheme::random
                                                          : constnn::init_scheme::zero,
                      opts.seed);
  const auto train_view = view_of(train_set);
  const auto validation_view = view_of(validation_set);
  const T lr = opts.learning_rate_as<T>();
  summary.parameter_count = net.parameters_size();

  const auto start = clock_type::now();
  constnn::evaluation on_train{}, on_validation{};
  for (std::size_t epoch = 1; epoch <= opts.epochs; ++epoch) {
    const auto epoch_start = clock_type::now();
    constnn::train_epoch(net, params, train_view, lr, ws);
    // The reference reports the loss with the weights as they are at the end of the epoch,
    // not the running loss train_epoch returns, so both sets are evaluated afresh.
    on_train = constnn::evaluate(net, std::span<const T>(params), train_view, ws);
    on_validation = constnn::evaluate(net, std::span<const T>(params), validation_view, ws);
    summary.epochs.push_back({epoch, on_train.mean_cross_entropy, on_validation.mean_cross_entropy,
                              seconds_since(epoch_start)});
    // The cross-entropies are clamped and would look finite; the weights tell.
    if (!std::all_of(result.parameters.begin(), result.parameters.end(),
                     [](T w) { return std::isfinite(w); })) {
      fail_data(
          fmt::format("training diverged in epoch {} (a weight became NaN or infinite), "
                      "so no output was written; try a smaller learning rate than {}",
                      epoch, opts.learning_rate_text));
    }
    progress.epoch_done(summary.epochs.back(), seconds_since(start));
  }
  summary.errors = {on_train.error_rate, on_validation.error_rate, on_train.errors,
                    on_validation.errors};

  result.train_predictions.resize(train_set.size());
  result.validation_predictions.resize(validation_set.size());
  constnn::predict_all(net, std::span<const T>(params), train_view,
                       std::span<label_type>(result.train_predictions), ws);
  constnn::predict_all(net, std::span<const T>(params), validation_view,
                       std::span<label_type>(result.validation_predictions), ws);
  summary.train_seconds = seconds_since(start);
  progress.finished(summary.errors, summary.train_seconds);
  return result;
}

template trained_network<float> train<float>(const options&, const labeled_data<float>&,
                                             const labeled_data<float>&, progress_reporter&,
                                             run_summary&);
template trained_network<double> train<double>(const options&, const labeled_data<double>&,
                                               const labeled_data<double>&, progress_reporter&,
                                               run_summary&);

}  // namespace train_export
