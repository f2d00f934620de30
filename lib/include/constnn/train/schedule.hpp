// Learning-rate schedules: the rate of each epoch from the base rate, as torch.optim's
// schedulers define them, computed in double with our own arithmetic so that every platform
// trains with the same rates.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>

namespace constnn {

namespace detail {

// cos(pi f) for f in [0, 1]: the Taylor series in (pi f)^2 to the term x^32 / 32!, whose
// first dropped term is below 2^-60 on [0, pi].
constexpr double cos_pi_fraction(double f) noexcept {
  constexpr double pi = 3.14159265358979323846;
  const double x = pi * f, x2 = x * x;
  double sum = 1, term = 1;
  for (int k = 1; k <= 16; ++k) {
    term = -term * x2 / static_cast<double>((2 * k - 1) * (2 * k));
    sum += term;
  }
  return sum;
}

}  // namespace detail

/// The rate of epoch e (0 for the first) of a run:
/// - constant: base;
/// - step (StepLR): base * factor^floor(e / every), the power by repeated multiplication;
/// - inverse: base / (1 + decay * e), the inverse-time decay of the experiments;
/// - cosine (CosineAnnealingLR, eta_min 0): base * (1 + cos(pi e / epochs)) / 2.
struct lr_schedule {
  enum class kind { constant, step, inverse, cosine };
  kind how = kind::constant;
  std::size_t every = 1;  ///< step: epochs between two reductions
  double factor = 1;      ///< step: what each reduction multiplies by
  double decay = 0;       ///< inverse
  std::size_t epochs = 1; ///< cosine: the length of the run

  static constexpr lr_schedule constant() noexcept { return {}; }
  static constexpr lr_schedule step(std::size_t every, double factor) noexcept {
    return {.how = kind::step, .every = every, .factor = factor};
  }
  static constexpr lr_schedule inverse(double decay) noexcept {
    return {.how = kind::inverse, .decay = decay};
  }
  static constexpr lr_schedule cosine(std::size_t epochs) noexcept {
    return {.how = kind::cosine, .epochs = epochs};
  }

  template <class T>
  constexpr T rate(T base, std::size_t e) const noexcept {
    const double b = static_cast<double>(base);
    switch (how) {
      case kind::step: {
        double r = b;
        for (std::size_t k = 0; k < e / (every == 0 ? 1 : every); ++k) r *= factor;
        return static_cast<T>(r);
      }
      case kind::inverse: return static_cast<T>(b / (1.0 + decay * static_cast<double>(e)));
      case kind::cosine: {
        const double f = e >= epochs ? 1.0 : static_cast<double>(e) / static_cast<double>(epochs);
        return static_cast<T>(b * (1.0 + detail::cos_pi_fraction(f)) / 2.0);
      }
      default: return base;
    }
  }
};

}  // namespace constnn
