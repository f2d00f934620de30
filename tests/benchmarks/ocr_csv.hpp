// Benchmark helper: where the OCR files are, and a small fast CSV reader for them.
#pragma once

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "../support/ocr_path.hpp"

namespace constnn_bench {

using constnn_test::labelled_data;
using constnn_test::ocr_data_dir;

/// Reads `label,f1,...,fM` rows; returns nothing (after a message) if the file is missing or
/// malformed. Not a validating reader: that is train_export's job.
template <class T>
std::optional<labelled_data<T>> load_csv(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  labelled_data<T> d;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    while (p < end && (*p == '\n' || *p == '\r')) ++p;
    if (p >= end) break;
    std::size_t fields = 0;
    bool first = true;
    while (true) {
      double v = 0;
      const auto [next, ec] = std::from_chars(p, end, v);
      if (ec != std::errc()) {
        std::fprintf(stderr, "%s: cannot parse a number\n", path.c_str());
        return std::nullopt;
      }
      p = next;
      if (first) {
        d.labels.push_back(static_cast<int>(v));
        first = false;
      } else {
        d.features.push_back(static_cast<T>(v));
        ++fields;
      }
      if (p < end && *p == ',') {
        ++p;
        continue;
      }
      break;
    }
    if (d.width == 0) d.width = fields;
    if (fields != d.width) {
      std::fprintf(stderr, "%s: ragged row\n", path.c_str());
      return std::nullopt;
    }
  }
  return d;
}

}  // namespace constnn_bench
