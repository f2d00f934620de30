// One training run: the same constnn calls as train_export's training loop (initialize, then per
// epoch train_epoch and evaluate on both sets), on the network of the run's description; or,
// with an optimizer, mini-batches or shuffling, constnn's train_epoch with an optimizer. With
// "quantize": "int8", the int8 network of train_export's --quantize int8 is measured as well.
#include "runner.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include <constnn/constnn.hpp>

#include "csv_reader.hpp"
#include "error.hpp"
#include "input_file.hpp"
#include "int8_quantization.hpp"
#include "number_format.hpp"
#include "run_network.hpp"
#include "stack_network.hpp"

namespace experiments {
namespace {

using clock_type = std::chrono::steady_clock;
using host_tools::label_type;
using host_tools::labeled_data;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

template <class T>
constnn::dataset_view<T, label_type> view_of(const labeled_data<T>& data) {
  return {data.features.data(), data.labels.data(), data.size(), data.width};
}

// Largest Euclidean distance between two of the n vectors v(0..n-1), each `len` long, whose
// element k is at(unit, k). Summed in double.
template <class At>
double max_pairwise_distance(std::size_t n, std::size_t len, At at) {
  double best = 0;
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t b = a + 1; b < n; ++b) {
      double sum = 0;
      for (std::size_t k = 0; k < len; ++k) {
        const double d = static_cast<double>(at(a, k)) - static_cast<double>(at(b, k));
        sum += d * d;
      }
      best = std::max(best, std::sqrt(sum));
    }
  return best;
}

// Calls f with the optimizer the spec asks for, at learning rate lr.
template <class T, class F>
void with_optimizer(const optimizer_settings& o, T lr, F f) {
  const T wd = static_cast<T>(o.weight_decay);
  switch (o.kind) {
    case optimizer_kind::sgd: return f(constnn::sgd<T>(lr, wd));
    case optimizer_kind::momentum:
      return f(constnn::momentum<T>(lr, static_cast<T>(o.momentum), wd));
    case optimizer_kind::nesterov:
      return f(constnn::nesterov<T>(lr, static_cast<T>(o.momentum), wd));
    case optimizer_kind::adam:
    case optimizer_kind::adamw: {
      auto adam =
          o.kind == optimizer_kind::adam ? constnn::adam<T>(lr, wd) : constnn::adamw<T>(lr, wd);
      adam.beta1 = static_cast<T>(o.beta1);
      adam.beta2 = static_cast<T>(o.beta2);
      adam.eps = static_cast<T>(o.eps);
      return f(adam);
    }
  }
}

constnn::lr_schedule schedule_of(const run_spec& spec) {
  switch (spec.lr_schedule) {
    case schedule_kind::step:
      return constnn::lr_schedule::step(spec.lr_step_every, spec.lr_step_factor);
    case schedule_kind::inverse:
      return spec.lr_decay == 0 ? constnn::lr_schedule::constant()
                                : constnn::lr_schedule::inverse(spec.lr_decay);
    case schedule_kind::cosine: return constnn::lr_schedule::cosine(spec.epochs);
  }
  return constnn::lr_schedule::constant();
}

template <class T, class Net>
run_result train_and_measure(const Net& net, const run_spec& spec, const data_pair<T>& data,
                             const host_tools::model_description& model,
                             const std::vector<host_tools::tensor_shape>& shapes) {
  const auto start = clock_type::now();
  run_result r;
  r.spec = spec;
  r.model = model;
  r.widths = widths_of(model, shapes);
  r.parameter_count = net.parameters_size();
  r.train_examples = data.train.size();
  r.validation_examples = data.validation.size();

  std::vector<T> parameters(net.parameters_size());
  std::vector<T> workspace(std::max(net.training_workspace_size(), net.inference_workspace_size()));
  const std::span<T> params(parameters);
  const std::span<const T> cparams(parameters);
  const std::span<T> ws(workspace);
  constnn::initialize(net, params,
                      spec.init == init_kind::random ? constnn::init_scheme::random
                      : spec.init == init_kind::he   ? constnn::init_scheme::he
                                                     : constnn::init_scheme::zero,
                      spec.seed);

  // The learning rate from its text, so a float run uses the float nearest to what was written.
  const T lr = host_tools::nearest_value<T>(spec.learning_rate);
  const auto train_view = view_of(data.train);
  const auto validation_view = view_of(data.validation);
  // What each epoch trains on; the figures are always measured on the training set itself.
  labeled_data<T> mirrored;
  if (spec.augment_hflip)
    mirrored = with_mirror_images(data.train, {model.input.dims[0], model.input.dims[1],
                                               model.input.dims[2]});
  const auto fit_view = spec.augment_hflip ? view_of(mirrored) : train_view;
  r.trained_examples = fit_view.count;
  const constnn::lr_schedule schedule = schedule_of(spec);

  // With an MLP's front (dense, activation, dense; see starts_as_mlp): alpha, the first dense
  // layer, w[i * hidden + o] for input i and unit o, then hidden biases; beta, the second,
  // w[o * next + k] joins unit o to output k, right after alpha (an activation has none).
  const bool mlp_front = starts_as_mlp(model);
  const std::size_t inputs = r.widths[0];
  const std::size_t hidden = mlp_front ? r.widths[1] : 0;
  const std::size_t next = mlp_front ? r.widths[2] : 0;
  const T* alpha = parameters.data();
  const T* beta = parameters.data() + (mlp_front ? (inputs + 1) * hidden : 0);
  const auto alpha_at = [&](std::size_t o, std::size_t k) {
    return k == 0 ? alpha[inputs * hidden + o] : alpha[(k - 1) * hidden + o];
  };
  const auto beta_at = [&](std::size_t o, std::size_t k) { return beta[o * next + k]; };

  constnn::evaluation on_train{}, on_validation{};
  // Runs every epoch, train_one(epoch, its learning rate) training the network.
  const auto run_epochs = [&](auto&& train_one) {
    for (std::size_t epoch = 1; epoch <= spec.epochs; ++epoch) {
      const auto epoch_start = clock_type::now();
      // A schedule's rate in double from the rate as written, then rounded once to T.
      const T epoch_lr =
          spec.lr_schedule == schedule_kind::inverse && spec.lr_decay == 0
              ? lr
              : static_cast<T>(schedule.rate(std::stod(spec.learning_rate), epoch - 1));
      train_one(epoch, epoch_lr);
      const double train_seconds = seconds_since(epoch_start);
      on_train = constnn::evaluate(net, cparams, train_view, ws);
      on_validation = constnn::evaluate(net, cparams, validation_view, ws);
      epoch_record e;
      e.epoch = epoch;
      e.train_cross_entropy = on_train.mean_cross_entropy;
      e.validation_cross_entropy = on_validation.mean_cross_entropy;
      e.train_error = on_train.error_rate;
      e.validation_error = on_validation.error_rate;
      e.seconds = seconds_since(epoch_start);
      e.train_seconds = train_seconds;
      if (spec.track_symmetry) {
        e.alpha_rows_max_distance = max_pairwise_distance(hidden, inputs + 1, alpha_at);
        e.beta_columns_max_distance = max_pairwise_distance(hidden, next, beta_at);
      }
      r.epochs.push_back(e);
    }
  };
  const optimizer_settings optimizer = spec.optimizer_of();
  if (optimizer.kind == optimizer_kind::sgd && optimizer.weight_decay == 0 && spec.batch == 1 &&
      !spec.shuffle) {
    // train_export's training: per-example SGD in order, the update fused into backward.
    run_epochs([&](std::size_t, T epoch_lr) {
      constnn::train_epoch(net, params, fit_view, epoch_lr, ws);
    });
  } else {
    with_optimizer(optimizer, lr, [&](auto opt) {
      std::vector<T> state(constnn::optimizer_state_count<decltype(opt)>(params.size()));
      std::vector<T> grad(constnn::batch_gradient_count(spec.batch, params.size()));
      std::vector<std::size_t> order(spec.shuffle ? fit_view.count : 0);
      run_epochs([&](std::size_t epoch, T epoch_lr) {
        opt.learning_rate = epoch_lr;
        if (spec.shuffle) constnn::shuffled_order(order, spec.seed, epoch);
        const double loss = constnn::train_epoch(net, params, fit_view, opt, std::span<T>(state),
                                                 std::span<T>(grad), ws, spec.batch,
                                                 std::span<const std::size_t>(order));
        if (loss != loss)
          host_tools::fail_data(fmt::format("{}: epoch {}: a batch was refused (a non-finite "
                                              "loss: is the learning rate too high?)",
                                              spec.key(), epoch));
      });
    });
  }
  r.train_errors = on_train.errors;
  r.validation_errors = on_validation.errors;
  r.train_error = on_train.error_rate;
  r.validation_error = on_validation.error_rate;
  if (spec.keep_first_layer) {
    r.first_layer_rows.assign(hidden, std::vector<double>(inputs + 1));
    for (std::size_t o = 0; o < hidden; ++o)
      for (std::size_t k = 0; k <= inputs; ++k)
        r.first_layer_rows[o][k] = static_cast<double>(alpha_at(o, k));
  }
  r.wall_seconds = seconds_since(start);
  if (spec.quantize_int8) {
    // The reference type's parameters are laid out as the description's any_layer network's,
    // which quantize_int8 builds; calibrated on the training set, as train_export does without
    // --calibration.
    const auto quantize_start = clock_type::now();
    const std::string where = spec.key() + ": \"quantize\": \"int8\"";
    const host_tools::int8_network q = host_tools::quantize_int8<T>(
        model, cparams, data.train, data.train, data.validation,
        {host_tools::tool_error(host_tools::failure_kind::data,
                                where + ": the library refused the network's int8 sizes"),
         host_tools::tool_error(host_tools::failure_kind::data,
                                where + ": calibration refused a training example")});
    int8_result x;
    x.train_errors = q.errors.train_errors;
    x.validation_errors = q.errors.validation_errors;
    x.train_error = q.errors.train;
    x.validation_error = q.errors.validation;
    x.parameter_bytes = q.parameters.size();
    x.inference_ram_bytes = q.inference_ram_bytes;
    x.float_parameter_bytes = q.float_parameter_bytes;
    x.float_inference_ram_bytes = q.float_inference_ram_bytes;
    x.input_scale = q.tensors[0].scale;
    x.input_zero_point = q.tensors[0].zero_point;
    x.seconds = seconds_since(quantize_start);
    r.int8 = x;
  }
  return r;
}

template <class T>
run_result run_typed(const run_spec& spec, const data_pair<T>& data, std::size_t classes) {
  const std::string key = spec.key();
  const std::size_t features = data.train.width;
  check_classes(spec, classes, key);
  check_features(spec, features, key);
  const host_tools::model_description model = description_of(spec, features, classes);
  const auto shapes = shapes_through(model, key);
  if ((spec.track_symmetry || spec.keep_first_layer) && !starts_as_mlp(model))
    host_tools::fail_data(key + ": track_symmetry and keep_first_layer read an MLP's first "
                                "hidden layer (dense, activation, dense)");
  if (spec.augment_hflip && model.input.rank != 3)
    host_tools::fail_data(key + ": augment hflip mirrors images; the input is " +
                          model.input.text());
  // The reference network keeps its own run-time-size type, as in train_export: through the
  // layers chosen at run time it trains 31% slower (the same bits), and most of the report's
  // runs are this network. Every other description runs as any_layer.
  const std::size_t hidden = model.layers.size() == 3 ? model.layers[0].units : 0;
  if (model == host_tools::default_description(features, hidden, classes)) {
    using reference = constnn::sequential<T, constnn::dense<constnn::dynamic, constnn::dynamic>,
                                          constnn::sigmoid,
                                          constnn::dense<constnn::dynamic, constnn::dynamic>,
                                          constnn::softmax_xent>;
    const reference net({features, hidden, classes});
    return train_and_measure(net, spec, data, model, shapes);
  }
  const host_tools::stack_network<T> net = host_tools::make_network<T>(model);
  if (!net.valid())
    host_tools::fail_data(key + ": the library refused the network's sizes");
  return train_and_measure(net, spec, data, model, shapes);
}

// Fashion-MNIST's training set is 277 MiB of CSV, more than train_export's limit on a file it
// is handed; the grid's files are the ones run_experiments.sh converted.
constexpr std::size_t max_input_bytes = std::size_t{1} << 30;

template <class T>
labeled_data<T> read_csv(const std::filesystem::path& path, std::size_t classes) {
  const auto file = host_tools::read_input_file(path, max_input_bytes);
  return host_tools::parse_labeled_csv<T>(file.bytes, file.name, classes);
}

template <class T>
data_pair<T> read_pair(const dataset_spec& spec) {
  data_pair<T> d{read_csv<T>(spec.train, spec.classes), read_csv<T>(spec.validation, spec.classes)};
  if (d.train.width != d.validation.width)
    host_tools::fail_data(fmt::format("{}: {} features per example, but {} has {}",
                                        spec.validation.string(), d.validation.width,
                                        spec.train.string(), d.train.width));
  return d;
}

}  // namespace

