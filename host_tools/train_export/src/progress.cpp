// Per-epoch progress on stderr: a live line on a terminal, plain lines in logs, or nothing.
#include "progress.hpp"

#include <string>

#include <fmt/format.h>
#include <unistd.h>

#include "host_tools.hpp"

namespace train_export {
namespace {

std::string duration(double seconds) {
  if (seconds < 60) return fmt::format("{:.1f} s", seconds);
  const auto whole = static_cast<long long>(seconds + 0.5);
  return fmt::format("{}:{:02}", whole / 60, whole % 60);
}

}  // namespace

progress_mode choose_progress_mode(bool quiet, std::FILE* stream) {
  if (quiet) return progress_mode::quiet;
  return ::isatty(::fileno(stream)) != 0 ? progress_mode::live : progress_mode::plain;
}

void progress_reporter::epoch_done(const epoch_metrics& epoch, double elapsed) {
  if (mode_ == progress_mode::quiet) return;
  const double rate = epoch.seconds > 0 ? static_cast<double>(train_examples_) / epoch.seconds : 0;
  const double left =
      elapsed / static_cast<double>(epoch.epoch) * static_cast<double>(epochs_ - epoch.epoch);
  const std::string line = fmt::format(
      "epoch {}/{}  cross-entropy train {:.6f} validation {:.6f}  {:.0f} examples/s  {} left",
      epoch.epoch, epochs_, epoch.train_cross_entropy, epoch.validation_cross_entropy, rate,
      duration(left));
  // "\r" returns to the line start and ESC[K clears what a longer previous line left behind.
  if (mode_ == progress_mode::live) {
    set_progress_line_open(true);  // before, so a signal during the print still ends the line
    fmt::print(stream_, "\r{}\x1b[K", line);
  } else {
    fmt::print(stream_, "{}\n", line);
  }
  std::fflush(stream_);
}

void progress_reporter::finished(const error_rates& errors, double elapsed) {
  if (mode_ == progress_mode::quiet) return;
  if (mode_ == progress_mode::live && progress_line_open()) {
    fmt::print(stream_, "\n");
    set_progress_line_open(false);
  }
  if (train_examples_ == 0)  // a model evaluated only, without a training set
    fmt::print(stream_, "done in {}: validation error {:.4g} ({} wrong)\n", duration(elapsed),
               errors.validation, errors.validation_errors);
  else
    fmt::print(
        stream_,
        "done in {}: train error {:.4g} ({} of {} wrong), validation error {:.4g} ({} wrong)\n",
        duration(elapsed), errors.train, errors.train_errors, train_examples_, errors.validation,
        errors.validation_errors);
  std::fflush(stream_);
}

}  // namespace train_export
