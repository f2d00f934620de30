// Number spellings shared by every writer: shortest round-trip decimals and C++ literals.
#pragma once

#include <charconv>
#include <string>
#include <string_view>

namespace host_tools {

/// The shortest decimal that reads back as exactly `value` (std::to_chars), e.g. "0.77".
std::string shortest(double value);
std::string shortest(float value);

/// A C++ hexadecimal floating literal with the value's exact bits, e.g. "-0x1.99999ap-4f".
/// Requires a finite value.
std::string hex_literal(float value);
std::string hex_literal(double value);

/// A C++ decimal floating literal that the compiler rounds back to exactly `value`, e.g. "1.0f";
/// easier to read than hex_literal for data such as 0/1 pixels. Requires a finite value.
std::string decimal_literal(float value);
std::string decimal_literal(double value);

/// The T nearest to a decimal as written: a float run uses the float nearest to "0.01", not
/// the float nearest to the double nearest to it. Zero for text that is not a number (callers
/// check their values first).
template <class T>
T nearest_value(std::string_view text) {
  T value{};
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace host_tools
