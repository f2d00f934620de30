// The experiment grid: which data sets, which runs, and which experiment each run belongs to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace experiments {

/// A training/validation pair of CSV files in train_export's format.
struct dataset_spec {
  std::string name;
  std::string description;
  std::filesystem::path train;
  std::filesystem::path validation;  ///< plays the validation role (Fashion-MNIST: the test set)
  std::size_t classes = 10;
};

enum class activation_kind { sigmoid, relu, tanh };
enum class init_kind { random, zero, he };
enum class scalar_kind { single_precision, double_precision };

/// Everything that determines one training run. Two specs with the same key() are one run.
struct run_spec {
  std::string dataset;
  /// A named convolutional network (see known_networks()); empty: the MLP of `hidden` and
  /// `activation`.
  std::string network;
  std::vector<std::size_t> hidden{50};  ///< widths of the hidden layers, input side first
  activation_kind activation = activation_kind::sigmoid;
  init_kind init = init_kind::random;
  std::string learning_rate = "0.01";  ///< as written, so float runs round it once
  /// Epoch e (1-based) uses learning_rate / (1 + lr_decay * (e - 1)); 0 keeps it fixed, as
  /// the reference job does.
  double lr_decay = 0;
  std::size_t epochs = 100;
  std::uint64_t seed = 0;
  scalar_kind scalar = scalar_kind::single_precision;

  /// Also record, each epoch, how far apart the first hidden layer's units are (see runner).
  bool track_symmetry = false;
  /// Also keep the first dense layer's final weights in the results (for a picture).
  bool keep_first_layer = false;

  /// The experiments (grid entries) that asked for this run.
  std::vector<std::string> experiments;

  /// A readable unique name, e.g. "ocr-large_h50_sigmoid_random_lr0.01_e100_s0_float"
  /// ("_lr0.01d0.1" with a decay).
  std::string key() const;
};

/// One named experiment of the grid, as written in the grid file.
struct experiment_spec {
  std::string name;
  std::string title;
  std::vector<std::string> run_keys;  ///< its runs, in grid order
};

struct grid {
  std::map<std::string, dataset_spec> datasets;
  std::vector<experiment_spec> experiments;
  std::vector<run_spec> runs;  ///< unique runs, in first-mention order
};

/// The convolutional networks a grid may name, with the layers of each as text.
const std::map<std::string, std::string>& known_networks();

std::string to_string(activation_kind a);
std::string to_string(init_kind i);
std::string to_string(scalar_kind s);

/// Reads a grid file (JSON, see grid.json beside the tool). `{name}` in a data set path is
/// replaced by variables[name]. Only experiments named in `only` are kept (all when empty).
/// Throws train_export::tool_error naming the file and the problem.
grid load_grid(const std::filesystem::path& file, const std::map<std::string, std::string>& variables,
               const std::vector<std::string>& only);

}  // namespace experiments
