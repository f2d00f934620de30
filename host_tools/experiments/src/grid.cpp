// Reads the grid file, its networks and its data sets, and expands each experiment's "vary"
// lists into unique runs.
#include "grid.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "display_text.hpp"
#include "error.hpp"
#include "run_network.hpp"

namespace experiments {
namespace {

using json = nlohmann::ordered_json;
using host_tools::fail_data;
using host_tools::fail_io;
using host_tools::fail_usage;

using network_map = std::map<std::string, network_spec>;

// lr_decay D is the schedule "inverse:D"; 0 is a fixed rate, as it has always been.
void set_inverse(run_spec& run, double decay) {
  run.lr_schedule = schedule_kind::inverse;
  run.lr_decay = decay;
}

// Applies one "field": value pair of a grid file to a run; `where` names it for messages.
void apply_field(run_spec& run, const std::string& field, const json& value, const std::string& where,
                 const network_map& networks) {
  const auto bad = [&](const char* expected) {
    fail_data(fmt::format("{}: \"{}\" must be {}, not {}", where, field, expected, value.dump()));
  };
  if (field == "dataset") {
    if (!value.is_string()) bad("a data set name");
    run.dataset = value.get<std::string>();
  } else if (field == "network") {
    const std::string n = value.is_string() ? value.get<std::string>() : "";
    const auto found = networks.find(n);
    if (!value.is_string() || (!n.empty() && found == networks.end())) {
      std::string names;
      for (const auto& [name, network] : networks) names += (names.empty() ? "" : ", ") + name;
      bad(names.empty() ? "\"\" (the MLP): the grid has no \"networks\""
                        : fmt::format("one of the grid's \"networks\" ({}) or \"\" for the MLP",
                                      names).c_str());
    }
    run.network = n;
    run.network_model = n.empty() ? host_tools::model_description{} : found->second.model;
  } else if (field == "hidden") {
    run.hidden.clear();
    if (value.is_number_unsigned()) {
      run.hidden.push_back(value.get<std::size_t>());
    } else if (value.is_array() && !value.empty()) {
      for (const auto& w : value) {
        if (!w.is_number_unsigned()) bad("a positive width or a list of them");
        run.hidden.push_back(w.get<std::size_t>());
      }
    } else {
      bad("a positive width or a list of them");
    }
    if (std::ranges::find(run.hidden, std::size_t{0}) != run.hidden.end())
      bad("a positive width or a list of them");
    if (run.hidden.size() > max_hidden_layers)
      bad(fmt::format("at most {} hidden layers (a network has at most {} layers)",
                      max_hidden_layers, host_tools::max_layers).c_str());
  } else if (field == "activation") {
    const auto a = parse_activation(value.is_string() ? value.get<std::string>() : "");
    if (!a) bad("\"sigmoid\", \"relu\" or \"tanh\"");
    run.activation = *a;
  } else if (field == "init") {
    const auto i = parse_init(value.is_string() ? value.get<std::string>() : "");
    if (!i) bad("\"random\", \"zero\" or \"he\"");
    run.init = *i;
  } else if (field == "lr") {
    std::string text;
    if (value.is_string()) text = value.get<std::string>();
    else if (value.is_number()) text = value.dump();
    double v = 0;
    std::istringstream in(text);
    if (text.empty() || !(in >> v) || !in.eof() || !(v > 0)) bad("a positive number (best as a string)");
    run.learning_rate = text;
  } else if (field == "lr_decay") {
    if (!value.is_number() || !(value.get<double>() >= 0)) bad("a non-negative number");
    set_inverse(run, value.get<double>());
  } else if (field == "lr_schedule") {
    if (!set_schedule(run, value.is_string() ? value.get<std::string>() : ""))
      bad("\"constant\", \"step:EPOCHS:FACTOR\" (a positive whole number of epochs and a "
          "positive factor), \"inverse:DECAY\" (a non-negative decay) or \"cosine\"");
  } else if (field == "optimizer") {
    const auto o = parse_optimizer(value.is_string() ? value.get<std::string>() : "");
    if (!o) bad("\"sgd\", \"momentum\", \"nesterov\", \"adam\" or \"adamw\"");
    run.optimizer = *o;
  } else if (field == "momentum" || field == "beta1" || field == "beta2") {
    if (!value.is_number() || !(value.get<double>() >= 0 && value.get<double>() < 1))
      bad("a number from 0 up to (not including) 1");
    (field == "momentum" ? run.momentum : field == "beta1" ? run.beta1 : run.beta2) =
        value.get<double>();
  } else if (field == "eps") {
    if (!value.is_number() || !(value.get<double>() > 0)) bad("a positive number");
    run.eps = value.get<double>();
  } else if (field == "weight_decay") {
    if (!value.is_number() || !(value.get<double>() >= 0)) bad("a non-negative number");
    run.weight_decay = value.get<double>();
  } else if (field == "batch") {
    if (!value.is_number_unsigned() || value.get<std::size_t>() == 0) bad("a positive integer");
    run.batch = value.get<std::size_t>();
  } else if (field == "shuffle") {
    if (!value.is_boolean()) bad("true or false");
    run.shuffle = value.get<bool>();
  } else if (field == "augment") {
    const std::string a = value.is_string() ? value.get<std::string>() : "";
    if (a == "hflip") run.augment_hflip = true;
    else if (a == "none") run.augment_hflip = false;
    else bad("\"hflip\" or \"none\"");
  } else if (field == "epochs") {
    if (!value.is_number_unsigned() || value.get<std::size_t>() == 0) bad("a positive integer");
    run.epochs = value.get<std::size_t>();
  } else if (field == "seed") {
    if (!value.is_number_unsigned()) bad("a non-negative integer");
    run.seed = value.get<std::uint64_t>();
  } else if (field == "precision") {
    const auto p = parse_precision(value.is_string() ? value.get<std::string>() : "");
    if (!p) bad("\"float\" or \"double\"");
    run.scalar = *p;
  } else if (field == "track_symmetry") {
    if (!value.is_boolean()) bad("true or false");
    run.track_symmetry = value.get<bool>();
  } else if (field == "keep_first_layer") {
    if (!value.is_boolean()) bad("true or false");
    run.keep_first_layer = value.get<bool>();
  } else if (field == "quantize") {
    const std::string q = value.is_string() ? value.get<std::string>() : "";
    if (q == "int8") run.quantize_int8 = true;
    else if (q == "none") run.quantize_int8 = false;
    else bad("\"int8\" or \"none\"");
  } else {
    fail_data(fmt::format("{}: unknown field \"{}\" (known: dataset, network, hidden, activation, init, lr, "
                          "lr_decay, lr_schedule, optimizer, momentum, beta1, beta2, eps, "
                          "weight_decay, batch, shuffle, augment, epochs, seed, precision, "
                          "track_symmetry, keep_first_layer, quantize)",
                          where, field));
  }
}

// What can only be judged once every field of a run is known: settings the optimizer does
// not have, mirroring where the input is not an image, the first layer's figures of a network
// that has no hidden layer to read them from, and a network's outputs against the classes.
void check_run(const run_spec& run, std::size_t classes, const std::string& where) {
  const auto refuse = [&](const std::string& problem) {
    fail_data(fmt::format("{}: run {}: {}", where, run.key(), problem));
  };
  const bool has_momentum =
      run.optimizer == optimizer_kind::momentum || run.optimizer == optimizer_kind::nesterov;
  const bool is_adam =
      run.optimizer == optimizer_kind::adam || run.optimizer == optimizer_kind::adamw;
  if (run.momentum && !has_momentum)
    refuse(fmt::format("\"momentum\" is a setting of the \"momentum\" and \"nesterov\" "
                       "optimizers, not of \"{}\"", to_string(run.optimizer)));
  for (const auto& [field, given] : {std::pair{"beta1", run.beta1.has_value()},
                                     std::pair{"beta2", run.beta2.has_value()},
                                     std::pair{"eps", run.eps.has_value()}})
    if (given && !is_adam)
      refuse(fmt::format("\"{}\" is a setting of the \"adam\" and \"adamw\" optimizers, not "
                         "of \"{}\"", field, to_string(run.optimizer)));
  if (run.augment_hflip && run.network.empty())
    refuse("\"augment\": \"hflip\" mirrors images, so it needs a \"network\" whose input is an "
           "image (HxWxC), not the MLP (a vector input)");
  if (run.augment_hflip && run.network_model.input.rank != 3)
    refuse(fmt::format("\"augment\": \"hflip\" mirrors images, so it needs a \"network\" whose "
                       "input is an image (HxWxC), not network {} (input {})",
                       run.network, run.network_model.input.text()));
  if ((run.track_symmetry || run.keep_first_layer) && !run.network.empty() &&
      !starts_as_mlp(run.network_model))
    refuse(fmt::format("\"track_symmetry\" and \"keep_first_layer\" read an MLP's first hidden "
                       "layer (dense, activation, dense), which network {} does not start with",
                       run.network));
  check_classes(run, classes, fmt::format("{}: run {}", where, run.key()));
}

// A network's name becomes part of run keys and of CSV fields.
bool good_network_name(const std::string& name) {
  return !name.empty() && name != "mlp" && std::ranges::all_of(name, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.';
  });
}

// "networks": {"NAME": {"input_shape": "HxWxC", "layers": "...", "description": "..."}}, each
// checked against its own layers (a last layer that is dense, every layer taking the shape
// before it); the data sets' classes are checked run by run.
network_map read_networks(const json& doc, const std::string& file) {
  network_map networks;
  if (!doc.contains("networks")) return networks;
  if (!doc["networks"].is_object())
    fail_data(fmt::format("{}: \"networks\" must be an object of named networks", file));
  for (const auto& [name, n] : doc["networks"].items()) {
    const std::string where = fmt::format("{}: networks.{}", file, host_tools::one_line(name));
    if (!good_network_name(name))
      fail_data(fmt::format("{}: a network's name must be letters, digits, '-' and '.' (it "
                            "becomes part of run keys), and not \"mlp\"", where));
    if (!n.is_object() || !n.contains("input_shape") || !n.contains("layers"))
      fail_data(fmt::format("{}: needs \"input_shape\" and \"layers\"", where));
    for (const auto& [field, value] : n.items()) {
      if (field != "input_shape" && field != "layers" && field != "description")
        fail_data(fmt::format("{}: unknown field \"{}\" (known: input_shape, layers, description)",
                              where, host_tools::one_line(field)));
      if (!value.is_string())
        fail_data(fmt::format("{}: \"{}\" must be a string, not {}", where, field,
                              host_tools::one_line(value.dump())));
    }
    network_spec spec;
    spec.name = name;
    spec.description = n.value("description", "");
    // The grammar is train_export's; a grid file's mistakes are data errors, not usage ones.
    try {
      spec.model.input = host_tools::parse_input_shape(n["input_shape"].get<std::string>(),
                                                       where + ": \"input_shape\"");
      spec.model.layers =
          host_tools::parse_layers(n["layers"].get<std::string>(), where + ": \"layers\"");
    } catch (const host_tools::tool_error& e) {
      fail_data(e.what());
    }
    shapes_through(spec.model, where);
    networks.emplace(name, std::move(spec));
  }
  return networks;
}

std::string substitute(std::string text, const std::map<std::string, std::string>& variables,
                       const std::string& where) {
  for (std::size_t open = text.find('{'); open != std::string::npos; open = text.find('{', open)) {
    const std::size_t close = text.find('}', open);
    if (close == std::string::npos) fail_data(fmt::format("{}: unclosed '{{' in \"{}\"", where, text));
    const std::string name = text.substr(open + 1, close - open - 1);
    const auto it = variables.find(name);
    if (it == variables.end())
      fail_usage(fmt::format("{}: the path \"{}\" needs --data {}=DIR", where, text, name));
    text.replace(open, close - open + 1, it->second);
    open += it->second.size();
  }
  return text;
}

// Every combination of the "vary" lists, the first list varying slowest.
void expand(const json& vary, std::size_t index, run_spec current, const std::string& where,
            const network_map& networks, std::vector<run_spec>& out) {
  if (index == vary.size()) {
    out.push_back(std::move(current));
    return;
  }
  const auto it = std::next(vary.begin(), static_cast<std::ptrdiff_t>(index));
  if (!it.value().is_array() || it.value().empty())
    fail_data(fmt::format("{}: vary.{} must be a non-empty list", where, it.key()));
  for (const auto& value : it.value()) {
    run_spec next = current;
    apply_field(next, it.key(), value, fmt::format("{}: vary.{}", where, it.key()), networks);
    expand(vary, index + 1, std::move(next), where, networks, out);
  }
}

}  // namespace

