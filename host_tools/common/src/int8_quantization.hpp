// Post-training int8 quantization of a trained network by the library (constnn::calibrate,
// constnn::quantize), and the int8 network's predictions on both data sets: what
// train_export's --quantize int8 and the experiments' "quantize": "int8" both measure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <constnn/core/quantization.hpp>

#include "error.hpp"
#include "error_rates.hpp"
#include "labeled_data.hpp"
#include "model_description.hpp"

namespace host_tools {

/// The int8 network of a run: its parameter bytes, every tensor's grid ([0] the input's), and
/// what it predicts on both sets.
struct int8_network {
  std::vector<std::int8_t> parameters;
  std::vector<constnn::quantization::affine> tensors;
  std::vector<label_type> train_predictions;
  std::vector<label_type> validation_predictions;
  error_rates errors;
  std::size_t inference_ram_bytes = 0;
  /// The float network's, for the figures side by side.
  std::size_t float_parameter_bytes = 0;
  std::size_t float_inference_ram_bytes = 0;
};

/// What quantize_int8 throws when the library refuses, so that each tool names its own option
/// or grid field, with its own kind of failure.
struct int8_refusals {
  tool_error sizes;        ///< the int8 network of the description cannot be made
  tool_error calibration;  ///< constnn::calibrate refused an example
};

/// Calibrates the network of `description` with weights `params` on `calibration`, quantizes
/// it, and predicts both sets with the int8 network, each input quantized on the input grid.
/// `params` are laid out as make_network<T>(description)'s (the fixed type's). Throws one of
/// `refusals`.
template <class T>
int8_network quantize_int8(const model_description& description, std::span<const T> params,
                           const labeled_data<T>& calibration, const labeled_data<T>& train,
                           const labeled_data<T>& validation, const int8_refusals& refusals);

/// The int8 network of a model quantized elsewhere (an imported QDQ model), whose grids are
/// given: `tensors` one per tensor of the description ([0] the input's, [l + 1] the output's of
/// its layer l), `weight_scales` one per output channel of each layer with weights, `params`
/// its integers dequantized in double (host_tools::onnx_import), so that the library's rounding
/// gives them back. Predicts both sets as quantize_int8 does; the int8_network's tensors are
/// the run-time network's (make_network's, its input layer and unused positions included).
/// Throws refusals.sizes when the library refuses the sizes or the grids.
template <class T>
int8_network int8_from_grids(const model_description& description, std::span<const double> params,
                             std::span<const constnn::quantization::affine> tensors,
                             std::span<const float> weight_scales, const labeled_data<T>& train,
                             const labeled_data<T>& validation, const int8_refusals& refusals);

extern template int8_network quantize_int8<float>(const model_description&, std::span<const float>,
                                                  const labeled_data<float>&,
                                                  const labeled_data<float>&,
                                                  const labeled_data<float>&,
                                                  const int8_refusals&);
extern template int8_network quantize_int8<double>(const model_description&,
                                                   std::span<const double>,
                                                   const labeled_data<double>&,
                                                   const labeled_data<double>&,
                                                   const labeled_data<double>&,
                                                   const int8_refusals&);

extern template int8_network int8_from_grids<float>(
    const model_description&, std::span<const double>,
    std::span<const constnn::quantization::affine>, std::span<const float>,
    const labeled_data<float>&, const labeled_data<float>&, const int8_refusals&);
extern template int8_network int8_from_grids<double>(
    const model_description&, std::span<const double>,
    std::span<const constnn::quantization::affine>, std::span<const float>,
    const labeled_data<double>&, const labeled_data<double>&, const int8_refusals&);

}  // namespace host_tools