loaded_dataset load_dataset(const dataset_spec& spec, bool need_float, bool need_double) {
  loaded_dataset d{spec, std::nullopt, std::nullopt};
  if (need_float) d.single_precision = read_pair<float>(spec);
  if (need_double) d.double_precision = read_pair<double>(spec);
  return d;
}

run_result run_one(const run_spec& spec, const loaded_dataset& data) {
  if (spec.scalar == scalar_kind::single_precision) {
    if (!data.single_precision) host_tools::fail_usage(spec.key() + ": float data not loaded");
    return run_typed(spec, *data.single_precision, data.spec.classes);
  }
  if (!data.double_precision) host_tools::fail_usage(spec.key() + ": double data not loaded");
  return run_typed(spec, *data.double_precision, data.spec.classes);
}

double estimated_cost(const run_spec& spec, std::size_t features, std::size_t classes,
                      std::size_t train_examples, std::size_t validation_examples) {
  const host_tools::model_description model = description_of(spec, features, classes);
  const double macs = multiply_adds(model, shapes_through(model, spec.key()));
  // A training step costs about three forward passes; each epoch evaluates both sets once.
  const double trained = static_cast<double>(train_examples) * (spec.augment_hflip ? 2 : 1);
  const double passes = 3.0 * trained +
                        static_cast<double>(train_examples + validation_examples);
  return macs * passes * static_cast<double>(spec.epochs);
}

}  // namespace experiments
