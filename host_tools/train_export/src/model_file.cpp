// Reading a model file (--model): every field checked, every refusal one line naming it.
#include "model_file.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace train_export {
namespace {

using json = nlohmann::json;

constexpr std::size_t max_classes = 65536;  // as --classes

// nlohmann's message without its "[json.exception...] parse error at line L, column C: "
// prefix, whose position we give ourselves as FILE:LINE:COLUMN.
std::string parse_problem(const json::parse_error& e) {
  const std::string what = e.what();
  for (const char* marker : {"column ", "] "}) {
    const auto at = what.find(marker);
    if (at == std::string::npos) continue;
    const auto colon = what.find(": ", at);
    if (colon != std::string::npos) return what.substr(colon + 2);
  }
  return what;
}

// Line and column (both from 1) of the byte before `byte` (nlohmann's 1-based position of the
// byte it stopped at).
std::pair<std::size_t, std::size_t> position_of(const std::string& text, std::size_t byte) {
  std::size_t line = 1, column = 1;
  const std::size_t end = std::min(text.size(), byte == 0 ? 0 : byte - 1);
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

class reader {
 public:
  explicit reader(const input_file& file) : name_(file.name) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    fail_data(one_line(fmt::format("{}: {}: {}", name_, where, what)));
  }

  const json& field(const json& doc, const char* key) const {
    const auto it = doc.find(key);
    if (it == doc.end()) fail(fmt::format("\"{}\"", key), "missing");
    return *it;
  }

  std::string text(const json& doc, const char* key) const {
    const json& v = field(doc, key);
    if (!v.is_string())
      fail(fmt::format("\"{}\"", key), fmt::format("expected a string, got {}", v.dump()));
    return v.get<std::string>();
  }

  std::size_t whole(const json& v, const std::string& where, std::size_t min,
                    std::size_t max) const {
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() < min || v.get<std::uint64_t>() > max)
      fail(where, fmt::format("expected a whole number from {} to {}, got {}", min, max,
                              v.dump().substr(0, 40)));
    return static_cast<std::size_t>(v.get<std::uint64_t>());
  }

  // The usage errors of the grammar and of shapes_of, as data errors of this file.
  template <class F>
  auto checked(F&& f) const {
    try {
      return f();
    } catch (const tool_error& e) {
      fail_data(one_line(e.what()));
    }
  }

  // `count` numbers, each finite in the run's precision.
  void numbers(const json& v, const std::string& where, std::size_t count, bool single,
               std::vector<double>& out) const {
    if (!v.is_array()) fail(where, fmt::format("expected an array of {} numbers", count));
    if (v.size() != count)
      fail(where, fmt::format("holds {} numbers; the network has {}", v.size(), count));
    for (std::size_t i = 0; i < v.size(); ++i) {
      const json& x = v[i];
      if (!x.is_number())
        fail(fmt::format("{}[{}]", where, i),
             fmt::format("expected a number, got {}", x.dump().substr(0, 40)));
      const double value = x.get<double>();
      const bool finite = single ? std::isfinite(static_cast<float>(value)) : std::isfinite(value);
      if (!finite)
        fail(fmt::format("{}[{}]", where, i),
             fmt::format("{} is not a finite {}", x.dump().substr(0, 40),
                         single ? "float" : "double"));
      out.push_back(value);
    }
  }

 private:
  std::string name_;
};

}  // namespace

