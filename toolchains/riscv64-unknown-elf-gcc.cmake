# Common part of the RISC-V toolchain files: Debian's bare-metal GNU RISC-V compiler with
# picolibc, nothing about boards. A per-CPU file sets CONSTNN_CPU and CONSTNN_CPU_FLAGS (-march
# and -mabi, which also pick libgcc's and picolibc's multilib), then includes this one.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv32)

set(CMAKE_C_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_CXX_COMPILER riscv64-unknown-elf-g++)
set(CMAKE_ASM_COMPILER riscv64-unknown-elf-gcc)
find_program(CMAKE_OBJCOPY riscv64-unknown-elf-objcopy)
find_program(CMAKE_OBJDUMP riscv64-unknown-elf-objdump)
find_program(CMAKE_SIZE riscv64-unknown-elf-size)
find_program(CMAKE_NM riscv64-unknown-elf-nm)

# Debian 12 ships no C++ library for riscv64-unknown-elf. What constnn and the firmware use of
# it (<array>, <span>, <type_traits>, <limits>, <bit>, <utility>, <cstdint>, <cstddef>) is
# header-only templates, so GCC 12's libstdc++ headers as configured for bare-metal newlib
# (libstdc++-arm-none-eabi-dev, written for no particular CPU apart from cpu_defines.h's
# numeric_limits<T>::traps) serve; nothing of libstdc++ is linked.
set(CONSTNN_RISCV_CXX_HEADERS /usr/include/newlib/c++/12.2.1)
if(NOT EXISTS ${CONSTNN_RISCV_CXX_HEADERS}/array)
  message(FATAL_ERROR "constnn: ${CONSTNN_RISCV_CXX_HEADERS}/array not found; install Debian's "
                      "libstdc++-arm-none-eabi-dev (its C++ headers serve the RISC-V compiler)")
endif()

# A bare-metal executable cannot link without a linker script and startup code, so compiler
# checks build a static library instead.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# try_compile projects run the toolchain file again without the including file's variables
# unless they are forwarded.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES CONSTNN_CPU CONSTNN_CPU_FLAGS)

set(CMAKE_C_FLAGS_INIT "${CONSTNN_CPU_FLAGS} --specs=picolibc.specs")
set(CMAKE_CXX_FLAGS_INIT "${CONSTNN_CPU_FLAGS} --specs=picolibc.specs -nostdinc++ -isystem ${CONSTNN_RISCV_CXX_HEADERS} -isystem ${CONSTNN_RISCV_CXX_HEADERS}/arm-none-eabi")
set(CMAKE_ASM_FLAGS_INIT "${CONSTNN_CPU_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${CONSTNN_CPU_FLAGS} --specs=picolibc.specs")
# g++ would add -lstdc++, which does not exist here; the C driver links libc and libgcc only.
# The compile flags stay off the link line, which has the CPU flags and picolibc.specs already
# (the driver refuses the specs file twice).
set(CMAKE_CXX_LINK_EXECUTABLE
    "${CMAKE_C_COMPILER} <CMAKE_CXX_LINK_FLAGS> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")

# Host programs and libraries must never leak into the cross build.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
