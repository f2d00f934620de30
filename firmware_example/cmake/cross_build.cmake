# Cross side of the firmware example: this CPU's firmware image, and its tests under QEMU
# against what a host build made (the model header, the host twin, the plugin).
if(NOT DEFINED CONSTNN_CPU)
  message(FATAL_ERROR "constnn: cross builds of the firmware need a toolchain file from "
                      "toolchains/ (it names the CPU in CONSTNN_CPU)")
endif()
constnn_board(${CONSTNN_CPU})

# A cross compiler cannot build train_export, the host twin of the firmware or the QEMU plugin,
# and none of them depends on the target, so every cross build takes them from one host
# build of this source tree (the presets: build/host-release). Building a cross preset asks
# that build for them, which costs nothing once they are up to date.
set(CONSTNN_HOST_BUILD_DIR "" CACHE PATH
    "A configured host build of this source tree, whose model header, firmware host twin and QEMU plugin the cross build uses")
set(fw_host_manifest ${CONSTNN_HOST_BUILD_DIR}/constnn-firmware-host.cmake)
if(NOT CONSTNN_HOST_BUILD_DIR OR NOT EXISTS ${fw_host_manifest})
  message(FATAL_ERROR "constnn: cross builds take the host tools from a host build, and "
                      "CONSTNN_HOST_BUILD_DIR ('${CONSTNN_HOST_BUILD_DIR}') is not one with the "
                      "firmware example; configure it first: cmake --preset host-release")
endif()
include(${fw_host_manifest})
get_filename_component(fw_here "${PROJECT_SOURCE_DIR}" REALPATH)
get_filename_component(fw_there "${constnn_host_source_dir}" REALPATH)
if(NOT fw_here STREQUAL fw_there)
  message(FATAL_ERROR "constnn: the host build in ${CONSTNN_HOST_BUILD_DIR} is of "
                      "${constnn_host_source_dir}, not of this source tree ${PROJECT_SOURCE_DIR}")
endif()
set(fw_header ${constnn_host_model_header})
set(fw_int8_header "${constnn_host_int8_model_header}")
set(fw_cnn_header "${constnn_host_onnx_cnn_header}")
set(fw_cnn_int8_header "${constnn_host_cnn_int8_header}")
set(fw_host_exe ${constnn_host_twin})
set(fw_plugin ${constnn_host_insn_count_plugin})
get_filename_component(fw_header_dir ${fw_header} DIRECTORY)
if(CMAKE_GENERATOR MATCHES "Makefiles" AND constnn_host_generator MATCHES "Makefiles")
  # A literal $(MAKE) lets the host build's make share this one's -j job slots.
  set(fw_host_build $(MAKE) constnn_firmware_host_side)
else()
  set(fw_host_build ${CMAKE_COMMAND} --build ${CONSTNN_HOST_BUILD_DIR} --target constnn_firmware_host_side)
endif()
# Always asked, so edits to the library, the tools or the data reach the host twin too.
add_custom_target(constnn_host_tools
  COMMAND ${fw_host_build}
  WORKING_DIRECTORY ${CONSTNN_HOST_BUILD_DIR}
  BYPRODUCTS ${fw_header} ${fw_int8_header} ${fw_cnn_header} ${fw_cnn_int8_header} ${fw_host_exe}
             ${fw_plugin}
  COMMENT "Bringing the host tools in ${CONSTNN_HOST_BUILD_DIR} up to date")

configure_file(${CMAKE_CURRENT_SOURCE_DIR}/ld/board.ld.in ${CMAKE_CURRENT_BINARY_DIR}/board.ld @ONLY)

if(CMAKE_SYSTEM_PROCESSOR STREQUAL "arm")
  set(fw_startup ${fw_src}/startup.cpp)
  set(fw_qemu_name qemu-system-arm)
  set(fw_qemu_package qemu-system-arm)
elseif(CMAKE_SYSTEM_PROCESSOR STREQUAL "riscv32")
  set(fw_startup ${fw_src}/startup_riscv.cpp)
  set(fw_qemu_name qemu-system-riscv32)
  set(fw_qemu_package qemu-system-misc)
