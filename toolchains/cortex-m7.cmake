# Cortex-M7 with its double-precision FPU, hard-float ABI.
set(CONSTNN_CPU cortex-m7)
set(CONSTNN_CPU_FLAGS "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16")
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi-gcc.cmake)
