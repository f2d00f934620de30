# RV32IMAFC (CH32V303/V307 class): single-precision FPU, hard-float ABI ilp32f; doubles stay
# libgcc's soft float. The F extension has fused multiply-add, which constnn's
# -ffp-contract=off keeps the compiler from using.
set(CONSTNN_CPU riscv32-imafc)
set(CONSTNN_CPU_FLAGS "-march=rv32imafc -mabi=ilp32f")
include(${CMAKE_CURRENT_LIST_DIR}/riscv64-unknown-elf-gcc.cmake)
