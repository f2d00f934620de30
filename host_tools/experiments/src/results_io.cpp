// Writes a grid's results: one JSON document with everything, and two CSV tables.
#include "results_io.hpp"

#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <constnn/core/kernels.hpp>
#include <constnn/version.hpp>

#include "model_description.hpp"
#include "number_format.hpp"

namespace experiments {
namespace {

using json = nlohmann::ordered_json;

std::string widths_text(const std::vector<std::size_t>& widths) {
  std::string out;
  for (std::size_t j = 0; j < widths.size(); ++j) out += fmt::format("{}{}", j ? "-" : "", widths[j]);
  return out;
}

std::string joined(const std::vector<std::string>& names, char sep) {
  std::string out;
  for (std::size_t j = 0; j < names.size(); ++j) {
    if (j) out += sep;
    out += names[j];
  }
  return out;
}

std::string number(double v) { return host_tools::shortest(v); }

// The optimizer's name and the settings it uses, defaults filled in.
json optimizer_json(const run_spec& s) {
  const optimizer_settings o = s.optimizer_of();
  json j{{"name", to_string(o.kind)}};
  if (o.kind == optimizer_kind::momentum || o.kind == optimizer_kind::nesterov)
    j["momentum"] = o.momentum;
  if (o.kind == optimizer_kind::adam || o.kind == optimizer_kind::adamw) {
    j["beta1"] = o.beta1;
    j["beta2"] = o.beta2;
    j["eps"] = o.eps;
  }
  j["weight_decay"] = o.weight_decay;
  return j;
}

// How the examples reach the optimizer, in words (the field "sgd" of older results).
std::string training_text(const run_spec& s) {
  std::string text = s.batch == 1 ? "per example" : fmt::format("batches of {}", s.batch);
  text += s.shuffle ? ", shuffled each epoch" : ", file order, no shuffling";
  if (s.augment_hflip) text += ", each image also mirrored";
  return text;
}

json hyperparameters(const run_result& r) {
  const run_spec& s = r.spec;
  return json{{"dataset", s.dataset},
              {"network", s.network.empty() ? "mlp" : s.network},
              {"input_shape", r.model.input.text()},
              {"layers", host_tools::layers_text(r.model.layers)},
              {"widths", r.widths},
              {"hidden", s.hidden},
              {"activation", to_string(s.activation)},
              {"init", to_string(s.init)},
              {"learning_rate", s.learning_rate},
              {"lr_decay", s.lr_decay},
              {"lr_schedule", schedule_text(s)},
              {"optimizer", optimizer_json(s)},
              {"batch", s.batch},
              {"shuffle", s.shuffle},
              {"augment", s.augment_hflip ? "hflip" : "none"},
              {"epochs", s.epochs},
              {"seed", s.seed},
              {"precision", to_string(s.scalar)},
              {"sgd", training_text(s)}};
}

}  // namespace

std::string results_json(const session_info& session, const std::vector<dataset_summary>& datasets,
                         const grid& g, const std::vector<run_result>& results) {
  json doc;
  doc["tool"] = {{"name", "constnn_experiments"}, {"constnn_version", CONSTNN_VERSION_STRING}};
  doc["session"] = {{"grid_file", session.grid_file},
                    {"cpu", session.cpu_model},
                    {"hardware_threads", session.hardware_threads},
                    {"jobs", session.jobs},
                    {"load_seconds", session.load_seconds},
                    {"total_seconds", session.total_seconds},
                    {"cpu_seconds", session.cpu_seconds},
                    {"kernels", constnn::kernels::name(constnn::kernels::active())}};
  json ds = json::object();
  for (const auto& d : datasets) {
    ds[d.spec.name] = {{"description", d.spec.description},
                       {"train", d.spec.train.string()},
                       {"validation", d.spec.validation.string()},
                       {"features", d.features},
                       {"classes", d.spec.classes},
                       {"train_examples", d.train_examples},
                       {"validation_examples", d.validation_examples}};
  }
  doc["datasets"] = ds;
  json exps = json::array();
  for (const auto& e : g.experiments)
    exps.push_back({{"name", e.name}, {"title", e.title}, {"runs", e.run_keys}});
  doc["experiments"] = exps;

  json runs = json::array();
  for (const auto& r : results) {
    json run;
    run["key"] = r.spec.key();
    run["experiments"] = r.spec.experiments;
    run["hyperparameters"] = hyperparameters(r);
    run["parameter_count"] = r.parameter_count;
    run["train_examples"] = r.train_examples;
    run["validation_examples"] = r.validation_examples;
    run["trained_examples"] = r.trained_examples;
    run["final"] = {{"train_cross_entropy", r.epochs.back().train_cross_entropy},
                    {"validation_cross_entropy", r.epochs.back().validation_cross_entropy},
                    {"train_error", r.train_error},
                    {"validation_error", r.validation_error},
                    {"train_errors", r.train_errors},
                    {"validation_errors", r.validation_errors}};
    run["wall_seconds"] = r.wall_seconds;
    // Per-epoch figures as columns: compact, and each one a ready-made plot series.
    json per_epoch;
    const auto column = [&](const char* name, auto get) {
      json c = json::array();
      for (const auto& e : r.epochs) c.push_back(get(e));
      per_epoch[name] = std::move(c);
    };
    column("epoch", [](const epoch_record& e) { return e.epoch; });
    column("train_cross_entropy", [](const epoch_record& e) { return e.train_cross_entropy; });
    column("validation_cross_entropy",
           [](const epoch_record& e) { return e.validation_cross_entropy; });
    column("train_error", [](const epoch_record& e) { return e.train_error; });
    column("validation_error", [](const epoch_record& e) { return e.validation_error; });
    column("seconds", [](const epoch_record& e) { return e.seconds; });
    column("train_seconds", [](const epoch_record& e) { return e.train_seconds; });
    if (r.spec.track_symmetry) {
      column("alpha_rows_max_distance", [](const epoch_record& e) { return e.alpha_rows_max_distance; });
      column("beta_columns_max_distance",
             [](const epoch_record& e) { return e.beta_columns_max_distance; });
    }
    run["per_epoch"] = std::move(per_epoch);
    if (!r.first_layer_rows.empty()) run["first_layer_rows"] = r.first_layer_rows;
    runs.push_back(std::move(run));
  }
  doc["runs"] = std::move(runs);
  return doc.dump(1) + "\n";
}

std::string runs_csv(const std::vector<run_result>& results) {
  std::string out =
      "key,experiments,dataset,widths,activation,init,learning_rate,lr_decay,epochs,seed,precision,"
      "parameters,train_cross_entropy,validation_cross_entropy,train_error,validation_error,"
      "wall_seconds\n";
  for (const auto& r : results) {
    const auto& s = r.spec;
    const auto& last = r.epochs.back();
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", s.key(),
                       joined(s.experiments, ';'), s.dataset, widths_text(r.widths),
                       to_string(s.activation), to_string(s.init), s.learning_rate,
                       number(s.lr_decay), s.epochs,
                       s.seed, to_string(s.scalar), r.parameter_count,
                       number(last.train_cross_entropy), number(last.validation_cross_entropy),
                       number(r.train_error), number(r.validation_error), number(r.wall_seconds));
  }
  return out;
}

std::string epochs_csv(const std::vector<run_result>& results) {
  std::string out =
      "key,epoch,train_cross_entropy,validation_cross_entropy,train_error,validation_error,"
      "seconds,alpha_rows_max_distance,beta_columns_max_distance\n";
  for (const auto& r : results) {
    const std::string key = r.spec.key();
    for (const auto& e : r.epochs) {
      const bool sym = r.spec.track_symmetry;
      out += fmt::format("{},{},{},{},{},{},{},{},{}\n", key, e.epoch,
                         number(e.train_cross_entropy), number(e.validation_cross_entropy),
                         number(e.train_error), number(e.validation_error), number(e.seconds),
                         sym ? number(e.alpha_rows_max_distance) : "",
                         sym ? number(e.beta_columns_max_distance) : "");
    }
  }
  return out;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("model name")) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

}  // namespace experiments
