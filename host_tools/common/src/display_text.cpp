// Makes user-controlled text (file names, option values) safe to print on one line or to put
// into a C++ comment: nothing in it can end the line, splice the next one or disguise itself.
#include "display_text.hpp"

#include <cstddef>
#include <cstdint>

#include <fmt/format.h>

namespace host_tools {
namespace {

// Length of the valid UTF-8 sequence at the start of `s` and its code point, or 0 if the first
// byte does not start one (overlong forms, surrogates and values past U+10FFFF are invalid).
std::size_t utf8_sequence(std::string_view s, char32_t& code_point) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  char32_t value = 0;
  char32_t minimum = 0;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, value = lead & 0x1Fu, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, value = lead & 0x0Fu, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, value = lead & 0x07u, minimum = 0x10000;
  } else {
    return 0;
  }
  if (s.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    value = (value << 6) | (byte(i) & 0x3Fu);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  code_point = value;
  return length;
}

bool moves_or_splits_text(char32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x061C || c == 0x200E ||
         c == 0x200F || c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

std::string escaped(std::string_view text, bool double_backslashes) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    char32_t c = 0;
    std::size_t length = utf8_sequence(text, c);
    const bool escape = length == 0 || moves_or_splits_text(c);
    if (length == 0) length = 1;
    if (escape) {
      for (std::size_t i = 0; i < length; ++i) {
        out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i]));
      }
    } else if (double_backslashes && c == '\\') {
      out += "\\\\";
    } else {
      out.append(text.substr(0, length));
    }
    text.remove_prefix(length);
  }
  return out;
}

}  // namespace

std::string one_line(std::string_view text) {
  return escaped(text, false);
}

std::string comment_text(std::string_view text) {
  return escaped(text, true);
}

}  // namespace host_tools
