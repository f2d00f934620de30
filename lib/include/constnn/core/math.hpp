// constnn's own exp, log, expm1 and tanh: constexpr, and the same bits on every platform.
#pragma once

#include "requirements.hpp"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

namespace constnn::math {
namespace detail {

template <class T>
struct ieee;

template <>
struct ieee<float> {
  using bits = std::uint32_t;
  static constexpr int mantissa_bits = 23;
  static constexpr int exponent_bias = 127;
  // Cody-Waite split of ln 2: ln2_hi has its low bits clear, so k * ln2_hi is exact.
  static constexpr float ln2_hi = 0.693145751953125f;
  static constexpr float ln2_lo = 1.42860676533018704e-06f;
  static constexpr float inv_ln2 = 1.44269504088896340736f;
  static constexpr float exp_overflow = 88.7228390520683f;  // largest x with finite exp(x)
  static constexpr float exp_underflow = -103.972077083991796f;  // below: exp(x) rounds to 0
  static constexpr int exp_terms = 8;                            // Taylor degree 7 on |r| <= ln2/2
  static constexpr int log_terms = 5;                            // atanh series terms
};

template <>
struct ieee<double> {
  using bits = std::uint64_t;
  static constexpr int mantissa_bits = 52;
  static constexpr int exponent_bias = 1023;
  static constexpr double ln2_hi = 6.93147180369123816490e-01;
  static constexpr double ln2_lo = 1.90821492927058770002e-10;
  static constexpr double inv_ln2 = 1.44269504088896338700e+00;
  static constexpr double exp_overflow = 7.09782712893383973096e+02;
  static constexpr double exp_underflow = -7.45133219101941108420e+02;
  static constexpr int exp_terms = 14;  // Taylor degree 13 on |r| <= ln2/2
  static constexpr int log_terms = 11;
};

// 1/n!, written out so that every platform rounds the same decimal literal the same way.
inline constexpr double inverse_factorial_decimal[] = {
    1.0,
    1.0,
    0.5,
    0.16666666666666666667,
    0.041666666666666666667,
    0.0083333333333333333333,
    0.0013888888888888888889,
    0.00019841269841269841270,
    0.000024801587301587301587,
    2.7557319223985890653e-06,
    2.7557319223985890653e-07,
    2.5052108385441718775e-08,
    2.0876756987868098979e-09,
    1.6059043836821614599e-10,
};

// 2/(2j+1) for j = 1, 2, ...: the series of log(1+f) in s = f/(2+f) after its first term.
inline constexpr double atanh_coefficients_decimal[] = {
    0.66666666666666666667, 0.4, 0.28571428571428571429, 0.22222222222222222222,
    0.18181818181818181818, 0.15384615384615384615, 0.13333333333333333333,
    0.11764705882352941176, 0.10526315789473684211, 0.095238095238095238095,
    0.086956521739130434783,
};

// A table indexed by the series' int counters.
template <class T, std::size_t N>
struct coefficient_table {
  T values[N];
  constexpr T operator[](int j) const noexcept { return values[j]; }
};

template <class T, std::size_t N>
constexpr coefficient_table<T, N> table_in(const double (&decimal)[N]) noexcept {
  coefficient_table<T, N> t{};
  for (std::size_t i = 0; i < N; ++i) t.values[i] = static_cast<T>(decimal[i]);
  return t;
}

// The tables in the scalar type, converted by the compiler: the values the arithmetic uses
// are the same roundings of the same doubles, but no build converts them at run time (clang
// at -Os keeps a double table and calls the soft-float __aeabi_d2f for every coefficient on a
// single-precision Cortex-M).
template <class T>
inline constexpr coefficient_table<T, sizeof(inverse_factorial_decimal) / sizeof(double)> inverse_factorial =
    table_in<T>(inverse_factorial_decimal);
template <class T>
inline constexpr coefficient_table<T, sizeof(atanh_coefficients_decimal) / sizeof(double)> atanh_coefficients =
    table_in<T>(atanh_coefficients_decimal);

// p = c[Last], then p = p * x + c[j] for j = Last - 1 down to First: Horner's rule, written
// out term by term at compile time, so no build keeps a loop around it (GCC at -Os would,
// about 20 instructions more per exp on a Cortex-M4F) and every build rounds the same steps.
template <int First, int Last, class T, std::size_t N>
constexpr T horner(const coefficient_table<T, N>& c, T x) noexcept {
  static_assert(0 <= First && First <= Last && Last < static_cast<int>(N));
  return [&]<int... K>(std::integer_sequence<int, K...>) {
    T p = c[Last];
    ((p = p * x + c[Last - 1 - K]), ...);
    return p;
  }(std::make_integer_sequence<int, Last - First>{});
}

// 2^k for k in the normal exponent range, built from its bits.
template <class T>
constexpr T pow2(int k) noexcept {
  using bits = typename ieee<T>::bits;
  return std::bit_cast<T>(static_cast<bits>(static_cast<bits>(k + ieee<T>::exponent_bias)
                                            << ieee<T>::mantissa_bits));
}

// x * 2^k with a single rounding, also when the result is subnormal.
template <class T>
constexpr T scale(T x, int k) noexcept {
  constexpr int max_exp = ieee<T>::exponent_bias;
  constexpr int min_exp = 1 - ieee<T>::exponent_bias;
  if (k > max_exp) {
    x *= pow2<T>(max_exp);
    k -= max_exp;
  } else if (k < min_exp) {
    // x is near 1, so this first product is exact and stays normal.
    x *= pow2<T>(min_exp);
    k -= min_exp;
  }
  return x * pow2<T>(k);
}

// x = k ln2 + r with |r| <= ln2/2 (k rounded half away from zero), r from the Cody-Waite
// split so the subtraction loses nothing.
template <class T>
struct reduced {
  int k;
  T r;
};

template <class T>
constexpr reduced<T> reduce_ln2(T x) noexcept {
  using traits = ieee<T>;
  const T kf = x * traits::inv_ln2;
  const int k = static_cast<int>(kf < T(0) ? kf - T(0.5) : kf + T(0.5));
  return {k, (x - static_cast<T>(k) * traits::ln2_hi) - static_cast<T>(k) * traits::ln2_lo};
}

// (e^r - 1) / r by Horner's rule on the Taylor series, 1/1! + r/2! + r^2/3! + ...; exp and
// expm1 share it, so both round the same operations.
template <class T>
constexpr T exp_series_tail(T r) noexcept {
  return horner<1, ieee<T>::exp_terms - 1>(inverse_factorial<T>, r);
}

}  // namespace detail

/// True for every value but NaN and the infinities; usable in constant expressions.
template <class T>
constexpr bool isfinite(T x) noexcept {
  return x - x == T(0);
}

/// e^x within about one ulp; exact at 0, +inf for large x, +0 for very negative x.
template <class T>
constexpr T exp(T x) noexcept {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "constnn::math::exp: only float and double are supported");
  using limits = std::numeric_limits<T>;
  using traits = detail::ieee<T>;
  if (x != x) return x;
  if (x > traits::exp_overflow) return limits::infinity();
  if (x < traits::exp_underflow) return T(0);
  const auto [k, r] = detail::reduce_ln2(x);
  return detail::scale(detail::exp_series_tail(r) * r + T(1), k);
}

