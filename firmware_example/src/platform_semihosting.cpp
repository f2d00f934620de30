// The target's console and exit code: Arm semihosting, which QEMU forwards to its stdout.
#include <cstdint>

#include "platform.hpp"
#include "semihosting.hpp"

namespace {

constexpr int sys_write0 = 0x04;
constexpr int sys_exit_extended = 0x20;
constexpr std::uint32_t adp_stopped_application_exit = 0x20026;

// bkpt 0xAB is the M-profile semihosting call: r0 the operation, r1 its argument block.
int semihosting_call(int operation, const void* argument) noexcept {
  register int r0 asm("r0") = operation;
  register const void* r1 asm("r1") = argument;
  asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

}  // namespace

void fw::write_text(const char* s) noexcept {
  semihosting_call(sys_write0, s);
}

void fw::semihosting_exit(int status) noexcept {
  // SYS_EXIT_EXTENDED carries the whole status; plain SYS_EXIT could only say ok or not ok.
  const std::uint32_t block[2] = {adp_stopped_application_exit, static_cast<std::uint32_t>(status)};
  semihosting_call(sys_exit_extended, block);
  for (;;) {
  }
}
