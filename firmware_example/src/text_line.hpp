// Integer-only text formatting, so the host and every microcontroller print the same bytes.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace fw {

/// One line of output in a fixed buffer: no heap, no printf, no locale. Numbers are built
/// from their bits with integer arithmetic only, so a libc's printf (or its absence on a
/// microcontroller) cannot change a single character. Text past the capacity is dropped.
class text_line {
 public:
  static constexpr std::size_t capacity = 160;

  constexpr text_line& text(std::string_view s) noexcept {
    for (const char c : s) put(c);
    return *this;
  }

  /// Unsigned decimal.
  constexpr text_line& dec(std::uint64_t v) noexcept {
    char digits[20];
    std::size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0) put(digits[--n]);
    return *this;
  }

  /// "0x" then exactly `nibbles` lower-case hex digits.
  constexpr text_line& hex(std::uint64_t v, int nibbles = 8) noexcept {
    text("0x");
    for (int k = nibbles - 1; k >= 0; --k) put("0123456789abcdef"[(v >> (4 * k)) & 0xf]);
    return *this;
  }

  /// v rounded to `decimals` places (0 to 6; half away from zero), e.g. "-0.012346"; then,
  /// in brackets, its exact bit pattern. "inf", "nan" and magnitudes of 2^40 or more are
  /// written as words instead of digits; the bits are always exact.
  constexpr text_line& real(float v, int decimals = 6) noexcept {
    const std::uint32_t b = std::bit_cast<std::uint32_t>(v);
    const int biased = static_cast<int>((b >> 23) & 0xff);
    const std::uint64_t frac = b & 0x7fffffu;
    fixed(b >> 31, biased == 0xff, frac, biased == 0 ? frac : frac | (1u << 23),
          (biased == 0 ? 1 : biased) - 150, decimals);
    return text(" [").hex(b, 8).text("]");
  }

  constexpr text_line& real(double v, int decimals = 6) noexcept {
    const std::uint64_t b = std::bit_cast<std::uint64_t>(v);
    const int biased = static_cast<int>((b >> 52) & 0x7ff);
    const std::uint64_t frac = b & ((std::uint64_t{1} << 52) - 1);
    fixed(static_cast<std::uint32_t>(b >> 63), biased == 0x7ff, frac,
          biased == 0 ? frac : frac | (std::uint64_t{1} << 52), (biased == 0 ? 1 : biased) - 1075,
          decimals);
    return text(" [").hex(b, 16).text("]");
  }

  constexpr std::string_view view() const noexcept { return {buf_, size_}; }
  /// NUL-terminated contents (semihosting's SYS_WRITE0 wants a C string).
  constexpr const char* c_str() noexcept {
    buf_[size_] = '\0';
    return buf_;
  }
  constexpr void clear() noexcept { size_ = 0; }

 private:
  constexpr void put(char c) noexcept {
    if (size_ < capacity) buf_[size_++] = c;
  }

  // Writes sign * mantissa * 2^exp2 with `decimals` places, from integers alone.
  constexpr void fixed(std::uint32_t negative, bool special, std::uint64_t frac,
                       std::uint64_t mantissa, int exp2, int decimals) noexcept {
    if (special) {
      text(frac != 0 ? "nan" : negative != 0 ? "-inf" : "inf");
      return;
    }
    // Below 2^40 and with at most 6 places, the scaled value stays under 2^60.
    std::uint32_t scale = 1;
    for (int k = 0; k < decimals && k < 6; ++k) scale *= 10;
    if (mantissa != 0 && exp2 + static_cast<int>(std::bit_width(mantissa)) > 40) {
      text(negative != 0 ? "-large" : "large");
      return;
    }
    const std::uint64_t scaled = mul_shift_round(mantissa, scale, exp2);
    if (negative != 0 && scaled != 0) put('-');
    dec(scaled / scale);
    if (decimals > 0) {
      put('.');
      std::uint64_t rest = scaled % scale;
      for (std::uint32_t d = scale / 10; d > 0; d /= 10) {
        put(static_cast<char>('0' + rest / d));
        rest %= d;
      }
    }
  }

  // round(m * k * 2^e) with a 96-bit intermediate, for m < 2^53, k < 2^32, result < 2^64.
  static constexpr std::uint64_t mul_shift_round(std::uint64_t m, std::uint32_t k, int e) noexcept {
    if (e >= 0) return (m * k) << e;  // the caller keeps this below 2^64
    // (hi:lo) = m * k as a 128-bit number split at bit 64, built from 32-bit halves.
    const std::uint64_t lo_part = (m & 0xffffffffu) * k;
    const std::uint64_t hi_part = (m >> 32) * k;
    std::uint64_t lo = lo_part + (hi_part << 32);
    std::uint64_t hi = (hi_part >> 32) + (lo < lo_part ? 1 : 0);
    const int s = -e;
    if (s >= 128) return 0;
    // Round half up: add 2^(s-1) before shifting right by s.
    const std::uint64_t half_lo = s - 1 < 64 ? std::uint64_t{1} << (s - 1) : 0;
    const std::uint64_t half_hi = s - 1 >= 64 ? std::uint64_t{1} << (s - 1 - 64) : 0;
    const std::uint64_t old_lo = lo;
    lo += half_lo;
    hi += half_hi + (lo < old_lo ? 1 : 0);
    if (s >= 64) return hi >> (s - 64);
    return (lo >> s) | (hi << (64 - s));
  }

  char buf_[capacity + 1] = {};
  std::size_t size_ = 0;
};

/// FNV-1a over 32-bit words taken least significant byte first, so the checksum of a set of
/// weights is the same on every platform whatever its byte order.
class fnv1a32 {
 public:
  constexpr void add(std::uint32_t word) noexcept {
    for (int k = 0; k < 4; ++k) {
      hash_ ^= (word >> (8 * k)) & 0xffu;
      hash_ *= 16777619u;
    }
  }
  constexpr void add(float v) noexcept { add(std::bit_cast<std::uint32_t>(v)); }
  /// A byte as one word, its bits unchanged (every target widens it alike).
  constexpr void add(std::int8_t v) noexcept {
    add(static_cast<std::uint32_t>(static_cast<std::uint8_t>(v)));
  }
  constexpr void add(double v) noexcept {
    const std::uint64_t b = std::bit_cast<std::uint64_t>(v);
    add(static_cast<std::uint32_t>(b));
    add(static_cast<std::uint32_t>(b >> 32));
  }
  constexpr std::uint32_t value() const noexcept { return hash_; }

 private:
  std::uint32_t hash_ = 2166136261u;
};

}  // namespace fw
