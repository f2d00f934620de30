// Seeded, deterministic shuffling: the same order of examples on every platform.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

#include "../core/random.hpp"

namespace constnn {

namespace detail {

// Uniform in [0, bound) without modulo bias: draws below 2^64 mod bound are redrawn
// (the rule of OpenBSD's arc4random_uniform), integer arithmetic only.
constexpr std::uint64_t uniform_below(splitmix64& rng, std::uint64_t bound) noexcept {
  const std::uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    const std::uint64_t r = rng.next();
    if (r >= threshold) return r % bound;
  }
}

}  // namespace detail

/// Writes into order a permutation of 0 .. order.size() - 1 for epoch `epoch` of a run seeded
/// `seed`: Fisher-Yates (Durstenfeld) from the identity, fed by SplitMix64 seeded from both,
/// so each epoch has its own order and a rerun repeats them all.
constexpr void shuffled_order(std::span<std::size_t> order, std::uint64_t seed,
                              std::uint64_t epoch) noexcept {
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  splitmix64 rng(seed ^ (epoch * 0xD1B54A32D192ED03ULL));
  for (std::size_t i = order.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(detail::uniform_below(rng, i));
    const std::size_t t = order[i - 1];
    order[i - 1] = order[j];
    order[j] = t;
  }
}

}  // namespace constnn
