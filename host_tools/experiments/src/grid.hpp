// The experiment grid: which data sets and networks, which runs, and which experiment each run
// belongs to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model_description.hpp"

namespace experiments {

/// A training/validation pair of CSV files in train_export's format.
struct dataset_spec {
  std::string name;
  std::string description;
  std::filesystem::path train;
  std::filesystem::path validation;  ///< plays the validation role (Fashion-MNIST: the test set)
  std::size_t classes = 10;
  friend bool operator==(const dataset_spec&, const dataset_spec&) = default;
};

/// A network the grid file names in its "networks": an input shape and layers, as
/// train_export's --input-shape and --layers take them.
struct network_spec {
  std::string name;
  std::string description;
  host_tools::model_description model;
};

enum class activation_kind { sigmoid, relu, tanh };
enum class init_kind { random, zero, he };
enum class scalar_kind { single_precision, double_precision };
/// torch.optim's SGD (plain, with momentum, with Nesterov momentum), Adam and AdamW, as
/// constnn's train/optimizer.hpp implements them.
enum class optimizer_kind { sgd, momentum, nesterov, adam, adamw };
/// How the learning rate changes from epoch to epoch (constnn::lr_schedule); inverse with no
/// decay is a fixed rate.
enum class schedule_kind { inverse, step, cosine };

/// An optimizer's settings with the defaults filled in: momentum 0.9; Adam's betas (0.9,
/// 0.999) and eps 1e-8; weight decay 0, or 0.01 for AdamW (torch.optim's defaults).
struct optimizer_settings {
  optimizer_kind kind = optimizer_kind::sgd;
  double momentum = 0.9;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
};

/// Everything that determines one training run. Two specs with the same key() are one run.
struct run_spec {
  std::string dataset;
  /// The name of one of the grid's "networks"; empty: the MLP of `hidden` and `activation`
  /// (see run_network.hpp).
  std::string network;
  /// The named network's input shape and layers; unused for the MLP.
  host_tools::model_description network_model;
  std::vector<std::size_t> hidden{50};  ///< widths of the hidden layers, input side first
  activation_kind activation = activation_kind::sigmoid;
  init_kind init = init_kind::random;
  std::string learning_rate = "0.01";  ///< as written, so float runs round it once
  /// The rate of epoch e (1-based), with lr = learning_rate: inverse: lr / (1 + lr_decay *
  /// (e - 1)), with lr_decay 0 (the default) the fixed rate of the reference job; step: lr *
  /// lr_step_factor^floor((e - 1) / lr_step_every); cosine: lr * (1 + cos(pi (e - 1) /
  /// epochs)) / 2.
  schedule_kind lr_schedule = schedule_kind::inverse;
  double lr_decay = 0;  ///< inverse only
  std::size_t lr_step_every = 1;
  double lr_step_factor = 1;
  /// The optimizer; sgd with batch 1, no weight decay and no shuffling is the fused
  /// per-example SGD of train_export. Unset settings take optimizer_settings' defaults.
  optimizer_kind optimizer = optimizer_kind::sgd;
  std::optional<double> momentum, beta1, beta2, eps, weight_decay;
  std::size_t batch = 1;  ///< examples whose gradients are averaged for one update
  bool shuffle = false;   ///< epoch e trains in constnn::shuffled_order(seed, e), not file order
  /// Training data gains each image mirrored left to right, right after the original
  /// (networks whose input is an image only).
  bool augment_hflip = false;
  std::size_t epochs = 100;
  std::uint64_t seed = 0;
  scalar_kind scalar = scalar_kind::single_precision;

  /// Also record, each epoch, how far apart the first hidden layer's units are (see runner).
  bool track_symmetry = false;
  /// Also keep the first dense layer's final weights in the results (for a picture).
  bool keep_first_layer = false;
  /// After training, also quantize the network to int8 (calibrated on the training set) and
  /// measure the int8 network (see runner). Not in the key: the float run is the same.
  bool quantize_int8 = false;

  /// The experiments (grid entries) that asked for this run.
  std::vector<std::string> experiments;

  /// The optimizer with its defaults filled in.
  optimizer_settings optimizer_of() const;

  /// A readable unique name, e.g. "ocr-large_h50_sigmoid_random_lr0.01_e100_s0_float"
  /// ("_lr0.01d0.1" with inverse decay, "_lr0.01cos", "_lr0.01step5x0.5"); settings other
  /// than the defaults add "_adam", "_momentum0.9", "_wd0.0001", "_b32", "_shuffled",
  /// "_hflip" after the precision, so the runs of older grids keep their names.
  std::string key() const;
};

/// One named experiment of the grid, as written in the grid file.
struct experiment_spec {
  std::string name;
  std::string title;
  std::vector<std::string> run_keys;  ///< its runs, in grid order
  friend bool operator==(const experiment_spec&, const experiment_spec&) = default;
};

struct grid {
  std::map<std::string, dataset_spec> datasets;  ///< those some run uses
  std::map<std::string, network_spec> networks;  ///< every one the file names
  std::vector<experiment_spec> experiments;
  std::vector<run_spec> runs;  ///< unique runs, in first-mention order
};

std::string to_string(activation_kind a);
std::string to_string(init_kind i);
std::string to_string(scalar_kind s);
std::string to_string(optimizer_kind o);
/// The schedule as the grid file writes it: "constant", "step:E:F", "inverse:D", "cosine".
std::string schedule_text(const run_spec& run);

/// The inverses of to_string (the grid file's spellings, which results.json repeats); nullopt
/// for any other text.
std::optional<activation_kind> parse_activation(std::string_view text);
std::optional<init_kind> parse_init(std::string_view text);
std::optional<scalar_kind> parse_precision(std::string_view text);
std::optional<optimizer_kind> parse_optimizer(std::string_view text);
/// Sets run's schedule from schedule_text's spelling (which the grid file's "lr_schedule"
/// takes); false, leaving run as it was, for any other text.
bool set_schedule(run_spec& run, std::string_view text);

/// Reads a grid file (JSON, see grid.json beside the tool). `{name}` in a data set path is
/// replaced by variables[name]. Only experiments named in `only` are kept (all when empty).
/// Every network is checked against its own layers, and against the classes of each data set
/// a run trains it on (its input size against the features can only be checked once the data
/// is read: check_features in run_network.hpp). Throws host_tools::tool_error naming the file
/// and the problem.
grid load_grid(const std::filesystem::path& file, const std::map<std::string, std::string>& variables,
               const std::vector<std::string>& only);

}  // namespace experiments
