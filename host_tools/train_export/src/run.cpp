// The whole tool as a function: command line in, files out, exit status back.
#include "run.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <exception>
#include <new>
#include <optional>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "host_tools.hpp"
#include "header_export.hpp"
#include "metrics_json.hpp"
#include "model_file.hpp"
#include "onnx_import.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "quantized.hpp"
#include "reference_format.hpp"
#include "sha256.hpp"
#include "training.hpp"

namespace train_export {
namespace {

template <class T>
labeled_data<T> load(const std::filesystem::path& path, const options& opts,
                     input_summary& summary) {
  const input_file file = read_input_file(path);
  labeled_data<T> data = parse_labeled_csv<T>(file.bytes, file.name, opts.classes);
  summary = {file.name, sha256_hex(file.bytes), data.size(), data.width};
  if (data.features_outside_unit_range != 0) {
    const std::string warning = fmt::format(
        "warning: {}:{}:{}: feature outside [0, 1] ({} such features in this file); training "
        "continues",
        file.name, data.first_outside_unit_range.line, data.first_outside_unit_range.column,
        data.features_outside_unit_range);
    fmt::print(stderr, "train_export: {}\n", one_line(warning));
  }
  return data;
}

// The model file's network, classes and precision become the run's; what the command line
// says of them must agree with it.
void adopt_model(options& opts, const model_file& m) {
  if (opts.classes_given && opts.classes != m.classes)
    fail_usage(fmt::format("--classes: {}, but {} is a model for {} classes", opts.classes,
                           m.name, m.classes));
  opts.classes = m.classes;
  const auto name = [](precision p) {
    return p == precision::single_precision ? "float" : "double";
  };
  if (opts.precision_given && opts.scalar != m.scalar)
    fail_usage(fmt::format("--precision: {}, but the model {} is in {}; leave --precision out",
                           name(opts.scalar), m.name, name(m.scalar)));
  opts.scalar = m.scalar;
  if (m.parameters && opts.init_given)
    fail_usage(fmt::format("--init: {} holds weights, and training starts from them; --init is "
                           "for a model file without weights",
                           m.name));
  if (!m.parameters && opts.train.empty())
    fail_usage(fmt::format("--train: required, since {} holds no weights to evaluate", m.name));
  if (!m.parameters && opts.epochs == 0)
    fail_usage(fmt::format("--epochs: 0, but {} holds no weights to evaluate; train at least "
                           "one epoch",
                           m.name));
  opts.input_shape = m.description.input;
  opts.layers = m.description.layers;
}

// A QDQ model is an int8 network: it predicts and exports, but neither trains nor quantizes
// again, and model files hold float networks.
void refuse_for_int8_model(const options& opts, const std::string& name) {
  if (!opts.train.empty())
    fail_usage(fmt::format("--train: {} is quantized (QDQ), an int8 network, which predicts but "
                           "does not train; import its float model to fine-tune it",
                           name));
  if (opts.quantize)
    fail_usage(fmt::format("--quantize: {} is already quantized (QDQ); its own grids are taken",
                           name));
  if (opts.save_model)
    fail_usage(fmt::format("--save-model: model files hold float networks, and {} is an int8 one "
                           "(QDQ)",
                           name));
}

// The network of the run: --layers on --input-shape (or on the CSV's features as a vector),
// or the model file's, else the reference network; its shapes checked, and its size.
model_description describe(const options& opts, std::size_t features, const std::string& train) {
  model_description d = default_description(features, opts.hidden, opts.classes);
  if (opts.input_shape) {
    // The shape of a model (file or ONNX) is the file's fault, not the command line's.
    if (opts.input_shape->size() != features && (opts.model || opts.from_onnx))
      fail_data(fmt::format("{}: {} {} holds {} values but each example of {} has {} features",
                            (opts.model ? *opts.model : *opts.from_onnx).string(),
                            opts.model ? "\"input_shape\"" : "the model's input",
                            opts.input_shape->text(), opts.input_shape->size(), train, features));
    if (opts.input_shape->size() != features)
      fail_usage(fmt::format("--input-shape: {} holds {} values but each example of {} has {} "
                             "features",
                             opts.input_shape->text(), opts.input_shape->size(), train, features));
    d.input = *opts.input_shape;
  }
  if (opts.layers) d.layers = *opts.layers;
  const std::vector<tensor_shape> shapes = shapes_of(d, opts.classes);
  if (const std::size_t count = parameter_count(d, shapes); opts.layers && count > max_parameters)
    fail_usage(fmt::format("--layers: the network has {} parameters; the limit is {}", count,
                           max_parameters));
  return d;
}

template <class T>
void run_with(const options& opts, const model_file* model,
              const std::optional<qdq_grids>& qdq) {
  run_summary summary;
  std::vector<T> start;
  if (model) {
    summary.model = input_summary{model->name, model->sha256, 0, 0};
    summary.model_is_onnx = opts.from_onnx.has_value();
    if (model->parameters) {
      summary.started_from_model = true;
      start.assign(model->parameters->begin(), model->parameters->end());
    }
  }
  const auto read_start = std::chrono::steady_clock::now();
  // Without --train (a model's weights evaluated only) the training set is empty, of the
  // validation set's width, and the outputs say there was none.
  const bool has_train = !opts.train.empty();
  labeled_data<T> train_set;
  if (has_train) train_set = load<T>(opts.train, opts, summary.train);
  summary.no_train_set = !has_train;
  const labeled_data<T> validation_set = load<T>(opts.validation, opts, summary.validation);
  if (!has_train) train_set.width = validation_set.width;
  // --calibration is read with the other inputs, so a bad one fails before training.
  input_summary calibration_summary = summary.train;
  labeled_data<T> calibration_set;
  if (opts.calibration) calibration_set = load<T>(*opts.calibration, opts, calibration_summary);
  summary.read_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - read_start).count();
  if (has_train && validation_set.width != train_set.width) {
    fail_data(fmt::format(
        "{}:1:1: validation examples have {} features but training examples "
        "({}) have {}",
        summary.validation.name, validation_set.width, summary.train.name, train_set.width));
  }
  const std::string& width_source = has_train ? summary.train.name : summary.validation.name;
  if (opts.calibration && calibration_set.width != train_set.width) {
    fail_data(fmt::format("{}:1:1: calibration examples have {} features but {} examples ({}) "
                          "have {}",
                          calibration_summary.name, calibration_set.width,
                          has_train ? "training" : "validation", width_source, train_set.width));
  }
  const model_description description = describe(opts, train_set.width, width_source);
  if (!opts.layers) {
    if (const std::size_t count = parameter_count(train_set.width, opts.hidden, opts.classes);
        count > max_parameters) {
      fail_usage(
          fmt::format("{}: {} hidden units with {} features and {} classes make {} "
                      "parameters; the limit is {}",
                      opts.handout_form ? "HIDDEN" : "--hidden", opts.hidden, train_set.width,
                      opts.classes, count, max_parameters));
    }
  }
  if (opts.embed_samples > validation_set.size()) {
    fail_usage(fmt::format("--embed-samples: {} requested but {} has only {} examples",
                           opts.embed_samples, summary.validation.name, validation_set.size()));
  }

