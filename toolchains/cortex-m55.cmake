# Cortex-M55 (ARMv8.1-M) with its FPU and the Helium (MVE) extension the CPU implies, hard-float ABI.
set(CONSTNN_CPU cortex-m55)
set(CONSTNN_CPU_FLAGS "-mcpu=cortex-m55 -mthumb -mfloat-abi=hard -mfpu=auto")
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi-gcc.cmake)
