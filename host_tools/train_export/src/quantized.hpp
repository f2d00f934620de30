// --quantize int8: the header of the trained network calibrated and quantized by the library
// (host_tools/common's quantize_int8, which the experiments share).
#pragma once

#include <string>

#include "host_tools.hpp"
#include "int8_quantization.hpp"
#include "options.hpp"
#include "run_summary.hpp"

namespace train_export {

/// The --header file of an int8 network: the int8 network type, its parameter bytes, the
/// input grid (input_scale, input_zero_point), the first opts.embed_samples validation
/// examples quantized, their labels and what the int8 network predicted for them.
template <class T>
std::string int8_header_text(const options& opts, const model_description& description,
                             const run_summary& summary, const int8_network& q,
                             const labeled_data<T>& validation);

extern template std::string int8_header_text<float>(const options&, const model_description&,
                                                    const run_summary&, const int8_network&,
                                                    const labeled_data<float>&);
extern template std::string int8_header_text<double>(const options&, const model_description&,
                                                     const run_summary&, const int8_network&,
                                                     const labeled_data<double>&);

}  // namespace train_export