  // Reserving every output before training makes an unwritable path fail in a moment rather
  // than after a long run.
  output_transaction outputs;
  struct slot {
    const std::optional<std::filesystem::path>& path;
    std::size_t handle = 0;
  };
  slot train_labels{opts.train_labels}, validation_labels{opts.validation_labels},
      metrics{opts.metrics}, metrics_json_file{opts.metrics_json}, header{opts.header},
      save_model{opts.save_model};
  for (slot* s :
       {&train_labels, &validation_labels, &metrics, &metrics_json_file, &header, &save_model}) {
    if (s->path) s->handle = outputs.reserve(*s->path);
  }

  progress_reporter progress(choose_progress_mode(opts.quiet, stderr), stderr, opts.epochs,
                             train_set.size());
  const trained_network<T> trained =
      train(opts, description, std::span<const T>(start), train_set, validation_set, progress,
            summary);

  // --quantize int8: from here on the labels, the error rates and the header are the int8
  // network's (what the device does); the float ones are kept beside them.
  std::optional<int8_network> q;
  if (opts.quantize || qdq) {
    const int8_refusals refusals{
        tool_error(failure_kind::usage, "--quantize: the library refused the network's sizes"),
        tool_error(failure_kind::data, "--calibration: the network refused a calibration example")};
    // A QDQ model brings its grids: its integers, dequantized exactly in double, go back to
    // the same integers.
    q = qdq ? int8_from_grids<T>(description, *model->parameters, qdq->tensors,
                                 qdq->weight_scales, train_set, validation_set,
                                 {tool_error(failure_kind::data,
                                             fmt::format("{}: the library refused its int8 "
                                                         "network's sizes or grids",
                                                         model->name)),
                                  refusals.calibration})
            : quantize_int8<T>(description, std::span<const T>(trained.parameters),
                               opts.calibration ? calibration_set : train_set, train_set,
                               validation_set, refusals);
    quantization_summary qs;
    qs.calibration = calibration_summary;
    qs.imported_grids = qdq.has_value();
    qs.float_errors = summary.errors;
    qs.float_parameter_bytes = q->float_parameter_bytes;
    qs.float_inference_ram_bytes = q->float_inference_ram_bytes;
    qs.int8_parameter_bytes = q->parameters.size();
    qs.int8_inference_ram_bytes = q->inference_ram_bytes;
    qs.input_scale = q->tensors[0].scale;
    qs.input_zero_point = q->tensors[0].zero_point;
    summary.errors = q->errors;
    summary.quantized = qs;
    // A QDQ model's "float" is its dequantized weights with activations unquantized.
    const std::string on_train =
        has_train ? fmt::format("train error {:.4g} (float {:.4g}), ", summary.errors.train,
                                qs.float_errors.train)
                  : std::string();
    if (!opts.quiet)
      fmt::print(stderr,
                 "{} ({} parameter bytes, float {}): {}validation error {:.4g} (float {:.4g})\n",
                 qdq ? "int8 network of the QDQ model" : "quantized to int8",
                 qs.int8_parameter_bytes, qs.float_parameter_bytes, on_train,
                 summary.errors.validation, qs.float_errors.validation);
  }

