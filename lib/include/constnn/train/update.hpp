// Update targets: what a layer's backward does with each parameter gradient it computes.
//
// A target is called as `update(p, k, g)` for parameter k of the layer (p is that parameter,
// g its gradient), and `update.zero_gradient(p, k, n)` for n parameters in a row whose
// gradient is exactly +0 (a dense row whose input is 0), so a target that would change
// nothing for them can skip the work. `update.at(offset)` gives the target for a layer whose
// parameters start `offset` values into the network's; the network calls it, layers count
// from 0. A target with `plain_sgd` set is p -= lr * g and nothing else, which lets a layer
// take a fused kernel that updates as it goes, with no gradient buffer.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>

namespace constnn {

/// Plain SGD, fused into backward: p -= learning_rate * g as soon as g is known.
template <class T>
struct sgd_update {
  T learning_rate;
  static constexpr bool plain_sgd = true;

  constexpr sgd_update at(std::size_t) const noexcept { return *this; }
  constexpr void operator()(T& p, std::size_t, T g) const noexcept { p -= learning_rate * g; }
  // p - lr * (+0) is p for every p, the signed zero included.
  constexpr void zero_gradient(T*, std::size_t, std::size_t) const noexcept {}
};

/// Writes the gradient out, leaving the parameters unchanged: grad[k] = g, in the
/// parameters' own layout.
template <class T>
struct gradient_store {
  T* grad;
  static constexpr bool plain_sgd = false;

  constexpr gradient_store at(std::size_t offset) const noexcept { return {grad + offset}; }
  constexpr void operator()(T&, std::size_t k, T g) const noexcept { grad[k] = g; }
  constexpr void zero_gradient(T*, std::size_t k, std::size_t n) const noexcept {
    for (std::size_t i = 0; i < n; ++i) grad[k + i] = T(0);
  }
};

}  // namespace constnn
