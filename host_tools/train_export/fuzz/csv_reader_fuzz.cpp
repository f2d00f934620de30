// libFuzzer target: the CSV reader on arbitrary bytes must either return data that keeps the
// reader's promises or throw tool_error(data) with a one-line FILE:LINE:COLUMN message.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "csv_reader.hpp"
#include "error.hpp"

namespace {

template <class T>
void check(std::string_view text, std::size_t classes) {
  const std::string name = "fuzz.csv";
  try {
    const auto data = host_tools::parse_labeled_csv<T>(text, name, classes);
    if (data.size() == 0 || data.width == 0) __builtin_trap();
    if (data.features.size() != data.size() * data.width) __builtin_trap();
    for (const auto label : data.labels) {
      if (label >= classes) __builtin_trap();
    }
    for (const T value : data.features) {
      if (!std::isfinite(value)) __builtin_trap();
    }
    // Reserving rows x width of line 1 once made small inputs ask for gigabytes.
    if (data.features.capacity() > text.size() + data.width) __builtin_trap();
  } catch (const host_tools::tool_error& e) {
    const std::string_view what = e.what();
    if (e.kind() != host_tools::failure_kind::data) __builtin_trap();
    if (!what.starts_with(name + ":")) __builtin_trap();
    if (what.find('\n') != std::string_view::npos) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The first byte picks the class count, so labels near the limit are reached too.
  if (size == 0) return 0;
  const std::size_t classes = 2 + data[0] % 16;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  check<float>(text, classes);
  check<double>(text, classes);
  return 0;
}
