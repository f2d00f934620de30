// The shape a network takes, stated as its first layer where no other layer fixes it.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>

#include "../core/shape.hpp"
#include "layer.hpp"

namespace constnn {

/// The network's input: an image H x W x C (channels last), a series L x C or a vector N;
/// any axis may be constnn::dynamic. It costs nothing: the caller's input is used in place.
/// A network whose first layer is dense needs none (dense<In, Out> fixes In).
template <std::size_t... E>
struct input {
  using shape_type = extents<E...>;
  static constexpr bool view = true;
  static constexpr bool int8_form = true;

  template <shape In>
  constexpr In output_shape(const In& in) const noexcept {
    return in;
  }
};

}  // namespace constnn