else()
  message(FATAL_ERROR "constnn: the firmware has startup code for arm and riscv32, not for "
                      "CMAKE_SYSTEM_PROCESSOR '${CMAKE_SYSTEM_PROCESSOR}'")
endif()

add_executable(firmware_example ${fw_src}/app.cpp ${fw_startup}
               ${fw_src}/platform_semihosting.cpp ${fw_src}/bench_markers.cpp)
add_dependencies(firmware_example constnn_host_tools)
set_target_properties(firmware_example PROPERTIES
  SUFFIX ".elf"
  LINK_DEPENDS "${CMAKE_CURRENT_BINARY_DIR}/board.ld;${CMAKE_CURRENT_SOURCE_DIR}/ld/common.ld")
target_include_directories(firmware_example PRIVATE ${fw_header_dir})
target_compile_definitions(firmware_example PRIVATE
  CONSTNN_FIRMWARE_TARGET="${CONSTNN_CPU}"
  CONSTNN_FIRMWARE_MODEL_RAM_BYTES=${constnn_board_model_ram_bytes})
# The host twin has the int8 part exactly when this does: both follow the host build's headers.
if(fw_int8_header)
  target_compile_definitions(firmware_example PRIVATE CONSTNN_FIRMWARE_HAS_INT8=1)
endif()
if(fw_cnn_header)
  target_compile_definitions(firmware_example PRIVATE CONSTNN_FIRMWARE_HAS_ONNX_CNN=1)
endif()
if(fw_cnn_int8_header)
  target_compile_definitions(firmware_example PRIVATE CONSTNN_FIRMWARE_HAS_CNN_INT8=1)
endif()
target_compile_options(firmware_example PRIVATE
  $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti -fno-threadsafe-statics>
  -ffunction-sections -fdata-sections)
target_link_options(firmware_example PRIVATE
  -nostartfiles -L${CMAKE_CURRENT_SOURCE_DIR}/ld -T${CMAKE_CURRENT_BINARY_DIR}/board.ld
  -Wl,--gc-sections -Wl,-Map=${CMAKE_CURRENT_BINARY_DIR}/firmware_example.map
  -Wl,--print-memory-usage)
target_link_libraries(firmware_example PRIVATE constnn::constnn constnn_warnings)

# ---- tests: run under QEMU against the host, no heap, sizes, instruction counts ----

find_program(CONSTNN_QEMU ${fw_qemu_name})
if(NOT CONSTNN_QEMU)
  # Tests still exist, and fail saying why, rather than vanishing from CI.
  set(CONSTNN_QEMU "${fw_qemu_name}-not-found (install Debian's ${fw_qemu_package})")
endif()
set(fw_test_dir ${CMAKE_CURRENT_BINARY_DIR})
set(fw_prefix firmware_${CONSTNN_CPU})

add_test(NAME ${fw_prefix}_output_equals_host_byte_for_byte
  COMMAND ${CMAKE_COMMAND} -DQEMU=${CONSTNN_QEMU} -DMACHINE=${constnn_board_machine}
          -DCPU=${constnn_board_cpu} -DELF=$<TARGET_FILE:firmware_example>
          -DHOST_EXE=${fw_host_exe} -DBUDGET_TARGET=${CONSTNN_CPU}
          -DBUDGET_BYTES=${constnn_board_model_ram_bytes} -DOUT_DIR=${fw_test_dir}
          -DTIMEOUT=120 -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/run_in_qemu.cmake)

add_test(NAME ${fw_prefix}_links_no_heap_and_no_exceptions
  COMMAND ${CMAKE_COMMAND} -DNM=${CMAKE_NM} -DFILE=$<TARGET_FILE:firmware_example>
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/check_symbols.cmake)

# The same check on the C library (newlib or picolibc), which does define malloc, must fail:
# proof that the check above can see what it looks for. The linker's trace of an empty
# program names the libc.a that the firmware's link searches.
set(fw_probe ${CMAKE_CURRENT_BINARY_DIR}/libc_probe.c)
file(WRITE ${fw_probe} "void _start(void) {}\n")
separate_arguments(fw_link_flags UNIX_COMMAND "${CMAKE_EXE_LINKER_FLAGS}")
execute_process(COMMAND ${CMAKE_C_COMPILER} ${fw_link_flags} -nostartfiles -Wl,-t ${fw_probe}
                        -o ${fw_probe}.elf
                OUTPUT_VARIABLE fw_link_trace ERROR_QUIET)
