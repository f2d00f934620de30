// Sizes that are either compile-time constants or run-time values, so one kernel serves both.
#pragma once

#include <cstddef>
#include <limits>
#include <type_traits>

namespace constnn {

/// Marks a layer size that is chosen at run time (like Eigen's Dynamic).
inline constexpr std::size_t dynamic = std::numeric_limits<std::size_t>::max();

/// A size known at compile time; converts to std::size_t, so kernels written against
/// `std::size_t(n)` get constant trip counts when given one and run-time ones otherwise.
template <std::size_t N>
using fixed_size = std::integral_constant<std::size_t, N>;

/// Kernel size arguments: a fixed_size<N> or a plain std::size_t.
template <class N>
concept size_like =
    std::is_same_v<N, std::size_t> || std::is_same_v<N, fixed_size<N::value>>;

}  // namespace constnn
