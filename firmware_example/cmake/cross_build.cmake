# Cross side of the firmware example: a host sub-build (train_export, the model header, the
# host application, the plugin), this CPU's firmware image, and its tests under QEMU.
if(NOT DEFINED CONSTNN_CPU)
  message(FATAL_ERROR "constnn: cross builds of the firmware need a toolchain file from "
                      "toolchains/ (it names the CPU in CONSTNN_CPU)")
endif()
constnn_board(${CONSTNN_CPU})

# A cross compiler cannot build train_export, so a host configure of this same source tree
# builds it (and the host twin of the firmware) under build/<preset>/host-tools.
include(ExternalProject)
set(fw_host_dir ${CMAKE_BINARY_DIR}/host-tools)
set(fw_host_example ${fw_host_dir}/firmware_example)
set(fw_host_exe ${fw_host_example}/firmware_example_host)
set(fw_plugin ${fw_host_example}/libconstnn_insn_count.so)
set(fw_header ${fw_host_example}/generated/firmware_model.hpp)
set(fw_host_targets firmware_example_host constnn_insn_count)
if(CMAKE_GENERATOR MATCHES "Makefiles")
  # A literal $(MAKE) lets the inner make share the outer one's -j job slots.
  set(fw_host_build $(MAKE) ${fw_host_targets})
else()
  set(fw_host_build ${CMAKE_COMMAND} --build <BINARY_DIR> --target ${fw_host_targets})
endif()
ExternalProject_Add(constnn_host_tools
  SOURCE_DIR ${PROJECT_SOURCE_DIR}
  BINARY_DIR ${fw_host_dir}
  CMAKE_ARGS
    -DCMAKE_BUILD_TYPE=Release
    -DCONSTNN_BUILD_TESTS=OFF
    -DCONSTNN_BUILD_HOST_TOOLS=ON
    -DCONSTNN_BUILD_FIRMWARE=ON
    -DCONSTNN_FIRMWARE_BUDGET_OF=${CONSTNN_CPU}
    -DCONSTNN_OCR_DATA_DIR=${CONSTNN_OCR_DATA_DIR}
    -DCONSTNN_FASHION_MNIST_DIR=${CONSTNN_FASHION_MNIST_DIR}
    -DCONSTNN_FIRMWARE_EPOCHS=${CONSTNN_FIRMWARE_EPOCHS}
    -DCONSTNN_FIRMWARE_MODEL_HEADER=${CONSTNN_FIRMWARE_MODEL_HEADER}
  BUILD_COMMAND ${fw_host_build}
  INSTALL_COMMAND ""
  # The sub-build is incremental; always asking it keeps edits to tools or data effective.
  BUILD_ALWAYS TRUE
  BUILD_BYPRODUCTS ${fw_header} ${fw_host_exe} ${fw_plugin})

configure_file(${CMAKE_CURRENT_SOURCE_DIR}/ld/board.ld.in ${CMAKE_CURRENT_BINARY_DIR}/board.ld @ONLY)

add_executable(firmware_example ${fw_src}/app.cpp ${fw_src}/startup.cpp
               ${fw_src}/platform_semihosting.cpp ${fw_src}/bench_markers.cpp)
add_dependencies(firmware_example constnn_host_tools)
set_target_properties(firmware_example PROPERTIES
  SUFFIX ".elf"
  LINK_DEPENDS "${CMAKE_CURRENT_BINARY_DIR}/board.ld;${CMAKE_CURRENT_SOURCE_DIR}/ld/common.ld")
target_include_directories(firmware_example PRIVATE ${fw_host_example}/generated)
target_compile_definitions(firmware_example PRIVATE
  CONSTNN_FIRMWARE_TARGET="${CONSTNN_CPU}"
  CONSTNN_FIRMWARE_MODEL_RAM_BYTES=${constnn_board_model_ram_bytes})
target_compile_options(firmware_example PRIVATE
  $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti -fno-threadsafe-statics>
  -ffunction-sections -fdata-sections)
