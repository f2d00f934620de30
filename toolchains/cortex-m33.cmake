# Cortex-M33 (ARMv8-M Mainline) with its single-precision FPU, hard-float ABI.
set(CONSTNN_CPU cortex-m33)
set(CONSTNN_CPU_FLAGS "-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16")
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi-gcc.cmake)
