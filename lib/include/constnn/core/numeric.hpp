// The numeric types a network is instantiated with: float and double, which train, and int8,
// TFLite's affine integer scheme, which predicts. A network's first template argument is one
// of them; what it stores and computes follows from numeric_traits.
#pragma once

#include "requirements.hpp"

#include <cstdint>
#include <type_traits>

#include "fixed_point.hpp"

namespace constnn {

/// Affine int8 (TFLite's int8 specification): activations int8 with a scale and zero point
/// per tensor, weights int8 with one scale per output channel, int32 accumulators and biases,
/// and requantization in the given rounding (core/fixed_point.hpp). A network of int8_affine
/// predicts; it does not train.
template <fixed_point::rounding Mode = fixed_point::rounding::double_rounding>
struct int8_affine {
  static constexpr fixed_point::rounding rounding = Mode;
};

/// TFLite's int8 with its default rounding.
using int8 = int8_affine<>;

template <class T>
struct numeric_traits;

template <class T>
requires std::is_same_v<T, float> || std::is_same_v<T, double>
struct numeric_traits<T> {
  using value_type = T;  ///< what activations and inputs are
  using param_type = T;  ///< what the parameter array holds
  static constexpr bool quantized = false;
};

/// An int8 network's parameters are bytes: int8 weights as they are, and the int32 fields
/// (biases, multipliers, shifts, zero points) as four bytes each, least significant first,
/// so the same array means the same numbers on every target and in constant expressions.
template <fixed_point::rounding Mode>
struct numeric_traits<int8_affine<Mode>> {
  using value_type = std::int8_t;
  using param_type = std::int8_t;
  static constexpr bool quantized = true;
};

/// A type a network may be instantiated with.
template <class T>
concept numeric = requires {
  typename numeric_traits<T>::value_type;
  typename numeric_traits<T>::param_type;
};

template <class T>
using value_t = typename numeric_traits<T>::value_type;
template <class T>
using param_t = typename numeric_traits<T>::param_type;
template <class T>
inline constexpr bool is_quantized = numeric_traits<T>::quantized;

namespace detail {

/// The int32 at p (four bytes, least significant first).
constexpr std::int32_t load_i32(const std::int8_t* p) noexcept {
  const auto byte = [&](int k) { return std::uint32_t{static_cast<std::uint8_t>(p[k])}; };
  return static_cast<std::int32_t>(byte(0) | (byte(1) << 8) | (byte(2) << 16) | (byte(3) << 24));
}

/// Writes v at p as load_i32 reads it.
constexpr void store_i32(std::int8_t* p, std::int32_t v) noexcept {
  const auto u = static_cast<std::uint32_t>(v);
  for (int k = 0; k < 4; ++k)
    p[k] = static_cast<std::int8_t>(static_cast<std::uint8_t>(u >> (8 * k)));
}

}  // namespace detail
}  // namespace constnn