string(REGEX MATCH "[^\n]*/libc\\.a" fw_libc "${fw_link_trace}")
if(EXISTS "${fw_libc}")
  add_test(NAME ${fw_prefix}_heap_check_detects_malloc_in_libc
    COMMAND ${CMAKE_COMMAND} -DNM=${CMAKE_NM} -DFILE=${fw_libc}
            -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/check_symbols.cmake)
  set_tests_properties(${fw_prefix}_heap_check_detects_malloc_in_libc PROPERTIES WILL_FAIL TRUE)
endif()

# Contraction would round a*b+c once, the host twice: the firmware must have no fused
# instruction. Where the FPU has them, the check must catch one in code compiled with
# contraction on, or it proves nothing.
add_test(NAME ${fw_prefix}_has_no_fused_multiply_add
  COMMAND ${CMAKE_COMMAND} -DOBJDUMP=${CMAKE_OBJDUMP} -DFILE=$<TARGET_FILE:firmware_example>
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/check_no_fused_multiply_add.cmake)
separate_arguments(fw_cpu_flags UNIX_COMMAND "${CMAKE_CXX_FLAGS}")
execute_process(COMMAND ${CMAKE_CXX_COMPILER} ${fw_cpu_flags} -dM -E -x c++ /dev/null
                OUTPUT_VARIABLE fw_predefined)
# clang's Arm backend emits no VFMA for the Cortex-M4F even at -ffp-contract=fast (it calls
# fmaf() for __builtin_fmaf), so that build has no contracted code to probe; the GNU build of
# the same CPU shows the check catching one.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND CMAKE_SYSTEM_PROCESSOR STREQUAL "arm")
  set(fw_predefined "")
endif()
if(fw_predefined MATCHES "#define (__ARM_FEATURE_FMA|__riscv_flen) ")
  set(fw_fma_probe ${CMAKE_CURRENT_BINARY_DIR}/fma_probe.cpp)
  file(WRITE ${fw_fma_probe} "float constnn_fma_probe(float a, float b, float c) { return a * b + c; }\n")
  add_library(fw_fma_probe OBJECT ${fw_fma_probe})
  target_compile_options(fw_fma_probe PRIVATE -ffp-contract=fast)
  add_test(NAME ${fw_prefix}_fma_check_detects_contracted_code
    COMMAND ${CMAKE_COMMAND} -DOBJDUMP=${CMAKE_OBJDUMP} -DFILE=$<TARGET_OBJECTS:fw_fma_probe>
            -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/check_no_fused_multiply_add.cmake)
  set_tests_properties(${fw_prefix}_fma_check_detects_contracted_code PROPERTIES WILL_FAIL TRUE)
endif()

add_test(NAME ${fw_prefix}_fits_part_and_prints_sizes
  COMMAND ${CMAKE_COMMAND} -DSIZE=${CMAKE_SIZE} -DELF=$<TARGET_FILE:firmware_example>
          -DTARGET=${CONSTNN_CPU} -DFLASH_BYTES=${constnn_board_flash_bytes}
          -DRAM_BYTES=${constnn_board_ram_bytes} -DSTACK_BYTES=${constnn_board_stack_bytes}
          -DOUT_FILE=${fw_test_dir}/figures_sizes.txt
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/report_sizes.cmake)

add_test(NAME ${fw_prefix}_instruction_counts
  COMMAND ${CMAKE_COMMAND} -DQEMU=${CONSTNN_QEMU} -DMACHINE=${constnn_board_machine}
          -DCPU=${constnn_board_cpu} -DELF=$<TARGET_FILE:firmware_example> -DNM=${CMAKE_NM} -DPLUGIN=${fw_plugin}
          -DTARGET=${CONSTNN_CPU} -DOUT_DIR=${fw_test_dir}
          -DOUT_FILE=${fw_test_dir}/figures_instructions.txt -DTIMEOUT=120
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/count_instructions.cmake)
set_tests_properties(${fw_prefix}_instruction_counts PROPERTIES LABELS figures)
