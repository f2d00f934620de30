// Per-epoch progress on stderr: a live line on a terminal, plain lines in logs, or nothing.
#pragma once

#include <cstddef>
#include <cstdio>

#include "run_summary.hpp"

namespace train_export {

enum class progress_mode {
  quiet,  ///< --quiet: print nothing
  plain,  ///< one line per epoch, for logs and pipes
  live,   ///< one line rewritten in place, for a terminal
};

/// quiet if asked, live if `stream` is a terminal, plain otherwise.
progress_mode choose_progress_mode(bool quiet, std::FILE* stream);

class progress_reporter {
 public:
  progress_reporter(progress_mode mode, std::FILE* stream, std::size_t epochs,
                    std::size_t train_examples)
      : mode_(mode), stream_(stream), epochs_(epochs), train_examples_(train_examples) {}

  /// Reports one finished epoch; `elapsed` is the time since training began.
  void epoch_done(const epoch_metrics& epoch, double elapsed);

  /// Ends the live line and prints the final error rates.
  void finished(const error_rates& errors, double elapsed);

 private:
  progress_mode mode_;
  std::FILE* stream_;
  std::size_t epochs_;
  std::size_t train_examples_;
};

}  // namespace train_export
