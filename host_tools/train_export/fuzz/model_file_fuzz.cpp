// libFuzzer target for the model file reader (--model): on any bytes it either returns a
// model whose description has the shapes its classes need and whose weights, if any, are as
// many as the network has and finite in its precision, or throws a data error whose message
// is one line starting with the file name.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  host_tools::input_file file;
  file.name = "model.json";
  file.bytes.assign(reinterpret_cast<const char*>(data), size);
  try {
    const train_export::model_file m = train_export::parse_model_file(file);
    const auto shapes = host_tools::shapes_of(m.description, m.classes);
    if (shapes.back().size() != m.classes) __builtin_trap();
    if (m.parameters) {
      if (m.parameters->size() != host_tools::parameter_count(m.description, shapes))
        __builtin_trap();
      const bool single = m.scalar == train_export::precision::single_precision;
      for (const double v : *m.parameters)
        if (single ? !std::isfinite(static_cast<float>(v)) : !std::isfinite(v)) __builtin_trap();
    }
  } catch (const host_tools::tool_error& e) {
    const std::string message = e.what();
    if (e.kind() != host_tools::failure_kind::data) __builtin_trap();
    if (message.rfind("model.json", 0) != 0) __builtin_trap();
    if (message.find('\n') != std::string::npos || message.find('\r') != std::string::npos)
      __builtin_trap();
  }
  return 0;
}
