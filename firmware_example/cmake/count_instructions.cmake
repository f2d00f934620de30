# Figures, not a pass/fail check: counts the instructions the firmware executes for one
# prediction in float and in int8 and one SGD step (QEMU plugin between the constnn_bench_*
# markers), prints them
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
# The firmware measures, in this order: an empty marker pair, one prediction, one int8
# prediction, one SGD step, one CNN prediction and one CNN SGD step; a step that does not fit
# RAM, or the int8 prediction of a build without an int8 header, is an empty pair.
# Subtracting the first leaves the work alone.
list(GET counts 0 overhead)
set(names predict predict_int8 sgd cnn_predict cnn_sgd)
foreach(i RANGE 1 5)
  math(EXPR name_index "${i} - 1")
  list(GET names ${name_index} name)
  if(name STREQUAL "predict_int8")
    set(${name} "n/a (no int8 header)")
  else()
    set(${name} "n/a (does not fit RAM)")
  endif()
  if(n GREATER i)
    list(GET counts ${i} raw)
    math(EXPR work "${raw} - ${overhead}")
    if(work GREATER 0)
      set(${name} ${work})
    endif()
  endif()
endforeach()
string(REGEX MATCH "(^|\n)network: [^\n]*" network "${output}")
string(STRIP "${network}" network)
string(REGEX MATCH "int8 network: [^\n]*" int8_network "${output}")
string(REGEX MATCH "cnn: [^\n]*" cnn "${output}")
message("${TARGET}: ${network}")
message("${TARGET}: instructions per prediction ${predict}, per SGD step ${sgd} "
        "(marker overhead ${overhead} subtracted)")
if(int8_network)
  message("${TARGET}: ${int8_network}")
endif()
message("${TARGET}: int8 instructions per prediction ${predict_int8}")
message("${TARGET}: ${cnn}")
message("${TARGET}: CNN instructions per prediction ${cnn_predict}, per SGD step ${cnn_sgd}")
file(WRITE ${OUT_FILE} "predict=${predict}\npredict_int8=${predict_int8}\nsgd=${sgd}\n"
     "cnn_predict=${cnn_predict}\ncnn_sgd=${cnn_sgd}\n${network}\n${int8_network}\n${cnn}\n")
