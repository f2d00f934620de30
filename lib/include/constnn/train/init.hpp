// Parameter initialisation, slice by slice: RANDOM and ZERO as the reference job defines
// them, Glorot and He for deep and convolutional stacks.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

#include "../core/check.hpp"
#include "../core/math.hpp"
#include "../core/random.hpp"
#include "../layers/layer.hpp"

namespace constnn {

/// How weights are drawn; biases always start at 0. (The numbers of random and zero are the
/// reference job's flag values.)
enum class init_scheme : int {
  random = 1,  ///< weights uniform in [-0.1, 0.1]
  zero = 2,    ///< everything 0 (keeps hidden units identical for ever: the symmetry problem)
  glorot = 3,  ///< Glorot (Xavier) uniform: U[-a, a], a = sqrt(6 / (fan_in + fan_out))
  he = 4,      ///< He (Kaiming) uniform: U[-a, a], a = sqrt(6 / fan_in)
};

namespace detail {

template <class T>
constexpr T init_limit(init_scheme scheme, const param_slice& s) noexcept {
  switch (scheme) {
    case init_scheme::glorot:
      return math::sqrt(T(6) / static_cast<T>(s.fan_in + s.fan_out));
    case init_scheme::he:
      return math::sqrt(T(6) / static_cast<T>(s.fan_in));
    default:
      return T(0.1);
  }
}

}  // namespace detail

/// Fills params for net. Each weight slice is drawn from one splitmix64(seed) stream, slice
/// after slice in storage order, output-major: for each index of the slice's last axis (the
/// output: a neuron, a filter), every other index in row-major order. For a dense layer that
/// is the reference order alpha[o][i], for o, then i; so the same seed gives the same network
/// whatever the storage layout or platform.
template <class Net>
constexpr void initialize(const Net& net, std::span<typename Net::scalar> params, init_scheme scheme,
                          std::uint64_t seed = 0) noexcept {
  using T = typename Net::scalar;
  if (!CONSTNN_EXPECT(params.size() >= net.parameters_size(), "initialize: params is too small"))
    return;
  for (std::size_t k = 0; k < net.parameters_size(); ++k) params[k] = T(0);
  if (scheme == init_scheme::zero) return;
  splitmix64 rng(seed);
  net.for_each_slice([&](std::size_t, std::size_t offset, const param_slice& s) {
    if (s.role != slice_role::weights) return;
    const std::size_t out = s.dims[s.rank - 1], rows = s.size() / out;
    const T a = detail::init_limit<T>(scheme, s);
    T* w = params.data() + offset;
    for (std::size_t o = 0; o < out; ++o)
      for (std::size_t i = 0; i < rows; ++i) w[i * out + o] = rng.uniform<T>(-a, a);
  });
}

}  // namespace constnn
