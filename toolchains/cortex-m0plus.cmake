# Cortex-M0+ (ARMv6-M): no FPU, so float arithmetic is libgcc's IEEE soft float.
set(CONSTNN_CPU cortex-m0plus)
set(CONSTNN_CPU_FLAGS "-mcpu=cortex-m0plus -mthumb -mfloat-abi=soft")
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi-gcc.cmake)
