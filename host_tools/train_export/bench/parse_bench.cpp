// Prints how long reading and parsing largeTrain.csv takes (issue: well under 50 ms).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "csv_reader.hpp"
#include "error.hpp"
#include "input_file.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

double milliseconds_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

template <class T>
void measure(const host_tools::input_file& file, int repeats, const char* scalar) {
  std::vector<double> times;
  std::size_t rows = 0;
  for (int r = 0; r < repeats; ++r) {
    const auto start = clock_type::now();
    const auto data = host_tools::parse_labeled_csv<T>(file.bytes, file.name, 10);
    times.push_back(milliseconds_since(start));
    rows = data.size();
  }
  std::sort(times.begin(), times.end());
  fmt::print("parse as {:6}: {} rows, best {:.2f} ms, median {:.2f} ms over {} runs\n", scalar,
             rows, times.front(), times[times.size() / 2], repeats);
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path path;
  if (argc > 1) {
    path = argv[1];
  } else {
    const char* dir = std::getenv("CONSTNN_OCR_DATA");
    path =
        std::filesystem::path(dir != nullptr ? dir : CONSTNN_DEFAULT_OCR_DATA) / "largeTrain.csv";
  }
  try {
    const auto start = clock_type::now();
    const host_tools::input_file file = host_tools::read_input_file(path);
    fmt::print("read {} ({} bytes): {:.2f} ms\n", file.name, file.bytes.size(),
               milliseconds_since(start));
    measure<float>(file, 20, "float");
    measure<double>(file, 20, "double");
  } catch (const host_tools::tool_error& e) {
    fmt::print(stderr, "train_export_parse_bench: {}\n", e.what());
    return 1;
  }
  return 0;
}
