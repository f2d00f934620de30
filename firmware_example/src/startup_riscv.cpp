// RISC-V startup: reset entry (stack, trap vector, FPU), .data, .bss, constructors, traps.
#include <cstdint>

#include "app.hpp"
#include "platform.hpp"
#include "semihosting.hpp"

// Symbols of the linker script (ld/common.ld).
extern "C" {
extern std::uint32_t __data_start;
extern std::uint32_t __data_end;
extern const std::uint32_t __data_load;
extern std::uint32_t __bss_start;
extern std::uint32_t __bss_end;
using constructor = void (*)();
extern const constructor __init_array_start[];
extern const constructor __init_array_end[];

[[noreturn]] void reset_handler();
[[noreturn]] void startup_main();
[[noreturn]] void fault_handler();
}

// The machine jumps to the start of flash, so the entry goes first (section .vectors). No
// C++ may run before sp is set, hence naked. gp is left alone: the linker scripts define no
// __global_pointer$, so the linker never relaxes accesses to gp-relative ones. Zicsr is
// named for the CSR instructions because -march=rv32imac leaves it out (GCC 12 follows the
// 2019 ISA spec) while every core of this class has it.
extern "C" [[gnu::naked, noreturn, gnu::section(".vectors")]] void reset_handler() {
  asm volatile(
      ".option push\n"
      ".option arch, +zicsr\n"
      "la sp, __stack_top\n"
      // Direct mode: every trap goes to fault_handler, which is 4-byte aligned.
      "la t0, fault_handler\n"
      "csrw mtvec, t0\n"
#if defined(__riscv_flen)
      // mstatus.FS from Off to Initial: float instructions trap until it is set.
      "li t0, 0x2000\n"
      "csrs mstatus, t0\n"
      // Round to nearest, no flags: the host's floating-point environment.
      "csrw fcsr, zero\n"
#endif
      ".option pop\n"
      "j startup_main\n");
}

extern "C" void startup_main() {
  // volatile accesses keep the compiler from turning these loops into calls to the very
  // memcpy/memset that may themselves rely on initialised data.
  volatile std::uint32_t* dst = &__data_start;
  const volatile std::uint32_t* src = &__data_load;
  while (dst < &__data_end) *dst++ = *src++;
  for (volatile std::uint32_t* p = &__bss_start; p < &__bss_end; ++p) *p = 0;
  for (const constructor* c = __init_array_start; c < __init_array_end; ++c) (*c)();
  fw::semihosting_exit(fw::run_example());
}

// mtvec's low two bits select the mode, so the handler must be 4-byte aligned. It never
// returns, so it needs no interrupt prologue.
extern "C" [[gnu::aligned(4)]] void fault_handler() {
  fw::write_text("fault: the firmware took a processor exception\n");
  fw::semihosting_exit(3);
}
