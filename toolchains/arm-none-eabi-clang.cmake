# Common part of the clang Cortex-M toolchain files: clang compiles for arm-none-eabi against
# the GNU Arm toolchain's newlib and libstdc++ headers, and arm-none-eabi-g++ links (libgcc,
# newlib and the multilib its CPU flags select), so the two compilers differ only in code
# generation. A per-CPU file sets CONSTNN_CPU and CONSTNN_CPU_FLAGS, then includes this one.

# Everything but the C++ compiler and its flags is the GNU toolchain file's.
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi-gcc.cmake)
find_program(CONSTNN_CLANGXX NAMES clang++-19 clang++ REQUIRED)
find_program(CONSTNN_ARM_GXX arm-none-eabi-g++ REQUIRED)
set(CMAKE_CXX_COMPILER ${CONSTNN_CLANGXX})
find_program(CMAKE_AR arm-none-eabi-ar)
find_program(CMAKE_RANLIB arm-none-eabi-ranlib)
find_program(CMAKE_OBJDUMP arm-none-eabi-objdump)

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
# --target in the flags, not CMAKE_CXX_COMPILER_TARGET: the firmware's own compiler probes read
# CMAKE_CXX_FLAGS.
set(constnn_clang_flags "--target=arm-none-eabi ${CONSTNN_CPU_FLAGS} -fshort-enums --sysroot=${constnn_gnu_sysroot} -nostdinc++ \
-isystem ${constnn_cxx_headers} -isystem ${constnn_cxx_headers}/arm-none-eabi/${constnn_multilib} \
-isystem ${constnn_cxx_headers}/backward")

set(CMAKE_CXX_FLAGS_INIT "${constnn_clang_flags}")
set(CMAKE_CXX_LINK_EXECUTABLE
    "${CONSTNN_ARM_GXX} <CMAKE_CXX_LINK_FLAGS> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