std::string to_string(activation_kind a) {
  switch (a) {
    case activation_kind::sigmoid: return "sigmoid";
    case activation_kind::relu: return "relu";
    case activation_kind::tanh: return "tanh";
  }
  return "?";
}

std::string to_string(init_kind i) {
  switch (i) {
    case init_kind::random: return "random";
    case init_kind::zero: return "zero";
    case init_kind::he: return "he";
  }
  return "?";
}

std::string to_string(scalar_kind s) {
  return s == scalar_kind::single_precision ? "float" : "double";
}

std::string to_string(optimizer_kind o) {
  switch (o) {
    case optimizer_kind::sgd: return "sgd";
    case optimizer_kind::momentum: return "momentum";
    case optimizer_kind::nesterov: return "nesterov";
    case optimizer_kind::adam: return "adam";
    case optimizer_kind::adamw: return "adamw";
  }
  return "?";
}

std::string schedule_text(const run_spec& run) {
  switch (run.lr_schedule) {
    case schedule_kind::step:
      return fmt::format("step:{}:{}", run.lr_step_every, run.lr_step_factor);
    case schedule_kind::inverse:
      return run.lr_decay == 0 ? "constant" : fmt::format("inverse:{}", run.lr_decay);
    case schedule_kind::cosine: return "cosine";
  }
  return "?";
}

