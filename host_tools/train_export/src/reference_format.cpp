// The handout's text formats: labels files and the metrics file.
#include "reference_format.hpp"

#include <charconv>

#include <fmt/format.h>

#include "host_tools.hpp"

namespace train_export {

std::string labels_text(std::span<const label_type> labels) {
  std::string text;
  text.reserve(labels.size() * 2);
  char digits[16];
  for (label_type label : labels) {
    const auto end = std::to_chars(digits, digits + sizeof digits, label).ptr;
    text.append(digits, end);
    text += '\n';
  }
  return text;
}

std::string metrics_text(const run_summary& summary) {
  std::string text;
  for (const epoch_metrics& e : summary.epochs) {
    text +=
        fmt::format("epoch={} crossentropy(train): {}\n", e.epoch, shortest(e.train_cross_entropy));
    text += fmt::format("epoch={} crossentropy(validation): {}\n", e.epoch,
                        shortest(e.validation_cross_entropy));
  }
  // Without a training set (a model evaluated only) its lines are left out, not made up.
  if (summary.has_train_set())
    text += fmt::format("error(train): {}\n", shortest(summary.errors.train));
  else
    text += fmt::format("crossentropy(validation): {}\n",
                        shortest(summary.final_validation_cross_entropy));
  text += fmt::format("error(validation): {}\n", shortest(summary.errors.validation));
  return text;
}

}  // namespace train_export
