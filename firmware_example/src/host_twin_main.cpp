// The host twin of the firmware: the same application, printing to stdout, following the RAM
// budget named on its command line, so one host build serves every target.
#include <charconv>
#include <cstddef>
#include <cstdio>
#include <cstring>

#include "app.hpp"

int main(int argc, char** argv) {
  std::size_t model_ram_budget = 0;
  const char* bytes = argc == 3 ? argv[2] : "";
  const char* bytes_end = bytes + std::strlen(bytes);
  const auto [end, error] = std::from_chars(bytes, bytes_end, model_ram_budget);
  if (argc != 3 || error != std::errc{} || end != bytes_end || end == bytes) {
    std::fputs("usage: firmware_example_host TARGET MODEL_RAM_BYTES (the budget of "
               "firmware_example/boards.cmake's TARGET: its RAM less its stack)\n",
               stderr);
    return 2;
  }
  return fw::run_example(argv[1], model_ram_budget);
}
