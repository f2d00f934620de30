// Parameter initialisation: the reference job's RANDOM and ZERO schemes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "../core/check.hpp"
#include "../core/random.hpp"

namespace constnn {

/// The reference job's flag values: 1 = RANDOM, 2 = ZERO.
enum class init_scheme : int {
  random = 1,  ///< weights uniform in [-0.1, 0.1], biases 0
  zero = 2,    ///< everything 0 (keeps hidden units identical for ever: the symmetry problem)
};

/// Fills params for net. RANDOM draws the weights of each dense layer in the reference
/// order, output-major (alpha[o][i] for o, then i), from splitmix64(seed), so the same seed
/// gives the same network whatever the storage layout or platform.
template <class Net>
constexpr void initialize(const Net& net, std::span<typename Net::scalar> params, init_scheme scheme,
                          std::uint64_t seed = 0) noexcept {
  using T = typename Net::scalar;
  if (!CONSTNN_EXPECT(params.size() >= net.parameters_size(), "initialize: params is too small"))
    return;
  for (std::size_t k = 0; k < net.parameters_size(); ++k) params[k] = T(0);
  if (scheme == init_scheme::zero) return;
  splitmix64 rng(seed);
  const auto& dims = net.dims();
  for (std::size_t j = 0; j < Net::dense_count; ++j) {
    const std::size_t in = dims[j], out = dims[j + 1];
    T* w = params.data() + net.dense_param_offset(j);
    for (std::size_t o = 0; o < out; ++o)
      for (std::size_t i = 0; i < in; ++i) w[i * out + o] = rng.uniform<T>(T(-0.1), T(0.1));
  }
}

}  // namespace constnn
