# RV32IMAC (GD32VF103, CH32V203 class): no FPU, so float arithmetic is libgcc's IEEE soft
# float; ilp32 passes floats in integer registers.
set(CONSTNN_CPU riscv32-imac)
set(CONSTNN_CPU_FLAGS "-march=rv32imac -mabi=ilp32")
include(${CMAKE_CURRENT_LIST_DIR}/riscv64-unknown-elf-gcc.cmake)
