// Writes the trained network as a self-contained C++ header that firmware compiles in.
#pragma once

#include <span>
#include <string>

#include "host_tools.hpp"
#include "options.hpp"
#include "run_summary.hpp"

namespace train_export {

/// A path's file name as a header comment may hold it: escaped, so that no newline in a
/// user's file name can end the comment and put code into the firmware.
std::string file_name_of(const std::string& path);

/// The header comment's line on the training set, its label padded to `width` columns:
/// "// train: FILE (N examples x F features), sha256 H", or that there was none.
std::string train_comment(const run_summary& summary, std::size_t width);

/// The header comment's line on the model a run started from (--model or --from-onnx), or
/// nothing.
std::string model_comment(const run_summary& summary);

/// The end of every header's samples: sample_labels and sample_predictions (the first
/// `samples` of each), and the static_assert tying sample_features to the network's input.
std::string samples_tail(std::size_t classes, std::size_t samples, std::size_t features,
                         std::span<const label_type> labels,
                         std::span<const label_type> predictions);

/// The text of the --header file. In namespace opts.header_namespace it defines:
///   scalar, network (the fixed-size constnn::sequential), parameters (constexpr std::array in
///   constnn's layout, hex-float literals so every bit survives), learning_rate, sample_count,
///   sample_features, sample_labels and sample_predictions (the first opts.embed_samples
///   validation examples, their true labels and the labels this run predicted for them),
/// with static_asserts that fail to compile if the network type and the data disagree.
/// The first line says the file is generated; a comment records the tool version, the inputs'
/// SHA-256, every hyperparameter and the final metrics. No timestamp or absolute path: the
/// same inputs and options give the same bytes.
/// Throws tool_error(data) if a parameter is not finite (training diverged).
template <class T>
std::string header_text(const options& opts, const model_description& description,
                        const run_summary& summary, std::span<const T> parameters,
                        const labeled_data<T>& validation,
                        std::span<const label_type> validation_predictions);

extern template std::string header_text<float>(const options&, const model_description&,
                                               const run_summary&, std::span<const float>,
                                               const labeled_data<float>&,
                                               std::span<const label_type>);
extern template std::string header_text<double>(const options&, const model_description&,
                                                const run_summary&, std::span<const double>,
                                                const labeled_data<double>&,
                                                std::span<const label_type>);

}  // namespace train_export