std::optional<activation_kind> parse_activation(std::string_view text) {
  for (const auto a : {activation_kind::sigmoid, activation_kind::relu, activation_kind::tanh})
    if (text == to_string(a)) return a;
  return std::nullopt;
}

std::optional<init_kind> parse_init(std::string_view text) {
  for (const auto i : {init_kind::random, init_kind::zero, init_kind::he})
    if (text == to_string(i)) return i;
  return std::nullopt;
}

std::optional<scalar_kind> parse_precision(std::string_view text) {
  for (const auto s : {scalar_kind::single_precision, scalar_kind::double_precision})
    if (text == to_string(s)) return s;
  return std::nullopt;
}

std::optional<optimizer_kind> parse_optimizer(std::string_view text) {
  for (const auto o : {optimizer_kind::sgd, optimizer_kind::momentum, optimizer_kind::nesterov,
                       optimizer_kind::adam, optimizer_kind::adamw})
    if (text == to_string(o)) return o;
  return std::nullopt;
}

bool set_schedule(run_spec& run, std::string_view text_view) {
  // "constant", "cosine", "inverse:DECAY" or "step:EPOCHS:FACTOR".
  const std::string text(text_view);
  std::istringstream in(text);
  std::string kind;
  std::getline(in, kind, ':');
  if (text == "constant") {
    set_inverse(run, 0);
  } else if (text == "cosine") {
    run.lr_schedule = schedule_kind::cosine;
    run.lr_decay = 0;
  } else if (kind == "inverse") {
    double decay = -1;
    if (!(in >> decay) || !in.eof() || !(decay >= 0)) return false;
    set_inverse(run, decay);
  } else if (kind == "step") {
    long long every = 0;
    char colon = 0;
    double factor = 0;
    if (!(in >> every >> colon >> factor) || !in.eof() || colon != ':' || every <= 0 ||
        !(factor > 0) || text.find_first_of(" \t") != std::string::npos)
      return false;
    run.lr_schedule = schedule_kind::step;
    run.lr_step_every = static_cast<std::size_t>(every);
    run.lr_step_factor = factor;
    run.lr_decay = 0;
  } else {
    return false;
  }
  return true;
}

