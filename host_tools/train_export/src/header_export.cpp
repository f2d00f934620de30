// Writes the trained network as a self-contained C++ header that firmware compiles in.
#include "header_export.hpp"

#include <cmath>
#include <filesystem>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "host_tools.hpp"
#include "stack_network.hpp"
#include "version.hpp"
#include "wrapped_list.hpp"

namespace train_export {
namespace {

template <class T>
void add_parameters(wrapped_list& list, std::span<const T> values, std::size_t first,
                    std::size_t count) {
  for (std::size_t k = first; k < first + count; ++k) list.add(hex_literal(values[k]));
}


// The table of the header's comment: each layer, its output and parameters, then the
// memory the fixed network states (the same plan as the network that was trained).
template <class T>
std::string layer_table(const model_description& d, const std::vector<tensor_shape>& shapes,
                        std::size_t params, std::size_t inference_ws, std::size_t training_ws) {
  std::string t = "//\n// layer                            output        parameters\n";
  t += fmt::format("// {:<32} {}\n", "input", shapes[0].text());
  for (std::size_t k = 0; k < d.layers.size(); ++k)
    t += fmt::format("// {:<32} {:<13} {}\n", d.layers[k].text(), shapes[k + 1].text(),
                     layer_parameter_count(d.layers[k], shapes[k]));
  t += fmt::format("// {:<32} {}\n", "softmax + cross-entropy", shapes.back().text());
  t += fmt::format(
      "// memory ({}): parameter_bytes {}, inference_ram_bytes {}, training_ram_bytes (SGD) {}\n",
      std::is_same_v<T, float> ? "float" : "double", params * sizeof(T), inference_ws * sizeof(T),
      (params + training_ws) * sizeof(T));
  return t;
}

std::string training_text(const options& opts) {
  if (opts.reference_training()) return "";
  std::string t = fmt::format(", optimizer {}", optimizer_name(opts.optimizer));
  if (opts.optimizer == optimizer_kind::momentum || opts.optimizer == optimizer_kind::nesterov)
    t += fmt::format(" (momentum {})", opts.momentum_text);
  if (opts.optimizer == optimizer_kind::adam || opts.optimizer == optimizer_kind::adamw)
    t += fmt::format(" (beta1 {}, beta2 {}, eps {})", opts.beta1_text, opts.beta2_text,
                     opts.eps_text);
  t += fmt::format(", weight decay {}, batch {}, {}, lr schedule {}", opts.weight_decay_text,
                   opts.batch, opts.shuffle ? "shuffled" : "file order", opts.schedule.text);
  if (opts.early_stopping > 0) t += fmt::format(", early stopping {}", opts.early_stopping);
  return t;
}

}  // namespace

std::string samples_tail(std::size_t classes, std::size_t samples, std::size_t features,
                         std::span<const label_type> labels,
                         std::span<const label_type> predictions) {
  const std::string_view label = classes <= 256 ? "std::uint8_t" : "std::uint16_t";
  std::string out;
  const auto label_array = [&](std::string_view name, std::span<const label_type> values) {
    out += fmt::format("inline constexpr std::array<{}, sample_count> {} = {{", label, name);
    if (samples == 0) {
      out += "};\n";
      return;
    }
    out += "\n";
    wrapped_list list(out);
    for (std::size_t s = 0; s < samples; ++s) list.add(fmt::format("{}", values[s]));
    list.end_line();
    out += "};\n";
  };
  label_array("sample_labels", labels);
  label_array("sample_predictions", predictions);
  out += fmt::format(
      "static_assert(sample_features.size() == sample_count * network{{}}.input_size(),\n"
      "              \"each sample must have the network's {} inputs\");\n\n",
      features);
  return out;
}

// File names are the one user-controlled text that reaches the header; escaped, a newline or
// a carriage return in one cannot end the comment and put code into the firmware.
std::string file_name_of(const std::string& path) {
  return comment_text(std::filesystem::path(path).filename().string());
}

std::string train_comment(const run_summary& summary, std::size_t width) {
  const std::string label = fmt::format("{:<{}}", "// train:", width);
  if (!summary.has_train_set())
    return label + " none: the model's weights as they were read, evaluated only\n";
  return fmt::format("{} {} ({} examples x {} features), sha256 {}\n", label,
                     file_name_of(summary.train.name), summary.train.examples,
                     summary.train.features, summary.train.sha256);
}

std::string model_comment(const run_summary& summary) {
  if (!summary.model) return "";
  return fmt::format("// {}: {}, sha256 {}{}\n",
                     summary.model_is_onnx ? "ONNX model" : "model file",
                     file_name_of(summary.model->name), summary.model->sha256,
                     summary.started_from_model && summary.has_train_set()
                         ? " (its weights were the start of training)"
                         : "");
}

template <class T>
std::string header_text(const options& opts, const model_description& description,
                        const run_summary& summary, std::span<const T> parameters,
                        const labeled_data<T>& validation,
                        std::span<const label_type> validation_predictions) {
  for (const T value : parameters) {
    if (!std::isfinite(value)) {
      fail_data(
          "training diverged (a weight is NaN or infinite), so no header can be written; "
          "try a smaller learning rate");
    }
  }
  const std::string_view scalar = std::is_same_v<T, float> ? "float" : "double";
  const std::size_t features = validation.width;
  const std::size_t classes = opts.classes;
  const std::size_t samples = opts.embed_samples;
  const std::string network = fixed_network_type(description, scalar);
  const std::vector<tensor_shape> shapes = shapes_of(description, classes);
  const stack_network<T> net = make_network<T>(description);

  std::string out;
  out += fmt::format("// Generated by {} {} from constnn {}; do not edit.\n", tool_name,
                     tool_version, CONSTNN_VERSION_STRING);
  out += "//\n";
  out += train_comment(summary, 14);
  out += fmt::format("// validation: {} ({} examples), sha256 {}\n",
                     file_name_of(summary.validation.name), summary.validation.examples,
                     summary.validation.sha256);
  if (!opts.layers) {
    out += fmt::format(
        "// hyperparameters: epochs {}, hidden {}, classes {}, init {}, seed {}, learning rate "
        "{}, precision {}{}\n",
        opts.epochs, opts.hidden, classes, init_name(opts.init), opts.seed,
        opts.learning_rate_text, scalar, training_text(opts));
  } else {
    out += fmt::format("// network: --input-shape {} --layers {}\n", description.input.text(),
                       layers_text(description.layers));
    out += fmt::format(
        "// hyperparameters: epochs {}, classes {}, init {}, seed {}, learning rate {}, "
        "precision {}{}\n",
        opts.epochs, classes, init_name(opts.init), opts.seed, opts.learning_rate_text, scalar,
        training_text(opts));
  }
  out += model_comment(summary);
  if (summary.stopped_early)
    out += fmt::format("// early stopping kept epoch {} of {}\n", summary.epochs.size(),
                       summary.epochs_run);
  const auto on_train = [&](double value) {
    return summary.has_train_set() ? shortest(value) : std::string("none");
  };
  out += fmt::format("// final cross-entropy: train {}, validation {}\n",
                     on_train(summary.final_train_cross_entropy),
                     shortest(summary.final_validation_cross_entropy));
  out += fmt::format("// final error rate: train {}, validation {}\n",
                     on_train(summary.errors.train), shortest(summary.errors.validation));
  if (opts.layers)
    out += layer_table<T>(description, shapes, net.parameters_size(),
                          net.inference_workspace_size(), net.training_workspace_size());
  out += "#pragma once\n\n";
  out += "#include <array>\n#include <cstddef>\n#include <cstdint>\n\n";
  out += "#include <constnn/constnn.hpp>\n\n";
  out += fmt::format("namespace {} {{\n\n", opts.header_namespace);
  out += fmt::format("using scalar = {};\n", scalar);
  out += fmt::format("using network = {};\n\n", network);

  if (!opts.layers) {
    out += fmt::format(
        "static_assert(network::param_count == {0},\n"
        "              \"these parameters are those of a {1}-{2}-{3} network; \"\n"
        "              \"regenerate this header instead of editing it\");\n\n",
        parameters.size(), features, opts.hidden, classes);
    out +=
        "// constnn's layout: for each dense layer, weights [in][out] (w[i * out + o] joins\n"
        "// input i to output o), then biases [out]. Hex literals keep every bit.\n";
  } else {
    out += fmt::format(
        "static_assert(network::param_count == {0},\n"
        "              \"these parameters are those of the network --layers {1}; \"\n"
        "              \"regenerate this header instead of editing it\");\n\n",
        parameters.size(), layers_text(description.layers));
    out +=
        "// constnn's layout, layer after layer: dense weights [in][out] (w[i * out + o] joins\n"
        "// input i to output o), convolution weights [KH][KW][C][F] (HWIO), then biases.\n"
        "// Hex literals keep every bit.\n";
  }
  out += fmt::format("inline constexpr std::array<{}, network::param_count> parameters = {{\n",
                     scalar);
  {
    wrapped_list list(out);
    std::size_t dense_index = 0;
    for (const parameter_slice& slice : parameter_slices(description, shapes)) {
      const layer_spec& l = description.layers[slice.layer];
      // The reference network's header keeps its words; any other names each layer's item.
      const std::string name = !opts.layers
                                   ? fmt::format("dense layer {}", ++dense_index)
                                   : fmt::format("layer {} ({})", slice.layer + 1, l.text());
      std::string dims;
      for (const std::size_t n : slice.weight_dims) dims += fmt::format("[{}]", n);
      list.comment(fmt::format("{}: weights {}", name, dims));
      add_parameters(list, parameters, slice.offset, slice.weights);
      list.comment(fmt::format("{}: biases [{}]", name, slice.biases));
      add_parameters(list, parameters, slice.offset + slice.weights, slice.biases);
    }
    list.end_line();
  }
  out += "};\n\n";

  const T lr = opts.learning_rate_as<T>();
  out += fmt::format("inline constexpr {} learning_rate = {};  // {}\n\n", scalar, hex_literal(lr),
                     opts.learning_rate_text);

  out += fmt::format(
      "// The first {} validation examples, their true labels and the labels the host predicted.\n",
      samples);
  out += fmt::format("inline constexpr std::size_t sample_count = {};\n", samples);
  out += fmt::format("inline constexpr std::array<{}, sample_count * {}> sample_features = {{\n",
                     scalar, features);
  {
    wrapped_list list(out);
    for (std::size_t s = 0; s < samples; ++s) {
      list.comment(fmt::format("sample {}: label {}, host predicted {}", s, validation.labels[s],
                               validation_predictions[s]));
      for (std::size_t f = 0; f < features; ++f) {
        list.add(decimal_literal(validation.features[s * features + f]));
      }
    }
    list.end_line();
  }
  out += "};\n";
  out += samples_tail(opts.classes, samples, features, validation.labels, validation_predictions);
  out += fmt::format("}}  // namespace {}\n", opts.header_namespace);
  return out;
}

template std::string header_text<float>(const options&, const model_description&,
                                        const run_summary&, std::span<const float>,
                                        const labeled_data<float>&, std::span<const label_type>);
template std::string header_text<double>(const options&, const model_description&,
                                         const run_summary&, std::span<const double>,
                                         const labeled_data<double>&,
                                         std::span<const label_type>);

}  // namespace train_export
