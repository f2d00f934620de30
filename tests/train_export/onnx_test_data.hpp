// Test helper: the files tests/data/onnx/make_onnx_models.py and make_qdq_models.py wrote.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace onnx_test_data {

inline const std::string dir = CONSTNN_ONNX_TEST_DATA;

/// tests/data/onnx/NAME.onnx, NAME.inputs.csv (label, then the features in constnn's order)
/// and NAME.outputs.csv (PyTorch's ten outputs, then its class).
inline std::string model(const std::string& name) { return dir + "/" + name + ".onnx"; }
inline std::string inputs(const std::string& name) { return dir + "/" + name + ".inputs.csv"; }
inline std::string outputs(const std::string& name) { return dir + "/" + name + ".outputs.csv"; }

/// A CSV file of numbers, row by row.
inline std::vector<std::vector<double>> rows_of(const std::string& path) {
  std::vector<std::vector<double>> rows;
  std::ifstream f(path);
  for (std::string line; std::getline(f, line);) {
    std::vector<double> row;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) row.push_back(std::stod(cell));
    rows.push_back(row);
  }
  return rows;
}

}  // namespace onnx_test_data
