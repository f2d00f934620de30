// Trains the network with constnn (the reference job exactly, or any stack and optimizer) and
// measures it each epoch.
#include "training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <span>

#include <fmt/format.h>
#include <constnn/constnn.hpp>

#include "host_tools.hpp"
#include "network.hpp"
#include "stack_network.hpp"

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

constnn::init_scheme scheme_of(initialization init) {
  switch (init) {
    case initialization::zero:
      return constnn::init_scheme::zero;
    case initialization::glorot:
      return constnn::init_scheme::glorot;
    case initialization::he:
      return constnn::init_scheme::he;
    default:
      return constnn::init_scheme::random;
  }
}

constnn::lr_schedule schedule_of(const options& opts) {
  switch (opts.schedule.type) {
    case schedule_option::kind::step:
      return constnn::lr_schedule::step(opts.schedule.every, opts.schedule.factor);
    case schedule_option::kind::inverse:
      return constnn::lr_schedule::inverse(opts.schedule.decay);
    case schedule_option::kind::cosine:
      return constnn::lr_schedule::cosine(opts.epochs);
    default:
      return constnn::lr_schedule::constant();
  }
}

// f(optimizer) with the optimizer the options name, its values read in T.
template <class T, class F>
void with_optimizer(const options& opts, F&& f) {
  const T lr = opts.learning_rate_as<T>();
  const T decay = options::value_as<T>(opts.weight_decay_text);
  switch (opts.optimizer) {
    case optimizer_kind::sgd:
      return f(constnn::sgd_optimizer<T>{.learning_rate = lr, .weight_decay = decay});
    case optimizer_kind::momentum:
    case optimizer_kind::nesterov: {
      const T mu = options::value_as<T>(opts.momentum_text);
      return f(opts.optimizer == optimizer_kind::nesterov ? constnn::nesterov(lr, mu, decay)
                                                          : constnn::momentum(lr, mu, decay));
    }
    case optimizer_kind::adam:
    case optimizer_kind::adamw: {
      auto opt = opts.optimizer == optimizer_kind::adamw ? constnn::adamw(lr, decay)
                                                         : constnn::adam(lr, decay);
      opt.beta1 = options::value_as<T>(opts.beta1_text);
      opt.beta2 = options::value_as<T>(opts.beta2_text);
      opt.eps = options::value_as<T>(opts.eps_text);
      return f(opt);
    }
  }
}

// After each epoch: both sets evaluated afresh (the reference reports the loss with the
// weights as they are at the end of the epoch, not the running loss train_epoch returns),
// the figures kept, divergence caught, early stopping fed.
template <class T, class Net>
struct epoch_log {
  const Net& net;
  const options& opts;
  std::vector<T>& parameters;
  constnn::dataset_view<T, label_type> train_view, validation_view;
  std::span<T> ws;
  run_summary& summary;
  progress_reporter& progress;
  clock_type::time_point start;
  constnn::evaluation on_train{}, on_validation{};
  std::vector<T> best = std::vector<T>(opts.early_stopping > 0 ? parameters.size() : 0);
  constnn::early_stopping<T> stopper{.patience = opts.early_stopping};

  void evaluate() {
    const std::span<const T> params(parameters);
    on_train = constnn::evaluate(net, params, train_view, ws);
    on_validation = constnn::evaluate(net, params, validation_view, ws);
  }

  /// After evaluate(); returns whether early stopping ends the run.
  bool epoch_done(std::size_t epoch, clock_type::time_point epoch_start) {
    const std::span<const T> params(parameters);
    summary.epochs.push_back({epoch, on_train.mean_cross_entropy, on_validation.mean_cross_entropy,
                              seconds_since(epoch_start)});
    // The cross-entropies are clamped and would look finite; the weights tell.
    if (!std::all_of(parameters.begin(), parameters.end(), [](T w) { return std::isfinite(w); })) {
      fail_data(
          fmt::format("training diverged in epoch {} (a weight became NaN or infinite), "
                      "so no output was written; try a smaller learning rate than {}",
                      epoch, opts.learning_rate_text));
    }
    progress.epoch_done(summary.epochs.back(), seconds_since(start));
    return opts.early_stopping > 0 &&
           stopper.record(on_validation.mean_cross_entropy, params, std::span<T>(best));
  }
};

