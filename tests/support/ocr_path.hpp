// Test and benchmark helper: where the OCR letter files are, and the shape of loaded data.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace constnn_test {

/// The OCR folder: $CONSTNN_OCR_DATA if set, else the path CMake was configured with.
inline std::filesystem::path ocr_data_dir() {
  if (const char* env = std::getenv("CONSTNN_OCR_DATA"); env != nullptr && *env != '\0')
    return env;
  return CONSTNN_TEST_DATA_DIR;
}

inline std::filesystem::path ocr_file(const std::string& name) { return ocr_data_dir() / name; }

/// Examples of one CSV file: label first, then the features.
template <class T>
struct labelled_data {
  std::vector<T> features;
  std::vector<int> labels;
  std::size_t width = 0;
  std::size_t count() const { return labels.size(); }
};

}  // namespace constnn_test
