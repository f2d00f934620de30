// Optimizers with state: SGD (plain, with momentum or Nesterov momentum, and L2 weight decay),
// Adam and AdamW, as PyTorch 1.13 formulates them, and the update target that runs one inside
// backward.
//
// An optimizer type states how many values it keeps per parameter (`state_per_parameter`:
// SGD 0, momentum 1, Adam 2), so the RAM a network needs to train with it is a compile-time
// fact (optimizer_state_count, training_ram_bytes_with). Its state lives in the caller's span, one
// array of parameters_size() values per kept value, zero before the first step. `begin_step()`
// advances its clock once per update (Adam's step count and bias corrections, with beta^t
// formed by repeated multiplication, so no libm pow decides the bits), and `apply` updates one
// parameter from its gradient. Every parameter's update depends only on that parameter, its
// gradient and its own state, so a layer may hand gradients over in any order, as soon as it
// has them: the same door as the fused SGD of train/update.hpp.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>

#include "../core/math.hpp"

namespace constnn {

/// torch.optim.SGD without momentum: p -= lr * (g + weight_decay * p). Keeps nothing; with
/// no weight decay it is the fused SGD of train_step(..., lr, ...), bit for bit.
template <class T>
struct sgd_optimizer {
  T learning_rate = T(0.01);
  T weight_decay = T(0);
  std::size_t step = 0;  ///< updates begun so far

  static constexpr std::size_t state_per_parameter = 0;
  constexpr void begin_step() noexcept { ++step; }

  constexpr void apply(T& p, T g, T*, std::size_t) const noexcept {
    if (weight_decay != T(0)) g = g + weight_decay * p;
    p -= learning_rate * g;
  }
};

/// torch.optim.SGD with momentum (dampening 0): g += weight_decay * p; v = momentum * v + g
/// (v = g on the first step); then p -= lr * v, or with Nesterov p -= lr * (g + momentum * v).
template <class T>
struct momentum_optimizer {
  T learning_rate = T(0.01);
  T momentum = T(0.9);
  T weight_decay = T(0);
  bool nesterov = false;
  std::size_t step = 0;

  static constexpr std::size_t state_per_parameter = 1;  // the velocity
  constexpr void begin_step() noexcept { ++step; }

  /// state[0]: this parameter's velocity.
  constexpr void apply(T& p, T g, T* state, std::size_t) const noexcept {
    if (weight_decay != T(0)) g = g + weight_decay * p;
    T& v = state[0];
    v = step == 1 ? g : momentum * v + g;
    p -= learning_rate * (nesterov ? g + momentum * v : v);
  }
};

/// torch.optim.Adam and AdamW (decoupled = true: p *= 1 - lr * weight_decay first, instead of
/// g += weight_decay * p): m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, then
/// p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
template <class T>
struct adam_optimizer {
  T learning_rate = T(0.001);
  T beta1 = T(0.9);
  T beta2 = T(0.999);
  T eps = T(1e-8);
  T weight_decay = T(0);
  bool decoupled = false;
  std::size_t step = 0;
  // The clock's scalars, set by begin_step.
  T beta1_t = T(1), beta2_t = T(1);
  T step_size = T(0), correction2_sqrt = T(1);

  static constexpr std::size_t state_per_parameter = 2;  // the two moving averages

  constexpr void begin_step() noexcept {
    ++step;
    beta1_t = beta1_t * beta1;
    beta2_t = beta2_t * beta2;
    step_size = learning_rate / (T(1) - beta1_t);
    correction2_sqrt = math::sqrt(T(1) - beta2_t);
  }

  /// state[0] and state[stride]: this parameter's averages of g and g^2.
  constexpr void apply(T& p, T g, T* state, std::size_t stride) const noexcept {
    if (weight_decay != T(0)) {
      if (decoupled) {
        p = p * (T(1) - learning_rate * weight_decay);
      } else {
        g = g + weight_decay * p;
      }
    }
    T& m = state[0];
    T& v = state[stride];
    m = m * beta1 + g * (T(1) - beta1);
    v = v * beta2 + g * g * (T(1) - beta2);
    const T denom = math::sqrt(v) / correction2_sqrt + eps;
    p = p - step_size * (m / denom);
  }
};

template <class T>
constexpr sgd_optimizer<T> sgd(T learning_rate, T weight_decay = T(0)) noexcept {
  return {.learning_rate = learning_rate, .weight_decay = weight_decay};
}
template <class T>
constexpr momentum_optimizer<T> momentum(T learning_rate, T mu, T weight_decay = T(0)) noexcept {
  return {.learning_rate = learning_rate, .momentum = mu, .weight_decay = weight_decay};
}
template <class T>
constexpr momentum_optimizer<T> nesterov(T learning_rate, T mu, T weight_decay = T(0)) noexcept {
  return {.learning_rate = learning_rate,
          .momentum = mu,
          .weight_decay = weight_decay,
          .nesterov = true};
}
/// PyTorch's defaults: betas (0.9, 0.999), eps 1e-8.
template <class T>
constexpr adam_optimizer<T> adam(T learning_rate, T weight_decay = T(0)) noexcept {
  return {.learning_rate = learning_rate, .weight_decay = weight_decay};
}
/// PyTorch's AdamW: weight decay 0.01 unless given, decoupled from the gradient.
template <class T>
constexpr adam_optimizer<T> adamw(T learning_rate, T weight_decay = T(0.01)) noexcept {
  return {.learning_rate = learning_rate, .weight_decay = weight_decay, .decoupled = true};
}

/// Scalars of state a network of n parameters needs to train with Opt.
template <class Opt>
constexpr std::size_t optimizer_state_count(std::size_t n) noexcept {
  return Opt::state_per_parameter * n;
}

/// What a fixed network needs in RAM to train with Opt: training_ram_bytes and the state.
template <class Net, class Opt>
inline constexpr std::size_t training_ram_bytes_with =
    Net::training_ram_bytes +
    optimizer_state_count<Opt>(Net::param_count) * sizeof(typename Net::scalar);

namespace detail {
// p + k, except that an optimizer without state has none: its state pointer is null, and
// offsetting a null pointer is undefined (clang's UBSan reports it).
template <class T>
constexpr T* state_at(T* p, std::size_t k) noexcept {
  return p == nullptr ? p : p + k;
}
}  // namespace detail

/// The update target that runs opt on each gradient as backward hands it over; its state
/// holds state_per_parameter() arrays of `stride` (the network's parameter count) values.
template <class Opt, class T>
struct optimizer_update {
  Opt* opt;
  T* state;
  std::size_t stride;
  static constexpr bool plain_sgd = false;

  /// Called once per step, after the forward pass and its checks, before any gradient.
  constexpr void begin() const noexcept { opt->begin_step(); }
  constexpr optimizer_update at(std::size_t offset) const noexcept {
    return {opt, detail::state_at(state, offset), stride};
  }
  constexpr void operator()(T& p, std::size_t k, T g) const noexcept {
    opt->apply(p, g, detail::state_at(state, k), stride);
  }
  // A zero gradient still moves momentum and Adam's averages (and decays the weights).
  constexpr void zero_gradient(T* p, std::size_t k, std::size_t n) const noexcept {
    for (std::size_t i = 0; i < n; ++i)
      opt->apply(p[i], T(0), detail::state_at(state, k + i), stride);
  }
};

}  // namespace constnn