// Every epoch with the options' optimizer, batch, order and schedule (plain SGD too, when
// some other option than the reference job's is given).
template <class T, class Net>
void train_with_optimizer(const Net& net, const options& opts, std::span<T> params,
                          const constnn::dataset_view<T, label_type>& train_view, std::span<T> ws,
                          epoch_log<T, Net>& log) {
  const T lr = opts.learning_rate_as<T>();
  const constnn::lr_schedule schedule = schedule_of(opts);
  std::vector<std::size_t> order(opts.shuffle ? train_view.count : 0);
  with_optimizer<T>(opts, [&](auto opt) {
    std::vector<T> state(constnn::optimizer_state_count<decltype(opt)>(params.size()));
    std::vector<T> grad(constnn::batch_gradient_count(opts.batch, params.size()));
    for (std::size_t epoch = 1; epoch <= opts.epochs; ++epoch) {
      const auto epoch_start = clock_type::now();
      opt.learning_rate = schedule.rate(lr, epoch - 1);
      if (opts.shuffle) constnn::shuffled_order(std::span<std::size_t>(order), opts.seed, epoch);
      constnn::train_epoch(net, params, train_view, opt, std::span<T>(state), std::span<T>(grad),
                           ws, opts.batch, std::span<const std::size_t>(order));
      log.evaluate();
      if (log.epoch_done(epoch, epoch_start)) break;
    }
  });
}

// The reference job exactly as it has always been compiled: per-example SGD in file order
// on the reference network. Its own function, so that nothing else inlined beside it moves
// its loops (the job ran 8-10% slower when the optimizers' epochs shared its body).
template <class T>
trained_network<T> train_reference(const options& opts, std::span<const T> start,
                                   const labeled_data<T>& train_set,
                                   const labeled_data<T>& validation_set,
                                   progress_reporter& progress, run_summary& summary) {
  const runtime_network<T> net({train_set.width, opts.hidden, opts.classes});
  trained_network<T> result;
  result.parameters.resize(net.parameters_size());
  // One workspace serves training and evaluation; training needs the larger one.
  std::vector<T> workspace(std::max(net.training_workspace_size(), net.inference_workspace_size()));
  const std::span<T> params(result.parameters);
  const std::span<T> ws(workspace);

  if (start.empty())
    constnn::initialize(net, params,
                        opts.init == initialization::random ? constnn::init_scheme::random
                                                            : constnn::init_scheme::zero,
                        opts.seed);
  else
    std::copy(start.begin(), start.end(), params.begin());
  const auto train_view = view_of(train_set);
  const auto validation_view = view_of(validation_set);
  const T lr = opts.learning_rate_as<T>();
  summary.parameter_count = net.parameters_size();

  const auto start_time = clock_type::now();
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
    progress.epoch_done(summary.epochs.back(), seconds_since(start_time));
  }
  if (opts.epochs == 0) {
    on_train = constnn::evaluate(net, std::span<const T>(params), train_view, ws);
    on_validation = constnn::evaluate(net, std::span<const T>(params), validation_view, ws);
  }
  summary.epochs_run = summary.epochs.size();
  summary.errors = {on_train.error_rate, on_validation.error_rate, on_train.errors,
                    on_validation.errors};
  summary.final_train_cross_entropy = on_train.mean_cross_entropy;
  summary.final_validation_cross_entropy = on_validation.mean_cross_entropy;

  result.train_predictions.resize(train_set.size());
  result.validation_predictions.resize(validation_set.size());
  constnn::predict_all(net, std::span<const T>(params), train_view,
                       std::span<label_type>(result.train_predictions), ws);
  constnn::predict_all(net, std::span<const T>(params), validation_view,
                       std::span<label_type>(result.validation_predictions), ws);
  summary.train_seconds = seconds_since(start_time);
  progress.finished(summary.errors, summary.train_seconds);
  return result;
}

