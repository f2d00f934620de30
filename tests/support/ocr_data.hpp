// Test helper: where the OCR letter files are, and a plain CSV loader for them.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ocr_path.hpp"

namespace constnn_test {

/// Boost.Test precondition: the test is skipped, with the reason printed, when a file is absent.
struct ocr_file_present {
  std::string name;
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    const auto path = ocr_file(name);
    boost::test_tools::assertion_result r(std::filesystem::exists(path));
    if (!r)
      r.message() << "SKIPPED: " << path.string()
                  << " not found (set CONSTNN_OCR_DATA to the folder with the OCR CSV files)";
    return r;
  }
};

/// A deliberately simple reader (the real, validating one is train_export's).
template <class T>
labelled_data<T> load_csv(const std::filesystem::path& path) {
  labelled_data<T> d;
  std::ifstream in(path);
  BOOST_TEST_REQUIRE(in.good(), "cannot open " << path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line == "\r") continue;
    std::stringstream row(line);
    std::string field;
    std::getline(row, field, ',');
    d.labels.push_back(std::stoi(field));
    std::size_t n = 0;
    while (std::getline(row, field, ',')) {
      d.features.push_back(static_cast<T>(std::stod(field)));
      ++n;
    }
    if (d.width == 0) d.width = n;
    BOOST_TEST_REQUIRE(n == d.width, "ragged row in " << path);
  }
  return d;
}

}  // namespace constnn_test