/// Natural logarithm within about one ulp; -inf at 0, NaN below 0.
template <class T>
constexpr T log(T x) noexcept {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "constnn::math::log: only float and double are supported");
  using limits = std::numeric_limits<T>;
  using traits = detail::ieee<T>;
  using bits = typename traits::bits;
  if (x != x || x < T(0)) return limits::quiet_NaN();
  if (x == T(0)) return -limits::infinity();
  if (x == limits::infinity()) return x;
  int e = 0;
  if (x < limits::min()) {  // subnormal: make it normal first
    x *= detail::pow2<T>(traits::mantissa_bits);
    e -= traits::mantissa_bits;
  }
  const bits b = std::bit_cast<bits>(x);
  constexpr bits mantissa_mask = (bits(1) << traits::mantissa_bits) - 1;
  e += static_cast<int>(b >> traits::mantissa_bits) - traits::exponent_bias;
  T m = std::bit_cast<T>(
      static_cast<bits>((b & mantissa_mask) | (bits(traits::exponent_bias) << traits::mantissa_bits)));
  constexpr T sqrt2 = T(1.41421356237309504880);
  if (m > sqrt2) {
    m *= T(0.5);
    ++e;
  }
  // log(1+f) = f - hfsq + s (hfsq + R), s = f/(2+f), R = sum 2 s^2j/(2j+1) (fdlibm's form).
  const T f = m - T(1);
  const T s = f / (T(2) + f);
  const T z = s * s;
  T r = detail::horner<0, traits::log_terms - 1>(detail::atanh_coefficients<T>, z);
  r *= z;
  const T hfsq = T(0.5) * f * f;
  const T ek = static_cast<T>(e);
  return ek * traits::ln2_hi - ((hfsq - (s * (hfsq + r) + ek * traits::ln2_lo)) - f);
}