template <class T, class Net>
trained_network<T> train_network(const Net& net, const options& opts, std::span<const T> start,
                                 const labeled_data<T>& train_set,
                                 const labeled_data<T>& validation_set,
                                 progress_reporter& progress, run_summary& summary) {
  if (!net.valid()) fail_usage("--layers: the library refused the network's sizes");
  trained_network<T> result;
  result.parameters.resize(net.parameters_size());
  // One workspace serves training and evaluation; training needs the larger one.
  std::vector<T> workspace(std::max(net.training_workspace_size(), net.inference_workspace_size()));
  const std::span<T> params(result.parameters);
  const std::span<T> ws(workspace);

  if (start.empty())
    constnn::initialize(net, params, scheme_of(opts.init), opts.seed);
  else
    std::copy(start.begin(), start.end(), params.begin());
  const auto train_view = view_of(train_set);
  const auto validation_view = view_of(validation_set);
  summary.parameter_count = net.parameters_size();

  const auto start_time = clock_type::now();
  epoch_log<T, Net> log{net, opts, result.parameters, train_view, validation_view, ws, summary,
                        progress, start_time};
  train_with_optimizer<T>(net, opts, params, train_view, ws, log);
  if (opts.epochs == 0) log.evaluate();
  constnn::evaluation& on_train = log.on_train;
  constnn::evaluation& on_validation = log.on_validation;
  summary.epochs_run = summary.epochs.size();
  if (opts.early_stopping > 0 && log.stopper.best_epoch > 0) {
    // The best epoch's weights, and its figures as the run's last.
    std::copy(log.best.begin(), log.best.end(), result.parameters.begin());
    summary.epochs.resize(log.stopper.best_epoch);
    summary.stopped_early = log.stopper.best_epoch < opts.epochs;
    on_train = constnn::evaluate(net, std::span<const T>(params), train_view, ws);
    on_validation = constnn::evaluate(net, std::span<const T>(params), validation_view, ws);
  }
  summary.errors = {on_train.error_rate, on_validation.error_rate, on_train.errors,
                    on_validation.errors};
  summary.final_train_cross_entropy = on_train.mean_cross_entropy;
  summary.final_validation_cross_entropy = on_validation.mean_cross_entropy;

  result.train_predictions.resize(train_set.size());
  result.validation_predictions.resize(validation_set.size());
  constnn::predict_all(net, std::span<const T>(params), train_view,
                       std::span<label_type>(result.train_predictions), ws);
  constnn::predict_all(net, std::span<const T>(params), validation_view,
                       std::span<label_type>(result.validation_predictions), ws);
  summary.train_seconds = seconds_since(start_time);
  progress.finished(summary.errors, summary.train_seconds);
  return result;
}

}  // namespace

template <class T>
trained_network<T> train(const options& opts, const model_description& description,
                         std::span<const T> start, const labeled_data<T>& train_set,
                         const labeled_data<T>& validation_set, progress_reporter& progress,
                         run_summary& summary) {
  // The reference network keeps its own type (the reference job's speed); any other stack
  // runs as layers chosen at run time, with the same bits as its fixed type.
  // (A model file's reference network too, whatever its width.)
  const std::size_t hidden = description.layers.size() == 3 ? description.layers[0].units : 0;
  if (description == default_description(train_set.width, hidden, opts.classes)) {
    if (opts.reference_training()) {
      options reference = opts;
      reference.hidden = hidden;
      return train_reference<T>(reference, start, train_set, validation_set, progress, summary);
    }
    const runtime_network<T> net({train_set.width, hidden, opts.classes});
    return train_network<T>(net, opts, start, train_set, validation_set, progress, summary);
  }
  const stack_network<T> net = make_network<T>(description);
  return train_network<T>(net, opts, start, train_set, validation_set, progress, summary);
}

template trained_network<float> train<float>(const options&, const model_description&,
                                             std::span<const float>, const labeled_data<float>&,
                                             const labeled_data<float>&, progress_reporter&,
                                             run_summary&);
template trained_network<double> train<double>(const options&, const model_description&,
                                               std::span<const double>, const labeled_data<double>&,
                                               const labeled_data<double>&, progress_reporter&,
                                               run_summary&);

}  // namespace train_export
