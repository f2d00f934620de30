// Number spellings shared by every writer: shortest round-trip decimals and C++ literals.
#include "number_format.hpp"

#include <array>
#include <charconv>
#include <string_view>

namespace host_tools {
namespace {

template <class T>
std::string to_text(T value, std::chars_format format) {
  std::array<char, 64> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, format);
  return std::string(buffer.data(), result.ptr);
}

template <class T>
std::string shortest_text(T value) {
  std::array<char, 64> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), result.ptr);
}

constexpr std::string_view suffix(float) {
  return "f";
}
constexpr std::string_view suffix(double) {
  return "";
}

template <class T>
std::string hex_literal_of(T value) {
  std::string digits = to_text(value, std::chars_format::hex);  // "-1.8p+3": no "0x" prefix
  const bool negative = digits.front() == '-';
  return (negative ? "-0x" : "0x") + digits.substr(negative ? 1 : 0) + std::string(suffix(value));
}

template <class T>
std::string decimal_literal_of(T value) {
  std::string digits = shortest_text(value);
  // "1" is an integer literal and "1f" is ill-formed; a point makes both a floating literal.
  if (digits.find_first_of(".e") == std::string::npos) digits += ".0";
  return digits + std::string(suffix(value));
}

}  // namespace

std::string shortest(double value) {
  return shortest_text(value);
}
std::string shortest(float value) {
  return shortest_text(value);
}
std::string hex_literal(float value) {
  return hex_literal_of(value);
}
std::string hex_literal(double value) {
  return hex_literal_of(value);
}
std::string decimal_literal(float value) {
  return decimal_literal_of(value);
}
std::string decimal_literal(double value) {
  return decimal_literal_of(value);
}

}  // namespace host_tools
