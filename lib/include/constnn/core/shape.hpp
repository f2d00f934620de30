// Tensor shapes whose axes are each a compile-time constant or chosen at run time.
//
// The one tensor layout of constnn is channels-last, row-major: an image of H rows, W columns
// and C channels is stored as x[(h * W + w) * C + c], the convention of CMSIS-NN and TFLite;
// a time series of L steps and C channels as x[l * C + c]; a vector of N values as x[n]. A
// layer that takes a vector (dense, the losses) reads any shape flattened in this order.
#pragma once

#include "requirements.hpp"

#include <array>
#include <cstddef>
#include <limits>
#include <type_traits>

namespace constnn {

/// Marks a size that is chosen at run time (like Eigen's Dynamic, std::dynamic_extent).
inline constexpr std::size_t dynamic = std::numeric_limits<std::size_t>::max();

/// A size known at compile time; converts to std::size_t, so kernels written against
/// `std::size_t(n)` get constant trip counts when given one and run-time ones otherwise.
template <std::size_t N>
using fixed_size = std::integral_constant<std::size_t, N>;

/// Kernel size arguments: a fixed_size<N> or a plain std::size_t.
template <class N>
concept size_like =
    std::is_same_v<N, std::size_t> || std::is_same_v<N, fixed_size<N::value>>;

/// The extents of a tensor, in the spirit of C++23 std::extents: each axis is a constant or
/// constnn::dynamic, and only the dynamic axes are stored, so a fully fixed shape is an empty
/// object whose every figure is a constant expression.
template <std::size_t... E>
class extents {
  static_assert(sizeof...(E) >= 1, "constnn::extents: a shape needs at least one axis");

 public:
  static constexpr std::size_t rank() noexcept { return sizeof...(E); }
  static constexpr std::size_t rank_dynamic() noexcept {
    return (std::size_t{E == dynamic} + ... + 0);
  }
  /// The extent of axis i as the type states it (constnn::dynamic where run-time).
  static constexpr std::size_t static_extent(std::size_t i) noexcept { return static_[i]; }
  static constexpr bool is_static = rank_dynamic() == 0;
  /// The element count when every axis is fixed, else constnn::dynamic.
  static constexpr std::size_t static_size = is_static ? (E * ... * 1) : dynamic;

  /// A fixed shape, or a run-time one whose dynamic axes are still 0.
  constexpr extents() noexcept = default;

  /// Every axis in order; axes fixed by the type must be given their own value (the caller
  /// checks with matches()), dynamic ones take theirs from `all`.
  constexpr explicit extents(const std::array<std::size_t, rank()>& all) noexcept {
    std::size_t d = 0;
    for (std::size_t i = 0; i < rank(); ++i)
      if (static_[i] == dynamic) dynamic_[d++] = all[i];
  }

  /// Whether `all` could be this shape: every fixed axis agrees and no axis is 0 or dynamic.
  static constexpr bool matches(const std::array<std::size_t, rank()>& all) noexcept {
    for (std::size_t i = 0; i < rank(); ++i)
      if (all[i] == 0 || all[i] == dynamic || (static_[i] != dynamic && static_[i] != all[i]))
        return false;
    return true;
  }

  constexpr std::size_t extent(std::size_t i) const noexcept {
    if (static_[i] != dynamic) return static_[i];
    std::size_t d = 0;
    for (std::size_t k = 0; k < i; ++k) d += static_[k] == dynamic ? 1 : 0;
    return dynamic_[d];
  }

  /// Axis I as a fixed_size when the type fixes it, else as a std::size_t.
  template <std::size_t I>
  constexpr auto extent_c() const noexcept {
    if constexpr (static_[I] != dynamic) {
      return fixed_size<static_[I]>{};
    } else {
      return extent(I);
    }
  }

  /// All axes, in order.
  constexpr std::array<std::size_t, rank()> all() const noexcept {
    std::array<std::size_t, rank()> a{};
    for (std::size_t i = 0; i < rank(); ++i) a[i] = extent(i);
    return a;
  }

  /// The number of elements: the product of the axes.
  constexpr std::size_t size() const noexcept {
    if constexpr (is_static) {
      return static_size;
    } else {
      std::size_t n = 1;
      for (std::size_t i = 0; i < rank(); ++i) n *= extent(i);
      return n;
    }
  }

  /// size() as a fixed_size when the shape is fixed, so kernels get constant trip counts.
  constexpr auto count() const noexcept {
    if constexpr (is_static) {
      return fixed_size<static_size>{};
    } else {
      return size();
    }
  }

  template <std::size_t... F>
  friend constexpr bool operator==(const extents& a, const extents<F...>& b) noexcept {
    if constexpr (sizeof...(F) != sizeof...(E)) {
      return false;
    } else {
      return a.all() == b.all();
    }
  }

 private:
  static constexpr std::array<std::size_t, sizeof...(E)> static_{E...};
  // A fully fixed shape stores nothing.
  [[no_unique_address]] std::array<std::size_t, rank_dynamic()> dynamic_{};
};

namespace detail {
template <class T>
inline constexpr bool is_extents = false;
template <std::size_t... E>
inline constexpr bool is_extents<extents<E...>> = true;
}  // namespace detail

/// Any constnn::extents type.
template <class S>
concept shape = detail::is_extents<S>;

}  // namespace constnn