model_file parse_model_file(const input_file& file) {
  const reader r(file);
  json doc;
  try {
    doc = json::parse(file.bytes);
  } catch (const json::parse_error& e) {
    const auto [line, column] = position_of(file.bytes, e.byte);
    fail_data(one_line(fmt::format("{}:{}:{}: not a JSON model file: {}", file.name, line, column,
                                   parse_problem(e))));
  } catch (const json::exception& e) {
    // A number beyond double's range (out_of_range.406) has no position of its own.
    const std::string what = e.what();
    const auto end = what.find("] ");
    fail_data(one_line(fmt::format("{}: not a JSON model file: {}", file.name,
                                   end == std::string::npos ? what : what.substr(end + 2))));
  }
  if (!doc.is_object())
    fail_data(one_line(fmt::format("{}: not a model file: expected a JSON object", file.name)));
  const std::string format = r.text(doc, "format");
  if (format != model_file_format)
    r.fail("\"format\"", fmt::format("expected \"{}\", got \"{}\"", model_file_format, format));
  const json& version = r.field(doc, "version");
  if (!version.is_number_unsigned() || version.get<std::uint64_t>() != model_file_version)
    r.fail("\"version\"", fmt::format("this train_export reads version {}, the file is {}",
                                      model_file_version, version.dump().substr(0, 40)));

  model_file m;
  m.name = file.name;
  const std::string scalar = r.text(doc, "precision");
  if (scalar != "float" && scalar != "double")
    r.fail("\"precision\"", fmt::format("expected \"float\" or \"double\", got \"{}\"", scalar));
  m.scalar = scalar == "float" ? precision::single_precision : precision::double_precision;
  m.classes = r.whole(r.field(doc, "classes"), "\"classes\"", 2, max_classes);
  const std::string shape_option = fmt::format("{}: \"input_shape\"", file.name);
  const std::string layers_option = fmt::format("{}: \"layers\"", file.name);
  const std::string shape_text = r.text(doc, "input_shape");
  const std::string layers_spec = r.text(doc, "layers");
  m.description.input = r.checked([&] { return parse_input_shape(shape_text, shape_option); });
  m.description.layers = r.checked([&] { return parse_layers(layers_spec, layers_option); });
  const std::vector<tensor_shape> shapes =
      r.checked([&] { return shapes_of(m.description, m.classes, layers_option); });
  const std::size_t count = parameter_count(m.description, shapes);
  if (count > max_parameters)
    r.fail("\"layers\"",
           fmt::format("the network has {} parameters; the limit is {}", count, max_parameters));
  if (const auto it = doc.find("parameter_count");
      it != doc.end() && (!it->is_number_unsigned() || it->get<std::uint64_t>() != count))
    r.fail("\"parameter_count\"", fmt::format("{}, but the network of \"layers\" has {}",
                                              it->dump().substr(0, 40), count));

  const auto params = doc.find("parameters");
  if (params == doc.end() || params->is_null()) return m;
  const std::vector<parameter_slice> slices = parameter_slices(m.description, shapes);
  if (!params->is_array() || params->size() != slices.size())
    r.fail("\"parameters\"", fmt::format("expected an array of {} layers (one per layer with "
                                         "weights), got {}",
                                         slices.size(),
                                         params->is_array() ? fmt::format("{}", params->size())
                                                            : std::string("no array")));
  const bool single = m.scalar == precision::single_precision;
  std::vector<double> values;
  values.reserve(count);
  for (std::size_t i = 0; i < slices.size(); ++i) {
    const parameter_slice& s = slices[i];
    const layer_spec& l = m.description.layers[s.layer];
    const std::string where =
        fmt::format("\"parameters\"[{}] (item {}, {})", i, s.layer + 1, l.text());
    const json& entry = (*params)[i];
    if (!entry.is_object()) r.fail(where, "expected an object with \"weights\" and \"biases\"");
    if (const auto item = entry.find("layer");
        item != entry.end() &&
        (!item->is_number_unsigned() || item->get<std::uint64_t>() != s.layer + 1))
      r.fail(where + ": \"layer\"", fmt::format("{}, but this entry belongs to item {}",
                                                item->dump().substr(0, 40), s.layer + 1));
    r.numbers(r.field(entry, "weights"), where + ": \"weights\"", s.weights, single, values);
    r.numbers(r.field(entry, "biases"), where + ": \"biases\"", s.biases, single, values);
  }
  m.parameters = std::move(values);
  return m;
}

}  // namespace train_export
