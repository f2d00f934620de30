// Writing a model file (--save-model): the description, the weights exactly, and where they
// came from.
#include <charconv>
#include <cmath>
#include <type_traits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <constnn/version.hpp>

#include "metrics_json.hpp"
#include "model_file.hpp"
#include "version.hpp"
#include "wrapped_list.hpp"

namespace train_export {
namespace {

// The shortest decimal that reads back, through double, as exactly `value`: JSON readers
// parse numbers as doubles, so a float is checked through that path too.
template <class T>
std::string exact_text(T value) {
  if constexpr (std::is_same_v<T, float>) {
    std::string s = shortest(value);
    double back = 0;
    std::from_chars(s.data(), s.data() + s.size(), back);
    if (static_cast<float>(back) == value &&
        std::signbit(static_cast<float>(back)) == std::signbit(value))
      return s;
    return shortest(static_cast<double>(value));
  } else {
    return shortest(value);
  }
}

// Numbers joined by ", " and wrapped; the array's last takes no comma.
template <class T>
void append_numbers(std::string& out, std::span<const T> values, std::string_view indent) {
  wrapped_list list(out, indent, false);
  for (std::size_t i = 0; i < values.size(); ++i)
    list.add(exact_text(values[i]) + (i + 1 < values.size() ? "," : ""));
}

}  // namespace

template <class T>
std::string model_file_text(const options& opts, const model_description& description,
                            const run_summary& summary, std::span<const T> parameters) {
  const std::string_view scalar = std::is_same_v<T, float> ? "float" : "double";
  const std::vector<tensor_shape> shapes = shapes_of(description, opts.classes);
  // Where the weights came from, in the words of --metrics-json.
  const auto record = nlohmann::ordered_json::parse(metrics_json(opts, description, summary));
  nlohmann::ordered_json doc;
  doc["format"] = model_file_format;
  doc["version"] = model_file_version;
  doc["generator"] =
      fmt::format("{} {} (constnn {})", tool_name, tool_version, CONSTNN_VERSION_STRING);
  doc["precision"] = scalar;
  doc["input_shape"] = description.input.text();
  doc["layers"] = layers_text(description.layers);
  doc["classes"] = opts.classes;
  doc["type"] = fixed_network_type(description, scalar);
  doc["parameter_count"] = parameters.size();
  doc["training"] = {{"inputs", record["inputs"]},
                     {"hyperparameters", record["hyperparameters"]},
                     {"epochs", summary.epochs.size()},
                     {"final",
                      {{"train_cross_entropy", summary.final_train_cross_entropy},
                       {"validation_cross_entropy", summary.final_validation_cross_entropy},
                       {"train_error", summary.errors.train},
                       {"validation_error", summary.errors.validation}}}};
  std::string out = doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  // The weights by hand: wrapped lines of exact numbers rather than one number per line.
  out.erase(out.size() - 2);  // "\n}"
  out += ",\n  \"parameters\": [";
  const std::vector<parameter_slice> slices = parameter_slices(description, shapes);
  for (std::size_t i = 0; i < slices.size(); ++i) {
    const parameter_slice& s = slices[i];
    std::string dims;
    for (const std::size_t n : s.weight_dims)
      dims += fmt::format("{}{}", dims.empty() ? "" : ", ", n);
    out += fmt::format(
        "{}\n    {{\"layer\": {}, \"item\": \"{}\", \"weights_shape\": [{}],\n"
        "     \"weights\": [\n",
        i == 0 ? "" : ",", s.layer + 1, description.layers[s.layer].text(), dims);
    append_numbers(out, parameters.subspan(s.offset, s.weights), "      ");
    out += "],\n     \"biases\": [\n";
    append_numbers(out, parameters.subspan(s.offset + s.weights, s.biases), "      ");
    out += "]}";
  }
  out += "\n  ]\n}\n";
  return out;
}

template std::string model_file_text<float>(const options&, const model_description&,
                                            const run_summary&, std::span<const float>);
template std::string model_file_text<double>(const options&, const model_description&,
                                             const run_summary&, std::span<const double>);

}  // namespace train_export
