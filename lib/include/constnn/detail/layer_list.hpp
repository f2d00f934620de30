// Compile-time helpers over a pack of layer types (not API).
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

namespace constnn::detail {

template <std::size_t I, class First, class... Rest>
struct type_at {
  using type = typename type_at<I - 1, Rest...>::type;
};
template <class First, class... Rest>
struct type_at<0, First, Rest...> {
  using type = First;
};

/// Calls f(std::integral_constant<std::size_t, I>{}) for I = 0, 1, ..., N-1.
template <class F, std::size_t... I>
constexpr void for_each_index(std::index_sequence<I...>, F&& f) {
  (f(std::integral_constant<std::size_t, I>{}), ...);
}

/// Calls f(std::integral_constant<std::size_t, I>{}) for I = N-1, ..., 1, 0.
template <std::size_t N, class F, std::size_t... I>
constexpr void for_each_index_reversed(std::index_sequence<I...>, F&& f) {
  (f(std::integral_constant<std::size_t, N - 1 - I>{}), ...);
}

}  // namespace constnn::detail
