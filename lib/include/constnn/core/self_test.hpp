// A start-up check that the calling translation unit rounds floating point as constnn's
// results assume: every product and every sum rounded on its own, never fused into an FMA.
#pragma once

#include "requirements.hpp"

#include <bit>
#include <cstdint>
#include <type_traits>

namespace constnn {
// Internal linkage on purpose: an inline function with external linkage is one definition
// for the whole program, picked by the linker from any translation unit, so it would test
// that unit's flags instead of the caller's.
namespace {
namespace self_test_detail {

template <class T>
struct contraction_probe {
  T one_expression;  // a*a + c in one expression: clang's default contracts this
  T two_statements;  // the product, then the sum: GCC's default contracts this too
};

// a*a is not exact, and c is minus its rounded value: rounded twice the results are 0, fused
// the product's rounding error (2^-24 in float, 2^-54 in double) survives.
template <class T>
constexpr contraction_probe<T> probe(T a, T c) noexcept {
  contraction_probe<T> p{a * a + c, c};
  const T product = a * a;
  p.two_statements += product;
  return p;
}

template <class T>
constexpr T probe_a = sizeof(T) == 4 ? T(1) + T(1) / T(1 << 12) : T(1) + T(1) / T(1 << 27);
template <class T>
constexpr T probe_c = sizeof(T) == 4 ? -(T(1) + T(1) / T(1 << 11)) : -(T(1) + T(1) / T(1 << 26));

template <class T>
constexpr bool same_bits(T x, T y) noexcept {
  using bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  return std::bit_cast<bits>(x) == std::bit_cast<bits>(y);
}

template <class T>
inline bool matches_constant_evaluation() noexcept {
  // Constant evaluation never contracts: these are the values of the expressions as written.
  constexpr contraction_probe<T> expected = probe(probe_a<T>, probe_c<T>);
  static_assert(same_bits(expected.one_expression, T(0)) &&
                same_bits(expected.two_statements, T(0)));
  // Volatile, so the compiler cannot fold the run-time evaluation into a constant.
  volatile T a = probe_a<T>;
  volatile T c = probe_c<T>;
  const contraction_probe<T> got = probe<T>(a, c);
  return same_bits(got.one_expression, expected.one_expression) &&
         same_bits(got.two_statements, expected.two_statements);
}

}  // namespace self_test_detail

/// True when float and double arithmetic compiled in the calling translation unit gives the
/// values constant evaluation gives: no product fused with a sum into one rounding. A build
/// that contracts (GCC without -ffp-contract=off, clang without it at -ffp-contract=on or
/// fast, on a target with an FMA instruction) returns false, and its trained weights differ
/// from every other target's. Call it at start-up, from a file built with the same flags as
/// the code that uses constnn. Checks code generation only at the optimisation level in use
/// (GCC contracts nothing at -O0). No heap, no side effects.
inline bool floating_point_self_test() noexcept {
  return self_test_detail::matches_constant_evaluation<float>() &&
         self_test_detail::matches_constant_evaluation<double>();
}

}  // namespace
}  // namespace constnn
