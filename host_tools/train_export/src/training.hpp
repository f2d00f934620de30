// Trains the network with constnn exactly as the reference job does and measures it each epoch.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "host_tools.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "run_summary.hpp"

namespace train_export {

/// What training leaves behind besides the figures: the weights and the final predictions.
template <class T>
struct trained_network {
  std::vector<T> parameters;  ///< constnn's layout: per dense layer, weights [in][out], then bias
  std::vector<label_type> train_predictions;
  std::vector<label_type> validation_predictions;
};

/// Initialises the network of `description` (checked by shapes_of), or starts from `start`
/// when it is not empty (a model file's weights, in constnn's layout), then runs opts.epochs
/// epochs (per-example SGD in file order by default, else the optimizer, batch, order and
/// schedule of opts); after each, the mean cross-entropy of both sets; after the last (or
/// the best, with early stopping), predictions and error rates.
/// Fills summary.parameter_count, epochs, errors, the final cross-entropies, stopped_early and
/// train_seconds. With opts.epochs 0 (a model file's weights) nothing is trained: both sets are
/// only evaluated.
/// Throws tool_error(data) as soon as an epoch leaves a parameter NaN or infinite: the run has
/// diverged, whichever outputs were asked for.
template <class T>
trained_network<T> train(const options& opts, const model_description& description,
                         std::span<const T> start, const labeled_data<T>& train_set,
                         const labeled_data<T>& validation_set,
                         progress_reporter& progress, run_summary& summary);

extern template trained_network<float> train<float>(const options&, const model_description&,
                                                    std::span<const float>,
                                                    const labeled_data<float>&,
                                                    const labeled_data<float>&, progress_reporter&,
                                                    run_summary&);
extern template trained_network<double> train<double>(const options&, const model_description&,
                                                      std::span<const double>,
                                                      const labeled_data<double>&,
                                                      const labeled_data<double>&,
                                                      progress_reporter&, run_summary&);

}  // namespace train_export
