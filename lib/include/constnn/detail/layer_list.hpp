// Compile-time helpers over packs of types, and a tiny tuple for them (not API).
#pragma once

#include "../core/requirements.hpp"

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

// A tuple of values, one per type, that stores nothing for empty types (fixed layers and
// shapes). <tuple> is not among the headers the library allows itself.
template <std::size_t I, class T>
struct pack_leaf {
  // A constructor, not aggregate initialisation: GCC 12 initialising an empty leaf by
  // aggregate wrote a byte at its address, which it shares with the next leaf (a layer chosen
  // at run time then lost its kind: tests/unit/int8_network_test.cpp found it in -O0 builds).
  constexpr pack_leaf() noexcept = default;
  constexpr explicit pack_leaf(const T& v) noexcept : value(v) {}
  [[no_unique_address]] T value{};
};

template <class Indices, class... T>
struct pack_base;

template <std::size_t... I, class... T>
struct pack_base<std::index_sequence<I...>, T...> : pack_leaf<I, T>... {
  constexpr pack_base() noexcept = default;
  constexpr explicit pack_base(const T&... v) noexcept : pack_leaf<I, T>(v)... {}
};

template <class... T>
struct pack : pack_base<std::index_sequence_for<T...>, T...> {
  using pack_base<std::index_sequence_for<T...>, T...>::pack_base;
};

template <std::size_t I, class T>
constexpr T& get(pack_leaf<I, T>& leaf) noexcept {
  return leaf.value;
}
template <std::size_t I, class T>
constexpr const T& get(const pack_leaf<I, T>& leaf) noexcept {
  return leaf.value;
}

}  // namespace constnn::detail
