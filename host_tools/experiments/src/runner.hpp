// One training run of the grid: the network of its model description (an MLP or a network the
// grid names) as constnn's layers chosen at run time, trained as the reference job trains
// (per-example SGD in file order) unless the run asks for an optimizer, mini-batches, shuffling
// or mirrored images, measured after every epoch, and on request quantized to int8 at the end.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "grid.hpp"
#include "labeled_data.hpp"
#include "model_description.hpp"

namespace experiments {

/// A data set's two files, parsed once and shared read-only by every run that uses it.
template <class T>
struct data_pair {
  host_tools::labeled_data<T> train;
  host_tools::labeled_data<T> validation;
};

struct loaded_dataset {
  dataset_spec spec;
  std::optional<data_pair<float>> single_precision;
  std::optional<data_pair<double>> double_precision;
};

/// Reads and parses what `runs` need of `spec` with train_export's CSV reader (throws
/// host_tools::tool_error as train_export would report it).
loaded_dataset load_dataset(const dataset_spec& spec, bool need_float, bool need_double);

/// The state of the network after one epoch.
struct epoch_record {
  std::size_t epoch = 0;  ///< 1-based
  double train_cross_entropy = 0;       ///< mean over the whole training set
  double validation_cross_entropy = 0;  ///< mean over the whole validation set
  double train_error = 0;
  double validation_error = 0;
  double seconds = 0;        ///< training plus both evaluations
  double train_seconds = 0;  ///< training alone
  /// With track_symmetry: the largest Euclidean distance between two rows of alpha (each
  /// first-layer unit's incoming weights and bias), and between two columns of beta (each
  /// first-layer unit's outgoing weights, bias column excluded). Exactly 0 means every
  /// hidden unit is the same function. Absent (negative) otherwise.
  double alpha_rows_max_distance = -1;
  double beta_columns_max_distance = -1;
};

/// With quantize_int8: the trained network quantized to int8 by the library (calibrated on the
/// training set) and measured on both sets, with the float network's sizes beside its own.
struct int8_result {
  std::size_t train_errors = 0;
  std::size_t validation_errors = 0;
  double train_error = 0;
  double validation_error = 0;
  std::size_t parameter_bytes = 0;
  std::size_t inference_ram_bytes = 0;
  std::size_t float_parameter_bytes = 0;
  std::size_t float_inference_ram_bytes = 0;
  double input_scale = 0;  ///< the input grid: x becomes round(x / scale) + zero point
  std::int32_t input_zero_point = 0;
  double seconds = 0;  ///< calibrating, quantizing and predicting both sets
};

struct run_result {
  run_spec spec;
  host_tools::model_description model;  ///< the network trained (description_of(spec, ...))
  /// The input size, then each layer with parameters' output size: features, hidden...,
  /// classes for an MLP.
  std::vector<std::size_t> widths;
  std::size_t parameter_count = 0;
  std::size_t train_examples = 0;
  std::size_t validation_examples = 0;
  std::size_t trained_examples = 0;  ///< per epoch: train_examples, twice that with augment_hflip
  std::vector<epoch_record> epochs;
  /// After the last epoch (the same figures as its epoch_record, as counts too).
  std::size_t train_errors = 0;
  std::size_t validation_errors = 0;
  double train_error = 0;
  double validation_error = 0;
  double wall_seconds = 0;  ///< initialisation, all epochs and all evaluations
  /// With keep_first_layer: alpha as rows, each [bias, weight of input 1, ..., input M].
  std::vector<std::vector<double>> first_layer_rows;
  std::optional<int8_result> int8;
};

/// Rows, columns and channels of an image input.
using image_shape = std::array<std::size_t, 3>;

/// Each example of `data` (an image, rows x columns x channels, channels last) followed by its
/// mirror image, left and right swapped, with the same label (augment_hflip).
template <class T>
host_tools::labeled_data<T> with_mirror_images(const host_tools::labeled_data<T>& data,
                                                 const image_shape& image) {
  const auto [rows, columns, channels] = image;
  const std::size_t n = data.width;
  host_tools::labeled_data<T> out;
  out.width = n;
  out.features.resize(2 * data.features.size());
  out.labels.reserve(2 * data.size());
  for (std::size_t e = 0; e < data.size(); ++e) {
    const T* x = data.features.data() + e * n;
    T* original = out.features.data() + 2 * e * n;
    T* mirror = original + n;
    std::copy(x, x + n, original);
    for (std::size_t y = 0; y < rows; ++y)
      for (std::size_t c = 0; c < columns; ++c)
        for (std::size_t k = 0; k < channels; ++k)
          mirror[(y * columns + c) * channels + k] =
              x[(y * columns + (columns - 1 - c)) * channels + k];
    out.labels.push_back(data.labels[e]);
    out.labels.push_back(data.labels[e]);
  }
  return out;
}

/// Trains and measures one run on one thread. The data set must hold the run's precision.
/// Throws tool_error(data) naming the run when its network does not fit the data.
run_result run_one(const run_spec& spec, const loaded_dataset& data);

/// Multiply-adds one run costs, roughly (from multiply_adds of its network); used to start the
/// longest runs first. The network must fit (check_features).
double estimated_cost(const run_spec& spec, std::size_t features, std::size_t classes,
                      std::size_t train_examples, std::size_t validation_examples);

}  // namespace experiments
