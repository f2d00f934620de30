// The model file (--model, --save-model): a network's description and, once trained, every
// weight exactly, as JSON, so a run can be resumed, fine-tuned or exported without training.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "host_tools.hpp"
#include "options.hpp"
#include "run_summary.hpp"

namespace train_export {

/// What `format` says in every model file, and the version this tool writes and reads.
inline constexpr std::string_view model_file_format = "constnn-model";
inline constexpr int model_file_version = 1;

/// A model file as read: its description is checked (shapes_of with `classes`), its weights,
/// when present, have the count and layout of that network and are finite.
struct model_file {
  std::string name;    ///< the path as given, for messages
  std::string sha256;  ///< of the file's bytes (the caller's to fill in)
  model_description description;
  std::size_t classes = 0;
  precision scalar = precision::single_precision;
  /// In constnn's layout (parameter_slices); each value as the file writes it, which for a
  /// file this tool wrote is exactly the trained value in `scalar`.
  std::optional<std::vector<double>> parameters;
};

/// Parses a model file. Throws tool_error(data) with one line naming the file and what is
/// wrong: FILE:LINE:COLUMN for text that is not JSON, FILE: "field": ... for the rest.
model_file parse_model_file(const input_file& file);

/// The model file of a trained network: description, precision, classes, the weights of
/// each layer with their dimensions (exact: JSON numbers that read back to the same double,
/// so to the same float), and where they came from (inputs, training, final figures).
template <class T>
std::string model_file_text(const options& opts, const model_description& description,
                            const run_summary& summary, std::span<const T> parameters);

extern template std::string model_file_text<float>(const options&, const model_description&,
                                                   const run_summary&, std::span<const float>);
extern template std::string model_file_text<double>(const options&, const model_description&,
                                                    const run_summary&, std::span<const double>);

}  // namespace train_export
