// Cortex-M startup: vector table, reset handler (FPU, .data, .bss, constructors) and faults.
#include <cstddef>
#include <cstdint>

#include "app.hpp"
#include "platform.hpp"
#include "semihosting.hpp"

// Symbols of the linker script (ld/common.ld).
extern "C" {
extern std::uint32_t __stack_top;
extern std::uint32_t __data_start;
extern std::uint32_t __data_end;
extern const std::uint32_t __data_load;
extern std::uint32_t __bss_start;
extern std::uint32_t __bss_end;
extern std::uint32_t __stack_limit;
using constructor = void (*)();
extern const constructor __init_array_start[];
extern const constructor __init_array_end[];

[[noreturn]] void reset_handler();
[[noreturn]] void startup_main();
[[noreturn]] void fault_handler();
}

namespace {

using handler = void (*)();

// The architecture's exceptions 1..15; interrupts are never enabled, so none follow.
struct vector_table {
  const std::uint32_t* initial_stack;
  handler exceptions[15];
};

}  // namespace

[[gnu::section(".vectors"), gnu::used]] extern const vector_table constnn_vector_table = {
    &__stack_top,
    {reset_handler, fault_handler, fault_handler, fault_handler, fault_handler, fault_handler,
     fault_handler, nullptr, nullptr, nullptr, fault_handler, fault_handler, nullptr, fault_handler,
     fault_handler}};

// The FPU must be on before the compiler's code may touch a float register, so this entry
// is naked and switches it on before any C++ runs.
extern "C" [[gnu::naked, noreturn]] void reset_handler() {
#if defined(__ARM_FP)
  // CPACR (0xE000ED88): full access to coprocessors 10 and 11, i.e. the FPU.
  asm volatile(
      "ldr r0, =0xE000ED88\n"
      "ldr r1, [r0]\n"
      "orr r1, r1, #(0xF << 20)\n"
      "str r1, [r0]\n"
      "dsb\n"
      "isb\n"
      "b startup_main\n");
#else
  asm volatile("b startup_main\n");
#endif
}

extern "C" void startup_main() {
#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
  // ARMv8-M checks the stack limit in hardware: an overflow faults instead of silently
  // overwriting .bss (the training weights).
  asm volatile("msr msplim, %0" : : "r"(&__stack_limit));
#endif
  // volatile accesses keep the compiler from turning these loops into calls to the very
  // memcpy/memset that may themselves rely on initialised data.
  volatile std::uint32_t* dst = &__data_start;
  const volatile std::uint32_t* src = &__data_load;
  while (dst < &__data_end) *dst++ = *src++;
  for (volatile std::uint32_t* p = &__bss_start; p < &__bss_end; ++p) *p = 0;
  for (const constructor* c = __init_array_start; c < __init_array_end; ++c) (*c)();
  fw::semihosting_exit(fw::run_example());
}

extern "C" void fault_handler() {
  fw::write_text("fault: the firmware took a processor exception\n");
  fw::semihosting_exit(3);
}
