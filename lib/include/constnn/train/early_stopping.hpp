// Early stopping on the validation loss, keeping the best weights seen.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <limits>
#include <span>

namespace constnn {

/// Fed the validation loss after each epoch: remembers the lowest (copying the parameters of
/// that epoch into the caller's buffer) and says when `patience` epochs in a row have not
/// improved on it. A NaN loss never counts as an improvement.
template <class T>
struct early_stopping {
  std::size_t patience = 5;
  double best = std::numeric_limits<double>::infinity();
  std::size_t best_epoch = 0;  ///< 1 for the first epoch recorded; 0 while none improved
  std::size_t epochs = 0;      ///< epochs recorded
  std::size_t since_best = 0;

  /// Records an epoch; returns true when training should stop. best_params needs
  /// params.size() scalars; copy it back into the network's parameters at the end.
  constexpr bool record(double validation_loss, std::span<const T> params,
                        std::span<T> best_params) noexcept {
    ++epochs;
    if (validation_loss < best) {
      best = validation_loss;
      best_epoch = epochs;
      since_best = 0;
      for (std::size_t k = 0; k < params.size() && k < best_params.size(); ++k)
        best_params[k] = params[k];
      return false;
    }
    return ++since_best >= patience;
  }
};

}  // namespace constnn
