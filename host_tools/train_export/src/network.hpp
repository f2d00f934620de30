// The one network shape train_export trains, in its run-time-size and fixed-size spellings.
#pragma once

#include <cstddef>
#include <string>

#include <fmt/format.h>

#include <constnn/constnn.hpp>

namespace train_export {

/// FEATURES -> dense(HIDDEN) -> sigmoid -> dense(CLASSES) -> softmax + cross-entropy, with
/// every width chosen at run time; constructed from the widths {features, hidden, classes}.
template <class T>
using runtime_network =
    constnn::sequential<T, constnn::dense<constnn::dynamic, constnn::dynamic>, constnn::sigmoid,
                        constnn::dense<constnn::dynamic, constnn::dynamic>, constnn::softmax_xent>;

/// The same network with fixed widths, spelled as C++ for the exported header; it has the
/// same parameter layout, so the trained values can be used unchanged.
inline std::string fixed_network_type(std::string_view scalar, std::size_t features,
                                      std::size_t hidden, std::size_t classes) {
  return fmt::format(
      "constnn::sequential<{0}, constnn::dense<{1}, {2}>, constnn::sigmoid, "
      "constnn::dense<{2}, {3}>, constnn::softmax_xent>",
      scalar, features, hidden, classes);
}

}  // namespace train_export
