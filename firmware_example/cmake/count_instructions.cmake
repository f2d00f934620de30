# Figures, not a pass/fail check: counts the instructions the firmware executes for one
# prediction and one SGD step (QEMU plugin between the constnn_bench_* markers), prints them
# and writes them to OUT_FILE for figures.sh. Fails only if the measurement cannot be made.
# Variables: QEMU, MACHINE, CPU (optional), ELF, NM, PLUGIN, TARGET, OUT_DIR, OUT_FILE,
# TIMEOUT.
foreach(var QEMU MACHINE ELF NM PLUGIN TARGET OUT_DIR OUT_FILE TIMEOUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "count_instructions.cmake needs -D${var}=...")
  endif()
endforeach()
include(${CMAKE_CURRENT_LIST_DIR}/qemu_command.cmake)

execute_process(COMMAND ${NM} ${ELF} OUTPUT_VARIABLE symbols RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${NM} ${ELF} failed with ${status}")
endif()
foreach(marker begin end)
  if(NOT symbols MATCHES "([0-9a-fA-F]+) [Tt] constnn_bench_${marker}\n")
    message(FATAL_ERROR "${ELF} has no constnn_bench_${marker}")
  endif()
  set(${marker}_address "0x${CMAKE_MATCH_1}")
endforeach()

set(log ${OUT_DIR}/insn_count.log)
file(REMOVE ${log})
execute_process(
  COMMAND ${fw_qemu_command} -plugin ${PLUGIN},begin=${begin_address},end=${end_address}
          -d plugin -D ${log}
  INPUT_FILE /dev/null OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULT_VARIABLE status
  TIMEOUT ${TIMEOUT})
if(NOT status EQUAL 0 OR NOT EXISTS ${log})
  message(FATAL_ERROR "QEMU with the plugin failed (${status}):\n${errors}\n${output}")
endif()
file(STRINGS ${log} counts REGEX "^constnn_insn_count: [0-9]+$")
list(TRANSFORM counts REPLACE "^constnn_insn_count: " "")
list(LENGTH counts n)
if(n LESS 2)
  message(FATAL_ERROR "expected at least two measurements in ${log}, found ${n}")
endif()
# The firmware measures, in this order: an empty marker pair, one prediction, one SGD step,
# one CNN prediction and one CNN SGD step; a step that does not fit RAM is an empty pair.
# Subtracting the first leaves the work alone.
list(GET counts 0 overhead)
set(names predict sgd cnn_predict cnn_sgd)
foreach(i RANGE 1 4)
  math(EXPR name_index "${i} - 1")
  list(GET names ${name_index} name)
  set(${name} "n/a (does not fit RAM)")
  if(n GREATER i)
    list(GET counts ${i} raw)
    math(EXPR work "${raw} - ${overhead}")
    if(work GREATER 0)
      set(${name} ${work})
    endif()
  endif()
endforeach()
string(REGEX MATCH "network: [^\n]*" network "${output}")
message("${TARGET}: ${network}")
string(REGEX MATCH "cnn: [^\n]*" cnn "${output}")
message("${TARGET}: instructions per prediction ${predict}, per SGD step ${sgd} "
        "(marker overhead ${overhead} subtracted)")
message("${TARGET}: ${cnn}")
message("${TARGET}: CNN instructions per prediction ${cnn_predict}, per SGD step ${cnn_sgd}")
file(WRITE ${OUT_FILE} "predict=${predict}\nsgd=${sgd}\ncnn_predict=${cnn_predict}\n"
     "cnn_sgd=${cnn_sgd}\n${network}\n${cnn}\n")
