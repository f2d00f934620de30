# Compiles header_on_target.cpp with an exported header for every Cortex-M preset, when
# arm-none-eabi-g++ is installed: the toolchain file's CPU flags, C++20, no exceptions or RTTI,
# only lib/include on the path. (The RISC-V presets borrow a C++ library's headers from the Arm
# toolchain, which their toolchain file sets up; the firmware build compiles headers there.)
#   cmake -DSOURCE=... -DHEADER=... -DMODEL=... -DINCLUDE=lib/include -DTOOLCHAINS=toolchains
#         -DOUT=dir -P header_on_target.cmake
file(GLOB toolchain_files "${TOOLCHAINS}/cortex-*.cmake")
set(compiled 0)
foreach(toolchain IN LISTS toolchain_files)
  get_filename_component(preset "${toolchain}" NAME_WE)
  file(READ "${toolchain}" text)
  if(NOT text MATCHES "set\\(CONSTNN_CPU_FLAGS \"([^\"]*)\"\\)")
    message(FATAL_ERROR "${toolchain}: no CONSTNN_CPU_FLAGS")
  endif()
  separate_arguments(cpu_flags UNIX_COMMAND "${CMAKE_MATCH_1}")
  unset(compiler)
  if(text MATCHES "arm-none-eabi-clang")
    # The clang preset's CPU is the Cortex-M4F's, which arm-none-eabi-g++ checks here.
    continue()
  else()
    find_program(compiler arm-none-eabi-g++ NO_CACHE)
  endif()
  if(NOT compiler)
    message(STATUS "${preset}: no compiler installed, not checked")
    continue()
  endif()
  set(kind)
  if(MODEL MATCHES "^int8_")
    set(kind -DINT8_MODEL)  # an int8 header: its softmax is checked too
  endif()
  execute_process(
    COMMAND "${compiler}" ${cpu_flags} -std=c++20 -O2 -fno-exceptions -fno-rtti -ffp-contract=off
            -Wall -Wextra -Werror -I "${INCLUDE}" -include "${HEADER}" "-DMODEL=${MODEL}" ${kind}
            -c "${SOURCE}" -o "${OUT}/${MODEL}_${preset}.o"
    RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${preset}: ${HEADER} does not compile:\n${out}${err}")
  endif()
  message(STATUS "${preset}: ${HEADER} compiles, its samples predicted as on the host")
  math(EXPR compiled "${compiled} + 1")
endforeach()
if(compiled EQUAL 0)
  message(STATUS "no microcontroller compiler installed")
  # ctest's SKIP_REGULAR_EXPRESSION turns this into a skipped test.
  message("SKIPPED: no microcontroller compiler")
endif()
