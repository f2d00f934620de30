// What the experiments tests share: scratch folders, small generated data sets, grid files,
// and running the tool itself.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "grid.hpp"

namespace experiments_test {

namespace fs = std::filesystem;

/// A fresh folder under the system temp folder, removed at the end of the test.
struct scratch {
  fs::path dir;
  scratch() {
    dir = fs::temp_directory_path() /
          ("constnn_experiments_test_" + std::to_string(::getpid()) + "_" +
           std::to_string(counter()++));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  scratch(const scratch&) = delete;
  scratch& operator=(const scratch&) = delete;
  ~scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    return dir / name;
  }
};

inline std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A small learnable problem: 3 classes, 6 features in [0, 1], some exactly 0 (as in OCR data).
inline std::string generated_csv(std::size_t rows, unsigned salt) {
  std::ostringstream out;
  unsigned state = 12345u + salt;
  const auto next = [&] {
    state = state * 1103515245u + 12345u;
    return static_cast<double>((state >> 8) & 0xffff) / 65535.0;
  };
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t label = r % 3;
    out << label;
    for (std::size_t f = 0; f < 6; ++f) {
      double v = next() * 0.5 + (f / 2 == label ? 0.5 : 0.0);
      if (v < 0.15) v = 0;
      out << ',' << v;
    }
    out << '\n';
  }
  return out.str();
}

/// 16x8 "images" in 10 classes: a bright column per class.
inline std::string generated_images_csv(std::size_t rows) {
  std::ostringstream out;
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t label = r % 10;
    out << label;
    for (std::size_t p = 0; p < 16 * 8; ++p)
      out << ',' << ((p % 8 == label % 8) ? 0.9 : 0.1 * static_cast<double>((p * 7 + r) % 3));
    out << '\n';
  }
  return out.str();
}

/// train.csv and validation.csv of generated_csv in s.dir, as the data set "gen".
inline experiments::dataset_spec generated_dataset(const scratch& s) {
  experiments::dataset_spec d;
  d.name = "gen";
  d.train = s.write("train.csv", generated_csv(90, 1));
  d.validation = s.write("validation.csv", generated_csv(30, 2));
  d.classes = 3;
  return d;
}

/// images-train.csv and images-validation.csv of generated_images_csv in s.dir, as "images".
inline experiments::dataset_spec generated_images(const scratch& s) {
  experiments::dataset_spec d;
  d.name = "images";
  d.train = s.write("images-train.csv", generated_images_csv(40));
  d.validation = s.write("images-validation.csv", generated_images_csv(20));
  d.classes = 10;
  return d;
}

/// A grid file's text: the data sets "gen" and "images" ({dir}/...), "unused" (whose
/// {nowhere} needs no --data), defaults of 3 epochs on gen, `networks` as given (a JSON object's
/// members, without braces) and `experiments` (a JSON list).
inline std::string grid_text(const std::string& experiments, const std::string& networks = "") {
  return R"({"datasets": {"gen": {"train": "{dir}/train.csv", "validation": "{dir}/validation.csv",
             "classes": 3},
             "images": {"train": "{dir}/images-train.csv",
                        "validation": "{dir}/images-validation.csv", "classes": 10},
             "unused": {"train": "{nowhere}/a.csv", "validation": "{nowhere}/b.csv"}},
             "networks": {)" + networks + R"(},
             "defaults": {"dataset": "gen", "hidden": 4, "epochs": 3, "lr": "0.1"},
             "experiments": )" + experiments + "}";
}

/// What the tool did: its exit status and what it printed on stderr.
struct tool_run {
  int status = -1;
  std::string errors;
};

/// Runs constnn_experiments with `arguments` (already quoted for the shell), --quiet.
inline tool_run run_tool(const scratch& s, const std::string& arguments) {
  const fs::path errors = s.dir / "stderr.txt";
  const std::string command = std::string(CONSTNN_EXPERIMENTS_BINARY) + " " + arguments +
                              " --quiet 2>'" + errors.string() + "'";
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(errors)};
}

/// p as one word of a shell command (the tests' paths hold no quote).
inline std::string shell_word(const fs::path& p) {
  // Appended rather than "'" + text: g++ 12 warns (-Wrestrict) about the latter, wrongly.
  std::string word(1, '\'');
  word += p.string();
  word += '\'';
  return word;
}

}  // namespace experiments_test
