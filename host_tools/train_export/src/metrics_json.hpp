// The --metrics-json document: every figure of a run plus what produced it, for scripts and plots.
#pragma once

#include <string>

#include "host_tools.hpp"
#include "options.hpp"
#include "run_summary.hpp"

namespace train_export {

/// A JSON object (pretty-printed, "\n"-terminated) with members tool, inputs, hyperparameters,
/// network, epochs, errors and timings. Everything except "timings" and each epoch's "seconds"
/// is the same for the same inputs and options.
std::string metrics_json(const options& opts, const model_description& description,
                         const run_summary& summary);

}  // namespace train_export
