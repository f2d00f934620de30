// A fixed-size network bundled with its own parameters and workspace: no spans to manage.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

#include "../train/init.hpp"

namespace constnn {

/// Owns the parameters and a training workspace of a fixed-size network Net, so its memory
/// is sizeof(model<Net>) == Net::training_ram_bytes (up to padding), a compile-time fact.
template <class Net>
struct model {
  static_assert(Net::is_fixed, "constnn::model: the network's sizes must all be fixed");
  using network_type = Net;
  using scalar = typename Net::scalar;

  typename Net::parameters parameters{};
  typename Net::training_workspace workspace{};

  static constexpr Net network{};

  constexpr void initialize(init_scheme scheme, std::uint64_t seed = 0) noexcept {
    constnn::initialize(network, std::span<scalar>(parameters), scheme, seed);
  }
  constexpr std::size_t predict(std::span<const scalar> x) noexcept {
    return network.predict(parameters, x, workspace);
  }
  constexpr scalar loss(std::span<const scalar> x, std::size_t label) noexcept {
    return network.loss(parameters, x, label, workspace);
  }
  constexpr scalar train_step(std::span<const scalar> x, std::size_t label, scalar lr) noexcept {
    return network.train_step(parameters, x, label, lr, workspace);
  }
};

}  // namespace constnn