target_link_options(firmware_example PRIVATE
  -nostartfiles -L${CMAKE_CURRENT_SOURCE_DIR}/ld -T${CMAKE_CURRENT_BINARY_DIR}/board.ld
  -Wl,--gc-sections -Wl,-Map=${CMAKE_CURRENT_BINARY_DIR}/firmware_example.map
  -Wl,--print-memory-usage)
target_link_libraries(firmware_example PRIVATE constnn::constnn constnn_warnings)

# ---- tests: run under QEMU against the host, no heap, sizes, instruction counts ----

find_program(CONSTNN_QEMU_SYSTEM_ARM qemu-system-arm)
if(NOT CONSTNN_QEMU_SYSTEM_ARM)
  # Tests still exist, and fail saying why, rather than vanishing from CI.
  set(CONSTNN_QEMU_SYSTEM_ARM "qemu-system-arm-not-found (install Debian's qemu-system-arm)")
endif()
set(fw_test_dir ${CMAKE_CURRENT_BINARY_DIR})
set(fw_prefix firmware_${CONSTNN_CPU})

add_test(NAME ${fw_prefix}_output_equals_host_byte_for_byte
  COMMAND ${CMAKE_COMMAND} -DQEMU=${CONSTNN_QEMU_SYSTEM_ARM} -DMACHINE=${constnn_board_machine}
          -DELF=$<TARGET_FILE:firmware_example> -DHOST_EXE=${fw_host_exe} -DOUT_DIR=${fw_test_dir}
          -DTIMEOUT=120 -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/run_in_qemu.cmake)

add_test(NAME ${fw_prefix}_links_no_heap_and_no_exceptions
  COMMAND ${CMAKE_COMMAND} -DNM=${CMAKE_NM} -DFILE=$<TARGET_FILE:firmware_example>
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/check_symbols.cmake)

# The same check on newlib's libc, which does define malloc, must fail: proof that the
# check above can see what it looks for.
separate_arguments(fw_cpu_flags UNIX_COMMAND "${CMAKE_CXX_FLAGS}")
execute_process(COMMAND ${CMAKE_CXX_COMPILER} ${fw_cpu_flags} -print-file-name=libc.a
                OUTPUT_VARIABLE fw_libc OUTPUT_STRIP_TRAILING_WHITESPACE)
if(EXISTS "${fw_libc}")
  add_test(NAME ${fw_prefix}_heap_check_detects_malloc_in_libc
    COMMAND ${CMAKE_COMMAND} -DNM=${CMAKE_NM} -DFILE=${fw_libc}
            -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/check_symbols.cmake)
  set_tests_properties(${fw_prefix}_heap_check_detects_malloc_in_libc PROPERTIES WILL_FAIL TRUE)
endif()

add_test(NAME ${fw_prefix}_fits_part_and_prints_sizes
  COMMAND ${CMAKE_COMMAND} -DSIZE=${CMAKE_SIZE} -DELF=$<TARGET_FILE:firmware_example>
          -DTARGET=${CONSTNN_CPU} -DFLASH_BYTES=${constnn_board_flash_bytes}
          -DRAM_BYTES=${constnn_board_ram_bytes} -DSTACK_BYTES=${constnn_board_stack_bytes}
          -DOUT_FILE=${fw_test_dir}/figures_sizes.txt
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/report_sizes.cmake)

add_test(NAME ${fw_prefix}_instruction_counts
  COMMAND ${CMAKE_COMMAND} -DQEMU=${CONSTNN_QEMU_SYSTEM_ARM} -DMACHINE=${constnn_board_machine}
          -DELF=$<TARGET_FILE:firmware_example> -DNM=${CMAKE_NM} -DPLUGIN=${fw_plugin}
          -DTARGET=${CONSTNN_CPU} -DOUT_DIR=${fw_test_dir}
          -DOUT_FILE=${fw_test_dir}/figures_instructions.txt -DTIMEOUT=120
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/count_instructions.cmake)
set_tests_properties(${fw_prefix}_instruction_counts PROPERTIES LABELS figures)