  // Every content exists before the first is written, so a failure in making one cannot
  // come after a device or FIFO output has already received its own.
  std::string contents[6];
  if (train_labels.path)
    contents[0] = labels_text(q ? q->train_predictions : trained.train_predictions);
  if (validation_labels.path)
    contents[1] = labels_text(q ? q->validation_predictions : trained.validation_predictions);
  if (metrics.path) contents[2] = metrics_text(summary);
  if (metrics_json_file.path) contents[3] = metrics_json(opts, description, summary);
  if (header.path) {
    contents[4] = q ? int8_header_text<T>(opts, description, summary, *q, validation_set)
                    : header_text<T>(opts, description, summary, trained.parameters,
                                     validation_set, trained.validation_predictions);
  }
  if (save_model.path) {
    contents[5] = model_file_text<T>(opts, description, summary,
                                     std::span<const T>(trained.parameters));
  }
  // Files first: a device or FIFO gets its content only when no temporary can fail any more.
  const std::array<slot*, 6> slots = {&train_labels, &validation_labels, &metrics,
                                      &metrics_json_file, &header,     &save_model};
  for (const bool streams : {false, true}) {
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (slots[i]->path && outputs.writes_through(slots[i]->handle) == streams) {
        outputs.write(slots[i]->handle, contents[i]);
      }
    }
  }
  // From the first rename on, a signal would split the outputs into old and new ones: it waits
  // until the process ends, which is right after the commit.
  hold_termination_signals();
  outputs.commit();
}

// Messages embed file names and option values: escaped, each stays on its one line, and on
// a line of its own after a live progress line.
void report(std::string_view message) {
  fmt::print(stderr, "{}train_export: {}\n", progress_line_open() ? "\n" : "", one_line(message));
}

}  // namespace

int run(int argc, const char* const* argv) {
  try {
    const command_line parsed = parse_command_line(argc, argv);
    if (!parsed.run) return exit_success;
    options opts = *parsed.run;
    // The model file first: it decides the classes the CSV reader checks and the precision.
    std::optional<model_file> model;
    std::optional<qdq_grids> qdq;
    if (opts.model) {
      const input_file file = read_input_file(*opts.model);
      model = parse_model_file(file);
      model->sha256 = sha256_hex(file.bytes);
      adopt_model(opts, *model);
    } else if (opts.from_onnx) {
      const input_file file = read_input_file(*opts.from_onnx, max_input_bytes, content::binary);
      onnx_import imported = import_onnx(file.name, file.bytes, opts.input_shape);
      model = model_file{file.name, sha256_hex(file.bytes), std::move(imported.description),
                         imported.classes, opts.scalar, std::move(imported.parameters)};
      qdq = std::move(imported.int8);
      if (qdq) refuse_for_int8_model(opts, file.name);
      adopt_model(opts, *model);
    }
    const model_file* const m = model ? &*model : nullptr;
    if (opts.scalar == precision::double_precision) {
      run_with<double>(opts, m, qdq);
    } else {
      run_with<float>(opts, m, qdq);
    }
    return exit_success;
  } catch (const tool_error& e) {
    report(e.what());
    return exit_status(e.kind());
  } catch (const std::bad_alloc&) {
    report("out of memory");
    return exit_internal_error;
  } catch (const std::exception& e) {
    report(fmt::format("internal error: {}", e.what()));
    return exit_internal_error;
  }
}

}  // namespace train_export
