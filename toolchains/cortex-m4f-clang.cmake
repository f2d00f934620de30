# Cortex-M4 with its single-precision FPU, hard-float ABI, compiled by clang.
set(CONSTNN_CPU cortex-m4f)
set(CONSTNN_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi-clang.cmake)
