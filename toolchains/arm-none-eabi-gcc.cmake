# Common part of the Cortex-M toolchain files: the bare-metal GNU Arm compiler, nothing about boards.
# A per-CPU file sets CONSTNN_CPU and CONSTNN_CPU_FLAGS, then includes this one.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
find_program(CMAKE_OBJCOPY arm-none-eabi-objcopy)
find_program(CMAKE_SIZE arm-none-eabi-size)
find_program(CMAKE_NM arm-none-eabi-nm)

# A bare-metal executable cannot link without a linker script and startup code, so compiler
# checks build a static library instead.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# try_compile projects run the toolchain file again without the including file's variables
# unless they are forwarded.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES CONSTNN_CPU CONSTNN_CPU_FLAGS)

set(CMAKE_C_FLAGS_INIT "${CONSTNN_CPU_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${CONSTNN_CPU_FLAGS}")
set(CMAKE_ASM_FLAGS_INIT "${CONSTNN_CPU_FLAGS}")
# The CPU flags also select newlib's and libgcc's multilib at link time.
set(CMAKE_EXE_LINKER_FLAGS_INIT "${CONSTNN_CPU_FLAGS}")

# Host programs and libraries must never leak into the cross build.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
