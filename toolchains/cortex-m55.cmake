# Cortex-M55 (ARMv8.1-M) with its FPU and integer Helium (MVE), hard-float ABI.
# Helium's float vector instructions flush subnormals to zero whatever FPSCR.FZ says (the
# architecture's "standard FPSCR value", as for Neon; QEMU models it so), yet GCC vectorises
# float loops with them without -ffast-math. Leaving out MVE.fp keeps every float operation
# IEEE-exact, so the M55 agrees with the host bit for bit.
set(CONSTNN_CPU cortex-m55)
set(CONSTNN_CPU_FLAGS "-mcpu=cortex-m55+nomve.fp -mthumb -mfloat-abi=hard -mfpu=auto")
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi-gcc.cmake)
