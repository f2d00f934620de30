// The host's console for the firmware example: plain stdout.
#include <cstdio>

#include "platform.hpp"

void fw::write_text(const char* s) noexcept {
  std::fputs(s, stdout);
}
