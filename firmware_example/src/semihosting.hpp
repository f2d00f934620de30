// Leaving the program under a semihosting debugger or QEMU.
#pragma once

namespace fw {

/// Ends the program with `status` as QEMU's exit code; never returns.
[[noreturn]] void semihosting_exit(int status) noexcept;

}  // namespace fw
