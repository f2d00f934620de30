# Common part of the clang Cortex-M toolchain files: clang compiles for arm-none-eabi against
# the GNU Arm toolchain's newlib and libstdc++ headers, and arm-none-eabi-g++ links (libgcc,
# newlib and the multilib its CPU flags select), so the two compilers differ only in code
# generation. A per-CPU file sets CONSTNN_CPU and CONSTNN_CPU_FLAGS, then includes this one.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

find_program(CONSTNN_CLANGXX NAMES clang++-19 clang++ REQUIRED)
find_program(CONSTNN_ARM_GXX arm-none-eabi-g++ REQUIRED)
set(CMAKE_CXX_COMPILER ${CONSTNN_CLANGXX})
set(CMAKE_CXX_COMPILER_TARGET arm-none-eabi)
find_program(CMAKE_AR arm-none-eabi-ar)
find_program(CMAKE_RANLIB arm-none-eabi-ranlib)
find_program(CMAKE_OBJCOPY arm-none-eabi-objcopy)
find_program(CMAKE_SIZE arm-none-eabi-size)
find_program(CMAKE_NM arm-none-eabi-nm)

set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES CONSTNN_CPU CONSTNN_CPU_FLAGS)

# The GNU toolchain's headers for this CPU: libstdc++'s c++config.h is per multilib.
separate_arguments(constnn_cpu_flag_list UNIX_COMMAND "${CONSTNN_CPU_FLAGS}")
execute_process(COMMAND ${CONSTNN_ARM_GXX} ${constnn_cpu_flag_list} -print-multi-directory
                OUTPUT_VARIABLE constnn_multilib OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${CONSTNN_ARM_GXX} -print-sysroot
                OUTPUT_VARIABLE constnn_gnu_sysroot OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${CONSTNN_ARM_GXX} -dumpversion
                OUTPUT_VARIABLE constnn_gnu_version OUTPUT_STRIP_TRAILING_WHITESPACE)
if(constnn_gnu_sysroot STREQUAL "")
  set(constnn_gnu_sysroot /usr/lib/arm-none-eabi)
endif()
set(constnn_cxx_headers ${constnn_gnu_sysroot}/include/c++/${constnn_gnu_version})
# -fshort-enums: the GNU EABI for bare metal uses the smallest enum type, so does newlib.
set(constnn_clang_flags "${CONSTNN_CPU_FLAGS} -fshort-enums --sysroot=${constnn_gnu_sysroot} -nostdinc++ \
-isystem ${constnn_cxx_headers} -isystem ${constnn_cxx_headers}/arm-none-eabi/${constnn_multilib} \
-isystem ${constnn_cxx_headers}/backward")

set(CMAKE_CXX_FLAGS_INIT "${constnn_clang_flags}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${CONSTNN_CPU_FLAGS}")
set(CMAKE_CXX_LINK_EXECUTABLE
    "${CONSTNN_ARM_GXX} <CMAKE_CXX_LINK_FLAGS> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