optimizer_settings run_spec::optimizer_of() const {
  optimizer_settings o;
  o.kind = optimizer;
  if (optimizer == optimizer_kind::adamw) o.weight_decay = 0.01;
  o.momentum = momentum.value_or(o.momentum);
  o.beta1 = beta1.value_or(o.beta1);
  o.beta2 = beta2.value_or(o.beta2);
  o.eps = eps.value_or(o.eps);
  o.weight_decay = weight_decay.value_or(o.weight_decay);
  return o;
}

std::string run_spec::key() const {
  std::string widths;
  for (std::size_t j = 0; j < hidden.size(); ++j) widths += fmt::format("{}{}", j ? "-" : "", hidden[j]);
  std::string schedule;
  switch (lr_schedule) {
    case schedule_kind::inverse:
      if (lr_decay != 0) schedule = fmt::format("d{}", lr_decay);
      break;
    case schedule_kind::step:
      schedule = fmt::format("step{}x{}", lr_step_every, lr_step_factor);
      break;
    case schedule_kind::cosine: schedule = "cos"; break;
  }
  // Only what differs from per-example SGD in file order, so older runs keep their keys.
  const optimizer_settings o = optimizer_of();
  const optimizer_settings d;
  std::string training;
  if (o.kind == optimizer_kind::momentum || o.kind == optimizer_kind::nesterov)
    training += fmt::format("_{}{}", to_string(o.kind), o.momentum);
  if (o.kind == optimizer_kind::adam || o.kind == optimizer_kind::adamw) {
    training += "_" + to_string(o.kind);
    if (o.beta1 != d.beta1) training += fmt::format("-beta1{}", o.beta1);
    if (o.beta2 != d.beta2) training += fmt::format("-beta2{}", o.beta2);
    if (o.eps != d.eps) training += fmt::format("-eps{}", o.eps);
  }
  if (o.weight_decay != 0) training += fmt::format("_wd{}", o.weight_decay);
  if (batch != 1) training += fmt::format("_b{}", batch);
  if (shuffle) training += "_shuffled";
  if (augment_hflip) training += "_hflip";
  if (!network.empty())
    return fmt::format("{}_{}_{}_lr{}{}_e{}_s{}_{}{}", dataset, network, to_string(init),
                       learning_rate, schedule, epochs, seed, to_string(scalar), training);
  return fmt::format("{}_h{}_{}_{}_lr{}{}_e{}_s{}_{}{}", dataset, widths, to_string(activation),
                     to_string(init), learning_rate, schedule, epochs, seed, to_string(scalar),
                     training);
}

