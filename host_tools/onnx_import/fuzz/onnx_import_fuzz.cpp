// libFuzzer target for the ONNX importer: on any bytes it either returns a model that shapes_of
// accepts, with as many finite parameters as that network has, whose input and layers read
// back from their spelling, or throws a data error whose message is one line naming the file.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "error.hpp"
#include "model_description.hpp"
#include "onnx_import.hpp"

namespace {

// Shapes of the models in tests/data/onnx, and a vector, so that a model with symbolic axes
// gets past read_input and its layers are reached.
constexpr std::string_view shapes[] = {"16x8x1", "28x28x1", "6x6x1", "128", "16x8"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The first byte picks the input shape (0: none, as without --input-shape); the rest is the
  // file.
  if (size == 0) return 0;
  constexpr std::size_t choices = std::size(shapes) + 1;
  const std::size_t pick = data[0] % choices;
  const std::optional<host_tools::tensor_shape> input_shape =
      pick == 0 ? std::nullopt : std::optional(host_tools::parse_input_shape(shapes[pick - 1]));
  const std::string path = "model.onnx";
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::optional<host_tools::onnx_import> imported;
  try {
    imported = host_tools::import_onnx(path, bytes, input_shape);
  } catch (const host_tools::tool_error& e) {
    const std::string_view what = e.what();
    if (e.kind() != host_tools::failure_kind::data) __builtin_trap();
    if (!what.starts_with(path + ": ")) __builtin_trap();
    if (what.find('\n') != std::string_view::npos || what.find('\r') != std::string_view::npos)
      __builtin_trap();
    return 0;
  } catch (...) {
    __builtin_trap();  // the importer reports every refusal as a tool_error
  }
  // What the rest of train_export takes from an import without checking it again (run.cpp
  // hands it on as a model file's): from here on any exception is a bug too, so none is caught.
  const host_tools::model_description& d = imported->description;
  const auto shapes_seen = host_tools::shapes_of(d, imported->classes);
  if (shapes_seen.back().size() != imported->classes) __builtin_trap();
  // --classes and model files take 2 to 65536 classes; an import stands in for either.
  if (imported->classes < 2 || imported->classes > 65536) __builtin_trap();
  if (imported->parameters.size() != host_tools::parameter_count(d, shapes_seen)) __builtin_trap();
  for (const double v : imported->parameters)
    if (!std::isfinite(v)) __builtin_trap();
  // A model file saves the input as its --input-shape spelling, and the layers as theirs. The
  // input must read back as itself, within the reader's limits. The pooling stride the parser
  // leaves when :sS is absent is not the window the importer writes, and neither is used, so
  // the layers are compared as the spelling and the shapes they give, not field by field.
  if (host_tools::parse_input_shape(d.input.text()) != d.input) __builtin_trap();
  const std::string text = host_tools::layers_text(d.layers);
  const host_tools::model_description read_back{d.input, host_tools::parse_layers(text)};
  if (read_back.layers.size() != d.layers.size()) __builtin_trap();
  for (std::size_t k = 0; k < d.layers.size(); ++k)
    if (read_back.layers[k].text() != d.layers[k].text()) __builtin_trap();
  if (host_tools::shapes_of(read_back, imported->classes) != shapes_seen) __builtin_trap();
  return 0;
}
