// A hint that some memory will be read soon; not API.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <span>

namespace constnn::detail {

/// Asks the CPU to start fetching the cache lines of x. Data sets are read once per pass,
/// in order, and are larger than the caches near the core; fetching the next example while
/// this one computes hides the wait. No effect on any result. Only on 64-bit hosts: a
/// microcontroller has no such caches, and would only spend instructions on the hint.
template <class T>
inline void prefetch(std::span<const T> x) noexcept {
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__aarch64__))
  const char* p = reinterpret_cast<const char*>(x.data());
  const std::size_t bytes = x.size() * sizeof(T);
  for (std::size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(p + offset);
#else
  (void)x;
#endif
}

}  // namespace constnn::detail
