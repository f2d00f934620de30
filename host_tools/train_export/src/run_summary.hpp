// The figures a training run produces, in the form every output writer consumes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "error_rates.hpp"

namespace train_export {

struct input_summary {
  std::string name;    ///< the path as given
  std::string sha256;  ///< of the file's bytes
  std::size_t examples = 0;
  std::size_t features = 0;
};

/// Mean cross-entropies over the whole sets with the weights as they are after `epoch`.
struct epoch_metrics {
  std::size_t epoch = 0;  ///< 1-based
  double train_cross_entropy = 0;
  double validation_cross_entropy = 0;
  double seconds = 0;  ///< training and evaluation time of this epoch
};

using host_tools::error_rates;

/// --quantize int8: the calibration set, the float network's error rates beside the int8
/// network's (which are run_summary::errors, what the device does), and both sizes.
struct quantization_summary {
  input_summary calibration;    ///< unused when imported_grids
  bool imported_grids = false;  ///< the grids came with the model (QDQ), none were calibrated
  error_rates float_errors;
  std::size_t float_parameter_bytes = 0;
  std::size_t float_inference_ram_bytes = 0;
  std::size_t int8_parameter_bytes = 0;
  std::size_t int8_inference_ram_bytes = 0;
  float input_scale = 1;
  std::int32_t input_zero_point = 0;
};

struct run_summary {
  input_summary train;  ///< unused when no_train_set
  input_summary validation;
  /// --model: the file (examples and features unused), and whether its weights were the start.
  std::optional<input_summary> model;
  bool model_is_onnx = false;  ///< the model came from --from-onnx, not --model
  bool started_from_model = false;
  std::size_t parameter_count = 0;
  std::vector<epoch_metrics> epochs;
  error_rates errors;
  /// With the final weights: the last (or best) epoch's figures, or with --epochs 0 the model
  /// file's weights as they were read.
  double final_train_cross_entropy = 0;
  double final_validation_cross_entropy = 0;
  std::optional<quantization_summary> quantized;
  bool stopped_early = false;  ///< early stopping ended the run; epochs ends at the best one
  std::size_t epochs_run = 0;  ///< epochs trained, the best one's successors included
  double read_seconds = 0;   ///< reading, hashing and parsing both inputs
  double train_seconds = 0;  ///< all epochs, including the per-epoch evaluations

  /// The run had no --train: a model's weights were evaluated only.
  bool no_train_set = false;
  bool has_train_set() const noexcept { return !no_train_set; }
};

}  // namespace train_export
