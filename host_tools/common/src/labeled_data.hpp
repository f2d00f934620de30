// The in-memory form of a CSV data set: one label and a fixed number of features per example.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace host_tools {

/// Class labels as read from the file; wide enough for any --classes the tool accepts.
using label_type = std::uint32_t;

/// A place in a text file, both 1-based; columns count bytes, not counting a UTF-8 BOM.
struct source_position {
  std::size_t line = 0;
  std::size_t column = 0;
};

/// Examples in file order; the layout constnn::dataset_view expects.
template <class T>
struct labeled_data {
  std::vector<T> features;  ///< row-major: feature c of example r is features[r * width + c]
  std::vector<label_type> labels;
  std::size_t width = 0;  ///< features per example

  /// Features outside [0, 1] are legal but unusual, so the tool warns once per file.
  std::size_t features_outside_unit_range = 0;
  source_position first_outside_unit_range{};

  std::size_t size() const noexcept { return labels.size(); }
};

}  // namespace host_tools
