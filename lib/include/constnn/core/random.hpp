// A small seedable PRNG that gives the same sequence everywhere, also at compile time.
#pragma once

#include "requirements.hpp"

#include <cstdint>
#include <limits>

namespace constnn {

/// SplitMix64 (Steele, Lea, Flood 2014): 64-bit state, passes BigCrush, only integer
/// arithmetic, so every platform and every constant evaluation sees the same numbers.
class splitmix64 {
 public:
  constexpr explicit splitmix64(std::uint64_t seed = 0) noexcept : state_(seed) {}

  constexpr std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  /// Uniform in [0, 1) on the grid of 2^-digits, exact in T.
  template <class T>
  constexpr T uniform01() noexcept {
    constexpr int digits = std::numeric_limits<T>::digits;
    constexpr T scale = T(1) / static_cast<T>(std::uint64_t{1} << digits);
    return static_cast<T>(next() >> (64 - digits)) * scale;
  }

  /// Uniform in [lo, hi]: lo + (hi - lo) u, rounded in T.
  template <class T>
  constexpr T uniform(T lo, T hi) noexcept {
    return lo + (hi - lo) * uniform01<T>();
  }

 private:
  std::uint64_t state_;
};

}  // namespace constnn
