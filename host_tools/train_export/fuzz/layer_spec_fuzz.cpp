// libFuzzer target: --input-shape and --layers on arbitrary bytes must either give a
// description whose shapes the library's layers build into a valid network with the counted
// parameters, or throw tool_error(usage) with a one-line message naming the option.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "error.hpp"
#include "model_description.hpp"
#include "stack_network.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The first byte picks the class count; up to the first newline is the input shape, the
  // rest the layers.
  if (size == 0) return 0;
  const std::size_t classes = 2 + data[0] % 15;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t newline = text.find('\n');
  const std::string_view shape = text.substr(0, newline);
  const std::string_view layers =
      newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
  std::string_view option = "--input-shape";
  try {
    host_tools::model_description d;
    d.input = host_tools::parse_input_shape(shape);
    option = "--layers";
    d.layers = host_tools::parse_layers(layers);
    const auto shapes = host_tools::shapes_of(d, classes);
    if (shapes.size() != d.layers.size() + 1 || shapes.back().size() != classes) __builtin_trap();
    if (host_tools::layers_text(host_tools::parse_layers(host_tools::layers_text(d.layers))) !=
        host_tools::layers_text(d.layers))
      __builtin_trap();  // the canonical spelling reads back as itself
    const std::size_t count = host_tools::parameter_count(d, shapes);
    // Building a network is cheap only while it is small: its plan is what is checked.
    if (count < 2'000'000) {
      const auto net = host_tools::make_network<float>(d);
      if (!net.valid() || net.parameters_size() != count || net.output_size() != classes)
        __builtin_trap();
    }
  } catch (const host_tools::tool_error& e) {
    const std::string_view what = e.what();
    if (e.kind() != host_tools::failure_kind::usage) __builtin_trap();
    if (!what.starts_with(option)) __builtin_trap();
    if (what.find('\n') != std::string_view::npos) __builtin_trap();
  }
  return 0;
}
