// Flatten: an image or series seen as one vector, at no cost.
#pragma once

#include "../core/requirements.hpp"

#include <array>
#include <cstddef>

#include "../core/shape.hpp"
#include "layer.hpp"

namespace constnn {

/// Any shape to a vector of its size, in channels-last order: the same values in the same
/// buffer, so it does no work and needs no memory (dense takes any shape flattened already;
/// this states it in the network where a reader expects it).
struct flatten {
  static constexpr bool view = true;
  static constexpr bool int8_form = true;

  template <shape In>
  constexpr extents<In::static_size> output_shape(const In& in) const noexcept {
    return extents<In::static_size>(std::array<std::size_t, 1>{in.size()});
  }
};

}  // namespace constnn
