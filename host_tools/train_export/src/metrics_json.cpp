// The --metrics-json document: every figure of a run plus what produced it, for scripts and plots.
#include "metrics_json.hpp"

#include <nlohmann/json.hpp>

#include "host_tools.hpp"
#include "version.hpp"

namespace train_export {
namespace {

nlohmann::ordered_json input_json(const input_summary& input) {
  return {{"path", input.name},
          {"sha256", input.sha256},
          {"examples", input.examples},
          {"features", input.features}};
}

}  // namespace

std::string metrics_json(const options& opts, const model_description& description,
                         const run_summary& summary) {
  nlohmann::ordered_json doc;
  doc["tool"] = {{"name", tool_name}, {"version", tool_version}};
  const bool trained = summary.has_train_set();
  doc["inputs"] = {{"train", trained ? input_json(summary.train) : nlohmann::ordered_json()},
                   {"validation", input_json(summary.validation)}};
  // Without a training set its figures are null: there were none to measure.
  const auto on_train = [&](auto value) {
    return trained ? nlohmann::ordered_json(value) : nlohmann::ordered_json();
  };
  if (summary.model)
    doc["inputs"][summary.model_is_onnx ? "onnx" : "model"] = {{"path", summary.model->name},
                              {"sha256", summary.model->sha256},
                              {"weights_used", summary.started_from_model}};
  doc["hyperparameters"] = {
      {"epochs", opts.epochs},
      {"hidden", opts.hidden},
      {"classes", opts.classes},
      {"init", init_name(opts.init)},
      {"learning_rate", opts.learning_rate},
      {"seed", opts.seed},
      {"precision", opts.scalar == precision::single_precision ? "float" : "double"},
      {"optimizer", optimizer_name(opts.optimizer)},
      {"batch", opts.batch},
      {"shuffle", opts.shuffle},
      {"lr_schedule", opts.schedule.text},
      {"early_stopping", opts.early_stopping}};
  auto& h = doc["hyperparameters"];
  if (opts.optimizer == optimizer_kind::momentum || opts.optimizer == optimizer_kind::nesterov)
    h["momentum"] = std::stod(opts.momentum_text);
  if (opts.optimizer == optimizer_kind::adam || opts.optimizer == optimizer_kind::adamw) {
    h["beta1"] = std::stod(opts.beta1_text);
    h["beta2"] = std::stod(opts.beta2_text);
    h["eps"] = std::stod(opts.eps_text);
  }
  h["weight_decay"] = std::stod(opts.weight_decay_text);
  // The description that drove training and the header: the input shape, the layers in
  // --layers' grammar, and the fixed type the header declares.
  doc["network"] = {{"input_shape", description.input.text()},
                    {"layers_spec", layers_text(description.layers)},
                    {"type", fixed_network_type(description, opts.scalar == precision::single_precision
                                                                 ? "float"
                                                                 : "double")},
                    {"parameters", summary.parameter_count}};
  if (!opts.layers) doc["network"]["layers"] = {summary.train.features, opts.hidden, opts.classes};
  if (opts.early_stopping > 0)
    doc["early_stopping"] = {{"stopped_early", summary.stopped_early},
                             {"best_epoch", summary.epochs.size()},
                             {"epochs_run", summary.epochs_run}};

  auto epochs = nlohmann::ordered_json::array();
  for (const epoch_metrics& e : summary.epochs) {
    epochs.push_back({{"epoch", e.epoch},
                      {"train_cross_entropy", e.train_cross_entropy},
                      {"validation_cross_entropy", e.validation_cross_entropy},
                      {"seconds", e.seconds}});
  }
  doc["epochs"] = std::move(epochs);
  if (summary.quantized) {
    const quantization_summary& q = *summary.quantized;
    // "errors" are the int8 network's: what the labels files and the device give.
    doc["quantization"] = {
        {"scheme", "int8"},
        {"calibration", q.imported_grids ? nlohmann::ordered_json() : input_json(q.calibration)},
        {"grids", q.imported_grids ? "the model's (QDQ)" : "calibrated"},
        {"input", {{"scale", q.input_scale}, {"zero_point", q.input_zero_point}}},
        {"float_errors",
         {{"train", on_train(q.float_errors.train)},
          {"validation", q.float_errors.validation},
          {"train_wrong", on_train(q.float_errors.train_errors)},
          {"validation_wrong", q.float_errors.validation_errors}}},
        {"parameter_bytes", {{"float", q.float_parameter_bytes}, {"int8", q.int8_parameter_bytes}}},
        {"inference_ram_bytes",
         {{"float", q.float_inference_ram_bytes}, {"int8", q.int8_inference_ram_bytes}}}};
  }
  doc["final"] = {{"train_cross_entropy", on_train(summary.final_train_cross_entropy)},
                  {"validation_cross_entropy", summary.final_validation_cross_entropy}};
  doc["errors"] = {{"train", on_train(summary.errors.train)},
                   {"validation", summary.errors.validation},
                   {"train_wrong", on_train(summary.errors.train_errors)},
                   {"validation_wrong", summary.errors.validation_errors}};

  const double examples = static_cast<double>(summary.train.examples * summary.epochs_run);
  doc["timings"] = {{"read_seconds", summary.read_seconds},
                    {"train_seconds", summary.train_seconds},
                    {"training_examples_per_second",
                     summary.train_seconds > 0 ? examples / summary.train_seconds : 0.0}};
  // A file name need not be UTF-8; JSON text must be, so such bytes become U+FFFD.
  return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace train_export
