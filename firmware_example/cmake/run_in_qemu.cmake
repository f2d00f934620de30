# ctest script: runs the firmware under QEMU and the same application on the host, told the
# target's RAM budget; passes only if both exit 0 and print the same bytes.
# Variables: QEMU, MACHINE, CPU (optional), ELF, HOST_EXE, BUDGET_TARGET, BUDGET_BYTES,
# OUT_DIR, TIMEOUT (seconds).
foreach(var QEMU MACHINE ELF HOST_EXE BUDGET_TARGET BUDGET_BYTES OUT_DIR TIMEOUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_in_qemu.cmake needs -D${var}=...")
  endif()
endforeach()
include(${CMAKE_CURRENT_LIST_DIR}/qemu_command.cmake)
set(host_out ${OUT_DIR}/host_output.txt)
set(qemu_out ${OUT_DIR}/qemu_output.txt)

execute_process(COMMAND ${HOST_EXE} ${BUDGET_TARGET} ${BUDGET_BYTES} INPUT_FILE /dev/null OUTPUT_FILE ${host_out}
                RESULT_VARIABLE host_status TIMEOUT ${TIMEOUT})
# stdin is /dev/null so QEMU never puts a terminal into raw mode.
execute_process(COMMAND ${fw_qemu_command} INPUT_FILE /dev/null OUTPUT_FILE ${qemu_out}
                ERROR_VARIABLE qemu_errors RESULT_VARIABLE qemu_status TIMEOUT ${TIMEOUT})
file(READ ${qemu_out} qemu_text)
message("--- firmware output under QEMU ${MACHINE} (exit status ${qemu_status}):\n${qemu_text}")
if(qemu_errors)
  message("--- QEMU's stderr:\n${qemu_errors}")
endif()

set(failed "")
if(NOT host_status STREQUAL "0")
  string(APPEND failed "the host build exited with ${host_status}; ")
endif()
if(NOT qemu_status STREQUAL "0")
  string(APPEND failed "the firmware exited with ${qemu_status}; ")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${host_out} ${qemu_out}
                RESULT_VARIABLE differ)
if(NOT differ EQUAL 0)
  file(READ ${host_out} host_text)
  message("--- host output (differs):\n${host_text}")
  string(APPEND failed "host and firmware outputs differ (${host_out} vs ${qemu_out}); ")
endif()
if(failed)
  message(FATAL_ERROR "FAILED: ${failed}")
endif()
message("host and firmware outputs are byte-identical, both exited 0")
