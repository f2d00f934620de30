// How the Cortex-M int8 kernels take output channels four at a time; not API. Shared by
// int8_kernels_arm.hpp and int8_pairs_dsp.hpp, whose loops both run four accumulators.
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <cstdint>

namespace constnn::detail::s8 {

// Which weight rows the four accumulators take for the `left` channels from `first` on
// (rows w0, w0 + s, w2, w2 + s of the kernels): with fewer than four left, some repeat, so
// that no row beyond the last is read; the first min(left, 4) are distinct.
struct four_rows {
  std::size_t row[4];
  std::int32_t w0, s, w2;  // in rows
};
constexpr four_rows rows_for(std::size_t first, std::size_t left) noexcept {
  if (left >= 4) return {{first, first + 1, first + 2, first + 3}, 0, 1, 2};
  if (left == 3) return {{first + 1, first + 2, first, first + 1}, 1, 1, 0};
  if (left == 2) return {{first, first + 1, first, first + 1}, 0, 1, 0};
  return {{first, first, first, first}, 0, 0, 0};
}

}  // namespace constnn::detail::s8
