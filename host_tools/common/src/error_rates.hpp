// A trained network's mistakes on its two data sets, as every tool reports them.
#pragma once

#include <cstddef>

namespace host_tools {

/// Predictions after the last epoch; error = errors / count.
struct error_rates {
  double train = 0;
  double validation = 0;
  std::size_t train_errors = 0;
  std::size_t validation_errors = 0;
};

}  // namespace host_tools