/// e^x - 1, accurate also for x near 0 (where exp(x) - 1 would cancel).
template <class T>
constexpr T expm1(T x) noexcept {
  using traits = detail::ieee<T>;
  // The polynomial's range: a little over ln2/2, so a reduced argument always falls in it.
  constexpr T poly_limit = T(0.35);
  // Beyond this, 2^k - 1 is no longer exact and exp(x) - 1 has no cancellation to fear.
  constexpr T reduce_limit = T(0.69) * T(traits::mantissa_bits);
  if (!(x > -reduce_limit && x < reduce_limit)) return exp(x) - T(1);
  if (!(x >= -poly_limit && x <= poly_limit)) {
    // x = k ln2 + r: e^x - 1 = 2^k (e^r - 1) + (2^k - 1), the scaling and 2^k - 1 exact.
    const auto [k, r] = detail::reduce_ln2(x);
    return detail::pow2<T>(k) * expm1(r) + (detail::pow2<T>(k) - T(1));
  }
  return detail::exp_series_tail(x) * x;
}

/// Hyperbolic tangent within a few ulp; odd, and saturates to +-1.
template <class T>
constexpr T tanh(T x) noexcept {
  if (x != x) return x;
  const bool negative = x < T(0);
  const T a = negative ? -x : x;
  T t;
  if (a > T(22)) {
    t = T(1);
  } else if (a >= T(0.55)) {
    t = T(1) - T(2) / (exp(T(2) * a) + T(1));
  } else {
    const T e = expm1(T(2) * a);
    t = e / (e + T(2));
  }
  return negative ? -t : t;
}

/// Square root of x >= 0, within an ulp, by Newton's method on a mantissa scaled into [1, 4):
/// basic operations only, so the same bits everywhere and in constant evaluation (it sets
/// initialisation limits, never runs on a hot path). NaN for x < 0, x for 0 and +inf.
template <class T>
constexpr T sqrt(T x) noexcept {
  if (x != x || x < T(0)) return std::numeric_limits<T>::quiet_NaN();
  if (x == T(0) || !isfinite(x)) return x;
  int half = 0;  // x = m * 4^half with m in [1, 4)
  T m = x;
  while (m >= T(4)) {
    m /= T(4);
    ++half;
  }
  while (m < T(1)) {
    m *= T(4);
    --half;
  }
  T r = T(1.5);
  for (int i = 0; i < 8; ++i) r = T(0.5) * (r + m / r);
  // Newton settles within an ulp; step to a neighbour whose square is nearer m.
  for (int i = 0; i < 2; ++i) {
    const T up = r + r * std::numeric_limits<T>::epsilon();
    const T down = r - r * std::numeric_limits<T>::epsilon() / T(2);
    const T e = r * r - m;
    const T e_up = up * up - m, e_down = down * down - m;
    const T a = e < T(0) ? -e : e, a_up = e_up < T(0) ? -e_up : e_up,
            a_down = e_down < T(0) ? -e_down : e_down;
    if (a_up < a) {
      r = up;
    } else if (a_down < a) {
      r = down;
    }
  }
  return detail::scale(r, half);
}

}  // namespace constnn::math
