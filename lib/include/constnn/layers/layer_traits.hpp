// What the network composer needs to know about a layer, stated by the layer itself.
#pragma once

namespace constnn {

/// How a layer relates to its neighbours; every layer type has `static constexpr layer_kind kind`.
enum class layer_kind {
  affine,       ///< has parameters, changes the width, backward reads its input
  elementwise,  ///< keeps the width, may run in place, backward reads its output
  loss,         ///< last layer: turns the previous output and a label into a loss
};

}  // namespace constnn
