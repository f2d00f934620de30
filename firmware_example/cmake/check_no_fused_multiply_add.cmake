# ctest script: fails if FILE (an ELF or object) has a fused multiply-add instruction, which
# rounds once where the host's multiply and add round twice. constnn compiles with
# -ffp-contract=off so the compiler emits none; this proves the flag reached the firmware.
# Variables: OBJDUMP, FILE.
foreach(var OBJDUMP FILE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_no_fused_multiply_add.cmake needs -D${var}=...")
  endif()
endforeach()
execute_process(COMMAND ${OBJDUMP} -d ${FILE} OUTPUT_VARIABLE code RESULT_VARIABLE status
                ERROR_QUIET)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${OBJDUMP} -d ${FILE} failed with ${status}")
endif()
# Arm VFMA, VFMS, VFNMA, VFNMS; RISC-V FMADD, FMSUB, FNMADD, FNMSUB (any precision).
string(REGEX MATCHALL "\t(vfn?m[as]|fn?m(add|sub))\\.[a-z0-9]+\t[^\n]*" fused "${code}")
list(LENGTH fused n)
if(n GREATER 0)
  list(GET fused 0 first)
  string(STRIP "${first}" first)
  message(FATAL_ERROR "${FILE} has ${n} fused multiply-add instructions, the first: ${first}")
endif()
message("${FILE}: no fused multiply-add instruction")
