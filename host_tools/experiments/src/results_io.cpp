// Writes a grid's results (one JSON document with everything, and two CSV tables) and reads
// the JSON document back.
#include "results_io.hpp"

#include <fstream>

#include <fmt/format.h>

#include <constnn/version.hpp>

#include "display_text.hpp"
#include "error.hpp"
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

json session_json(const session_info& session) {
  json j{{"grid_file", session.grid_file},
         {"cpu", session.cpu_model},
         {"hardware_threads", session.hardware_threads},
         {"jobs", session.jobs},
         {"load_seconds", session.load_seconds},
         {"total_seconds", session.total_seconds},
         {"cpu_seconds", session.cpu_seconds},
         {"kernels", session.kernels}};
  if (!session.merged_from.empty()) {
    json shards = json::array();
    for (const auto& m : session.merged_from)
      shards.push_back({{"folder", m.folder},
                        {"shard", {{"index", m.index}, {"count", m.count}}},
                        {"session", m.session}});
    j["merged_from"] = std::move(shards);
  }
  return j;
}

json dataset_spec_json(const dataset_spec& d) {
  return {{"description", d.description},
          {"train", d.train.string()},
          {"validation", d.validation.string()},
          {"classes", d.classes}};
}

}  // namespace

std::string results_json(const session_info& session, const std::vector<dataset_summary>& datasets,
                         const std::vector<experiment_spec>& experiments,
                         const std::vector<run_result>& results, const shard_info* shard) {
  json doc;
  doc["tool"] = {{"name", "constnn_experiments"}, {"constnn_version", CONSTNN_VERSION_STRING}};
  doc["session"] = session_json(session);
  if (shard) {
    json grid_datasets = json::object();
    for (const auto& d : shard->grid_datasets) grid_datasets[d.name] = dataset_spec_json(d);
    doc["shard"] = {{"index", shard->index},
                    {"count", shard->count},
                    {"grid_runs", shard->grid_runs},
                    {"grid_datasets", std::move(grid_datasets)}};
  }
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
  for (const auto& e : experiments)
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
    if (r.int8) {
      const int8_result& q = *r.int8;
      run["int8"] = {{"calibration", "train"},
                     {"train_error", q.train_error},
                     {"validation_error", q.validation_error},
                     {"train_errors", q.train_errors},
                     {"validation_errors", q.validation_errors},
                     {"parameter_bytes", q.parameter_bytes},
                     {"inference_ram_bytes", q.inference_ram_bytes},
                     {"float_parameter_bytes", q.float_parameter_bytes},
                     {"float_inference_ram_bytes", q.float_inference_ram_bytes},
                     {"input_scale", q.input_scale},
                     {"input_zero_point", q.input_zero_point},
                     {"seconds", q.seconds}};
    }
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
      "wall_seconds,parameter_bytes,int8_parameter_bytes,int8_train_error,int8_validation_error\n";
  for (const auto& r : results) {
    const auto& s = r.spec;
    const auto& last = r.epochs.back();
    // The int8 columns come after the older ones, so their positions stay; empty without
    // quantize.
    const std::size_t scalar_bytes = s.scalar == scalar_kind::single_precision ? 4 : 8;
    const auto& q = r.int8;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                       s.key(), joined(s.experiments, ';'), s.dataset, widths_text(r.widths),
                       to_string(s.activation), to_string(s.init), s.learning_rate,
                       number(s.lr_decay), s.epochs,
                       s.seed, to_string(s.scalar), r.parameter_count,
                       number(last.train_cross_entropy), number(last.validation_cross_entropy),
                       number(r.train_error), number(r.validation_error), number(r.wall_seconds),
                       r.parameter_count * scalar_bytes,
                       q ? fmt::format("{}", q->parameter_bytes) : "",
                       q ? number(q->train_error) : "", q ? number(q->validation_error) : "");
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

namespace {

// The reader's refusals: every one names the file and, where there is one, the run.
[[noreturn]] void malformed(const std::string& where, const std::string& problem) {
  host_tools::fail_data(host_tools::one_line(fmt::format("{}: {}", where, problem)));
}

template <class Parsed>
Parsed known(std::optional<Parsed> value, const std::string& where, const char* field,
             const json& text) {
  if (!value) malformed(where, fmt::format("unknown {} {}", field, text.dump()));
  return *value;
}

dataset_spec read_dataset_spec(const std::string& name, const json& j) {
  dataset_spec d;
  d.name = name;
  d.description = j.at("description").get<std::string>();
  d.train = j.at("train").get<std::string>();
  d.validation = j.at("validation").get<std::string>();
  d.classes = j.at("classes").get<std::size_t>();
  return d;
}

// The spec as the grid gave it: the settings the key and the writers read. Optional settings
// come back set, with the values optimizer_of() gave them, so they give the same key.
run_spec read_spec(const json& run, const host_tools::model_description& model,
                   const std::string& where) {
  const json& hp = run.at("hyperparameters");
  run_spec s;
  s.dataset = hp.at("dataset").get<std::string>();
  const std::string network = hp.at("network").get<std::string>();
  if (network != "mlp") {
    s.network = network;
    s.network_model = model;
  }
  s.hidden = hp.at("hidden").get<std::vector<std::size_t>>();
  s.activation = known(parse_activation(hp.at("activation").get<std::string>()), where,
                       "activation", hp.at("activation"));
  s.init = known(parse_init(hp.at("init").get<std::string>()), where, "init", hp.at("init"));
  s.learning_rate = hp.at("learning_rate").get<std::string>();
  if (!set_schedule(s, hp.at("lr_schedule").get<std::string>()))
    malformed(where, fmt::format("unknown lr_schedule {}", hp.at("lr_schedule").dump()));
  const json& o = hp.at("optimizer");
  s.optimizer =
      known(parse_optimizer(o.at("name").get<std::string>()), where, "optimizer", o.at("name"));
  if (o.contains("momentum")) s.momentum = o.at("momentum").get<double>();
  if (o.contains("beta1")) s.beta1 = o.at("beta1").get<double>();
  if (o.contains("beta2")) s.beta2 = o.at("beta2").get<double>();
  if (o.contains("eps")) s.eps = o.at("eps").get<double>();
  s.weight_decay = o.at("weight_decay").get<double>();
  s.batch = hp.at("batch").get<std::size_t>();
  s.shuffle = hp.at("shuffle").get<bool>();
  const std::string augment = hp.at("augment").get<std::string>();
  if (augment != "hflip" && augment != "none")
    malformed(where, fmt::format("unknown augment {}", hp.at("augment").dump()));
  s.augment_hflip = augment == "hflip";
  s.epochs = hp.at("epochs").get<std::size_t>();
  s.seed = hp.at("seed").get<std::uint64_t>();
  s.scalar = known(parse_precision(hp.at("precision").get<std::string>()), where, "precision",
                   hp.at("precision"));
  // What the writers add for these settings tells whether they were on.
  s.track_symmetry = run.at("per_epoch").contains("alpha_rows_max_distance");
  s.keep_first_layer = run.contains("first_layer_rows");
  s.quantize_int8 = run.contains("int8");
  s.experiments = run.at("experiments").get<std::vector<std::string>>();
  return s;
}

run_result read_run(const json& run, std::size_t index, const std::string& name) {
  const std::string key = run.at("key").get<std::string>();
  const std::string where = fmt::format("{}: runs[{}] ({})", name, index, key);
  const json& hp = run.at("hyperparameters");
  run_result r;
  try {
    r.model.input = host_tools::parse_input_shape(hp.at("input_shape").get<std::string>(),
                                                  "\"input_shape\"");
    r.model.layers = host_tools::parse_layers(hp.at("layers").get<std::string>(), "\"layers\"");
  } catch (const host_tools::tool_error& e) {
    malformed(where, e.what());
  }
  r.spec = read_spec(run, r.model, where);
  if (r.spec.key() != key)
    malformed(where, fmt::format("the hyperparameters are those of run {}", r.spec.key()));
  r.widths = hp.at("widths").get<std::vector<std::size_t>>();
  r.parameter_count = run.at("parameter_count").get<std::size_t>();
  r.train_examples = run.at("train_examples").get<std::size_t>();
  r.validation_examples = run.at("validation_examples").get<std::size_t>();
  r.trained_examples = run.at("trained_examples").get<std::size_t>();
  const json& last = run.at("final");
  r.train_error = last.at("train_error").get<double>();
  r.validation_error = last.at("validation_error").get<double>();
  r.train_errors = last.at("train_errors").get<std::size_t>();
  r.validation_errors = last.at("validation_errors").get<std::size_t>();
  r.wall_seconds = run.at("wall_seconds").get<double>();

  const json& pe = run.at("per_epoch");
  const std::size_t epochs = pe.at("epoch").size();
  if (epochs == 0 || epochs != r.spec.epochs)
    malformed(where, fmt::format("{} epochs of figures for a run of {}", epochs, r.spec.epochs));
  const auto column = [&](const char* column_name) -> const json& {
    const json& c = pe.at(column_name);
    if (!c.is_array() || c.size() != epochs)
      malformed(where, fmt::format("per_epoch.{} does not have {} values", column_name, epochs));
    return c;
  };
  r.epochs.resize(epochs);
  for (std::size_t e = 0; e < epochs; ++e) {
    epoch_record& x = r.epochs[e];
    x.epoch = column("epoch")[e].get<std::size_t>();
    x.train_cross_entropy = column("train_cross_entropy")[e].get<double>();
    x.validation_cross_entropy = column("validation_cross_entropy")[e].get<double>();
    x.train_error = column("train_error")[e].get<double>();
    x.validation_error = column("validation_error")[e].get<double>();
    x.seconds = column("seconds")[e].get<double>();
    x.train_seconds = column("train_seconds")[e].get<double>();
    if (r.spec.track_symmetry) {
      x.alpha_rows_max_distance = column("alpha_rows_max_distance")[e].get<double>();
      x.beta_columns_max_distance = column("beta_columns_max_distance")[e].get<double>();
    }
  }
  if (r.spec.keep_first_layer)
    r.first_layer_rows = run.at("first_layer_rows").get<std::vector<std::vector<double>>>();
  if (r.spec.quantize_int8) {
    const json& q = run.at("int8");
    int8_result x;
    x.train_error = q.at("train_error").get<double>();
    x.validation_error = q.at("validation_error").get<double>();
    x.train_errors = q.at("train_errors").get<std::size_t>();
    x.validation_errors = q.at("validation_errors").get<std::size_t>();
    x.parameter_bytes = q.at("parameter_bytes").get<std::size_t>();
    x.inference_ram_bytes = q.at("inference_ram_bytes").get<std::size_t>();
    x.float_parameter_bytes = q.at("float_parameter_bytes").get<std::size_t>();
    x.float_inference_ram_bytes = q.at("float_inference_ram_bytes").get<std::size_t>();
    x.input_scale = q.at("input_scale").get<double>();
    x.input_zero_point = q.at("input_zero_point").get<std::int32_t>();
    x.seconds = q.at("seconds").get<double>();
    r.int8 = x;
  }
  return r;
}

}  // namespace

results_document read_results(std::string_view text, const std::string& name) {
  results_document out;
  try {
    const json doc = json::parse(text);
    if (!doc.is_object() || !doc.contains("tool") ||
        doc["tool"].value("name", "") != "constnn_experiments")
      malformed(name, "not a results.json of constnn_experiments (no \"tool\": "
                      "{\"name\": \"constnn_experiments\"})");
    out.session = doc.at("session");
    if (doc.contains("shard")) {
      const json& sh = doc["shard"];
      shard_info info;
      info.index = sh.at("index").get<std::size_t>();
      info.count = sh.at("count").get<std::size_t>();
      info.grid_runs = sh.at("grid_runs").get<std::vector<std::string>>();
      for (const auto& [ds_name, d] : sh.at("grid_datasets").items())
        info.grid_datasets.push_back(read_dataset_spec(ds_name, d));
      if (info.count == 0 || info.index == 0 || info.index > info.count)
        malformed(name, fmt::format("shard {}/{} is not a part of a grid", info.index, info.count));
      out.shard = std::move(info);
    }
    for (const auto& [ds_name, d] : doc.at("datasets").items())
      out.datasets.push_back({read_dataset_spec(ds_name, d), d.at("features").get<std::size_t>(),
                              d.at("train_examples").get<std::size_t>(),
                              d.at("validation_examples").get<std::size_t>()});
    for (const auto& e : doc.at("experiments"))
      out.experiments.push_back({e.at("name").get<std::string>(), e.at("title").get<std::string>(),
                                 e.at("runs").get<std::vector<std::string>>()});
    const json& runs = doc.at("runs");
    if (!runs.is_array()) malformed(name, "\"runs\" is not a list");
    for (std::size_t i = 0; i < runs.size(); ++i) {
      try {
        out.runs.push_back(read_run(runs[i], i, name));
      } catch (const json::exception& e) {
        malformed(fmt::format("{}: runs[{}]", name, i),
                  fmt::format("not a run as constnn_experiments writes it: {}", e.what()));
      }
    }
  } catch (const json::exception& e) {
    // nlohmann's messages name the field ("key 'x' not found", "type must be number").
    malformed(name, fmt::format("not a results.json as constnn_experiments writes it: {}",
                                e.what()));
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
