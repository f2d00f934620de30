// TFLite's double-rounding requantization of one channel as one multiply-add and one shift;
// not API. The Cortex-M kernels (int8_pairs_dsp.hpp) requantize with it; it is portable and
// constexpr, so the host tests check it against the exact formulas.
#pragma once

#include "../core/requirements.hpp"

#include <cstdint>

#include "../core/fixed_point.hpp"

namespace constnn::detail::s8 {

/// MultiplyByQuantizedMultiplier (double rounding) for one channel, with what depends only on
/// its multiplier worked out once, for the multipliers below one half: no left shift and a
/// right shift e >= 1 (nearly every layer's; one_step() says whether this one's is).
///
/// Why one step is exact: with t = floor((x M + 2^30) / 2^31) (SaturatingRoundingDoublingHighMul;
/// M is never INT32_MIN, so it never saturates), RoundingDivideByPOT gives
/// floor((t + 2^(e-1) - [t < 0]) / 2^e), and floor(floor(a) / b) = floor(a / b) for a whole
/// b > 0, so the result is floor((x M + 2^30 + 2^(30+e) - 2^31 [t < 0]) / 2^(31+e)): one
/// 64-bit multiply-add onto a nudge (SMLAL) and an arithmetic shift of the high word by e - 1.
/// [x < 0] may stand for [t < 0]: they differ only where t = 0, and there both nudges give 0.
struct requantizer {
  // The order the Cortex-M loops load them in.
  std::int32_t multiplier = 0;
  std::uint32_t nudge_low = 0;  // 2^30 + 2^(30 + e), in two words
  std::int32_t nudge_high = 0;
  std::int32_t high_shift = 0;  // e - 1; negative when the multiplier is not below one half

  static constexpr requantizer make(fixed_point::quantized_multiplier m) noexcept {
    const std::int32_t e = m.shift > 0 ? 0 : -m.shift;
    // In 32-bit words, without 64-bit shifts: the kernels make one per channel per call.
    return {m.multiplier,
            e >= 2   ? 0x40000000u
            : e == 1 ? 0xc0000000u
                     : 0x80000000u,
            e >= 2 ? static_cast<std::int32_t>(std::uint32_t{1} << (e - 2)) : 0, e - 1};
  }
  constexpr bool one_step() const noexcept { return high_shift >= 0; }
  /// x times the multiplier, rounded as multiply_by_quantized_multiplier<double_rounding>
  /// does; for one_step() multipliers only.
  constexpr std::int32_t operator()(std::int32_t x) const noexcept {
    const auto nudge = static_cast<std::int64_t>(
        (static_cast<std::uint64_t>(static_cast<std::uint32_t>(nudge_high)) << 32) | nudge_low);
    const std::int64_t p =
        std::int64_t{x} * multiplier + nudge + std::int64_t{x >> 31} * (std::int64_t{1} << 31);
    return static_cast<std::int32_t>(p >> 32) >> high_shift;
  }
};

}  // namespace constnn::detail::s8
