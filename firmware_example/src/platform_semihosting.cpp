// The target's console and exit code: Arm-style semihosting (Arm and RISC-V), which QEMU
// forwards to its stdout.
#include <cstdint>

#include "platform.hpp"
#include "semihosting.hpp"

namespace {

constexpr int sys_write0 = 0x04;
constexpr int sys_exit_extended = 0x20;
constexpr std::uint32_t adp_stopped_application_exit = 0x20026;

#if defined(__arm__)
// bkpt 0xAB is the M-profile semihosting call: r0 the operation, r1 its argument block.
int semihosting_call(int operation, const void* argument) noexcept {
  register int r0 asm("r0") = operation;
  register const void* r1 asm("r1") = argument;
  asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}
#elif defined(__riscv)
// RISC-V semihosting: an ebreak between two marker no-ops, a0 the operation, a1 its argument
// block. The debugger recognises the three only as uncompressed instructions within one page,
// hence norvc and the alignment.
int semihosting_call(int operation, const void* argument) noexcept {
  register int a0 asm("a0") = operation;
  register const void* a1 asm("a1") = argument;
  asm volatile(
      ".option push\n"
      ".option norvc\n"
      ".balign 16\n"
      "slli zero, zero, 0x1f\n"
      "ebreak\n"
      "srai zero, zero, 0x7\n"
      ".option pop\n"
      : "+r"(a0)
      : "r"(a1)
      : "memory");
  return a0;
}
#else
#error "semihosting is written for Arm and RISC-V targets only"
#endif

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
