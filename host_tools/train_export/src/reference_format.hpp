// The handout's text formats: labels files and the metrics file.
#pragma once

#include <span>
#include <string>

#include "host_tools.hpp"
#include "run_summary.hpp"

namespace train_export {

/// One label per line, each ending in "\n".
std::string labels_text(std::span<const label_type> labels);

/// For each epoch e: "epoch=e crossentropy(train): X" and "epoch=e crossentropy(validation): Y",
/// then "error(train): X" and "error(validation): Y"; numbers in shortest round-trip form.
std::string metrics_text(const run_summary& summary);

}  // namespace train_export
