// A non-owning view of examples: a row-major feature matrix and its labels.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <span>

namespace constnn {

/// count examples of width features each: features[e * width + f], labels[e].
/// The storage belongs to the caller (a vector on a host, flash on a microcontroller).
template <class T, class Label>
struct dataset_view {
  const T* features = nullptr;
  const Label* labels = nullptr;
  std::size_t count = 0;
  std::size_t width = 0;

  constexpr std::span<const T> example(std::size_t e) const noexcept {
    return {features + e * width, width};
  }
  constexpr std::size_t label(std::size_t e) const noexcept {
    return static_cast<std::size_t>(labels[e]);
  }
};

}  // namespace constnn
