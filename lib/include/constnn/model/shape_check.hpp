// The compile-time check that each dense layer's input fits the output before it.
#pragma once

#include <cstddef>

#include "../core/extent.hpp"

namespace constnn::detail {

/// Instantiated for every pair of neighbouring dense layers, so a mismatch is reported with
/// the position and both sizes in the template arguments as well as in the assertion.
template <std::size_t LayerIndex, std::size_t PreviousOutputSize, std::size_t InputSize>
struct layer_input_must_match_previous_output {
  static_assert(PreviousOutputSize == InputSize || PreviousOutputSize == dynamic ||
                    InputSize == dynamic,
                "constnn::sequential: a layer's input size must equal the output size of the "
                "layer before it (PreviousOutputSize and InputSize, named in this instantiation, "
                "differ)");
  static constexpr bool value = true;
};

}  // namespace constnn::detail