grid load_grid(const std::filesystem::path& file, const std::map<std::string, std::string>& variables,
               const std::vector<std::string>& only) {
  const std::string name = file.string();
  std::ifstream in(file);
  if (!in) fail_io(fmt::format("{}: cannot read the grid file", name));
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    fail_data(fmt::format("{}: not valid JSON: {}", name, e.what()));
  }
  if (!doc.is_object() || !doc.contains("datasets") || !doc.contains("experiments"))
    fail_data(fmt::format("{}: expected an object with \"datasets\" and \"experiments\"", name));

  grid g;
  g.networks = read_networks(doc, name);
  for (const auto& [ds_name, ds] : doc["datasets"].items()) {
    const std::string where = fmt::format("{}: datasets.{}", name, ds_name);
    if (!ds.is_object() || !ds.contains("train") || !ds.contains("validation"))
      fail_data(fmt::format("{}: needs \"train\" and \"validation\" paths", where));
    dataset_spec d;
    d.name = ds_name;
    d.description = ds.value("description", "");
    d.classes = ds.value("classes", std::size_t{10});
    d.train = ds["train"].get<std::string>();
    d.validation = ds["validation"].get<std::string>();
    g.datasets.emplace(ds_name, std::move(d));
  }

  run_spec defaults;
  if (doc.contains("defaults")) {
    for (const auto& [field, value] : doc["defaults"].items())
      apply_field(defaults, field, value, fmt::format("{}: defaults", name), g.networks);
  }

  const std::set<std::string> wanted(only.begin(), only.end());
  std::set<std::string> missing = wanted;
  std::set<std::string> seen_experiments;
  std::map<std::string, std::size_t> run_index;
  for (const auto& e : doc["experiments"]) {
    if (!e.is_object() || !e.contains("name"))
      fail_data(fmt::format("{}: every experiment needs a \"name\"", name));
    experiment_spec exp;
    exp.name = e["name"].get<std::string>();
    exp.title = e.value("title", exp.name);
    const std::string where = fmt::format("{}: experiment {}", name, exp.name);
    if (!seen_experiments.insert(exp.name).second)
      fail_data(fmt::format("{}: the name is used twice", where));
    if (!wanted.empty() && !wanted.contains(exp.name)) continue;
    missing.erase(exp.name);

    run_spec base = defaults;
    if (e.contains("set")) {
      for (const auto& [field, value] : e["set"].items())
        apply_field(base, field, value, fmt::format("{}: set", where), g.networks);
    }
    // Each variant (default: one empty one) overrides "set"; each is crossed with "vary".
    const json variants = e.contains("variants") ? e["variants"] : json::array({json::object()});
    if (!variants.is_array() || variants.empty())
      fail_data(fmt::format("{}: \"variants\" must be a non-empty list of objects", where));
    std::vector<run_spec> runs;
    for (std::size_t v = 0; v < variants.size(); ++v) {
      if (!variants[v].is_object())
        fail_data(fmt::format("{}: variants[{}] must be an object", where, v));
      run_spec variant = base;
      for (const auto& [field, value] : variants[v].items())
        apply_field(variant, field, value, fmt::format("{}: variants[{}]", where, v), g.networks);
      expand(e.contains("vary") ? e["vary"] : json::object(), 0, variant, where, g.networks, runs);
    }
    for (auto& run : runs) {
      if (!g.datasets.contains(run.dataset))
        fail_data(fmt::format("{}: unknown data set \"{}\"", where, run.dataset));
      check_run(run, g.datasets.at(run.dataset).classes, where);
      const std::string key = run.key();
      exp.run_keys.push_back(key);
      const auto found = run_index.find(key);
      if (found == run_index.end()) {
        run.experiments = {exp.name};
        run_index.emplace(key, g.runs.size());
        g.runs.push_back(std::move(run));
      } else {
        // The same run asked for by several experiments is trained once, with every extra.
        run_spec& existing = g.runs[found->second];
        existing.track_symmetry = existing.track_symmetry || run.track_symmetry;
        existing.keep_first_layer = existing.keep_first_layer || run.keep_first_layer;
        existing.quantize_int8 = existing.quantize_int8 || run.quantize_int8;
        if (std::ranges::find(existing.experiments, exp.name) == existing.experiments.end())
          existing.experiments.push_back(exp.name);
      }
    }
    g.experiments.push_back(std::move(exp));
  }
  if (!missing.empty())
    fail_usage(fmt::format("--only: no experiment named \"{}\" in {}", *missing.begin(), name));

  // Resolve only the data sets some run uses, so unused ones need no --data variable.
  std::set<std::string> used;
  for (const auto& run : g.runs) used.insert(run.dataset);
  for (auto it = g.datasets.begin(); it != g.datasets.end();) {
    if (!used.contains(it->first)) {
      it = g.datasets.erase(it);
      continue;
    }
    const std::string where = fmt::format("{}: datasets.{}", name, it->first);
    it->second.train = substitute(it->second.train.string(), variables, where);
    it->second.validation = substitute(it->second.validation.string(), variables, where);
    ++it;
  }
  return g;
}

}  // namespace experiments
