// --quantize int8: the trained network calibrated and quantized by the library
// (constnn::calibrate, constnn::quantize), its predictions, and its header.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <constnn/core/quantization.hpp>

#include "host_tools.hpp"
#include "options.hpp"
#include "run_summary.hpp"

namespace train_export {

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

/// Calibrates the network of `description` with weights `params` on `calibration`, quantizes
/// it, and predicts both sets with the int8 network, each input quantized on the input grid.
template <class T>
int8_network quantize_int8(const model_description& description, std::span<const T> params,
                           const labeled_data<T>& calibration, const labeled_data<T>& train,
                           const labeled_data<T>& validation);

/// The --header file of an int8 network: the int8 network type, its parameter bytes, the
/// input grid (input_scale, input_zero_point), the first opts.embed_samples validation
/// examples quantized, their labels and what the int8 network predicted for them.
template <class T>
std::string int8_header_text(const options& opts, const model_description& description,
                             const run_summary& summary, const int8_network& q,
                             const labeled_data<T>& validation);

extern template int8_network quantize_int8<float>(const model_description&, std::span<const float>,
                                                  const labeled_data<float>&,
                                                  const labeled_data<float>&,
                                                  const labeled_data<float>&);
extern template int8_network quantize_int8<double>(const model_description&,
                                                   std::span<const double>,
                                                   const labeled_data<double>&,
                                                   const labeled_data<double>&,
                                                   const labeled_data<double>&);
extern template std::string int8_header_text<float>(const options&, const model_description&,
                                                    const run_summary&, const int8_network&,
                                                    const labeled_data<float>&);
extern template std::string int8_header_text<double>(const options&, const model_description&,
                                                     const run_summary&, const int8_network&,
                                                     const labeled_data<double>&);

}  // namespace train_export
