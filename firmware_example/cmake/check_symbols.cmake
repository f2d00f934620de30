# ctest script: fails if FILE (an ELF or archive) defines or references the heap or C++
# exception machinery, which the firmware must never link.
# Variables: NM, FILE.
foreach(var NM FILE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_symbols.cmake needs -D${var}=...")
  endif()
endforeach()
execute_process(COMMAND ${NM} ${FILE} OUTPUT_VARIABLE symbols RESULT_VARIABLE status
                ERROR_QUIET)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${NM} ${FILE} failed with ${status}")
endif()
# Mangled names: operator new/delete (any overload), and the ABI's allocation, throw, catch,
# personality and unwinder entry points.
set(forbidden_regex
    "^(malloc|free|calloc|realloc|_malloc_r|_free_r|_calloc_r|_realloc_r|_sbrk|_sbrk_r|sbrk|_Znw.*|_Zna.*|_Zdl.*|_Zda.*|__cxa_allocate_exception|__cxa_throw|__cxa_begin_catch|__cxa_end_catch|__cxa_rethrow|__gxx_personality_v0|_Unwind_.*|__aeabi_unwind_cpp_pr[0-9])$")
string(REPLACE "\n" ";" lines "${symbols}")
set(found "")
foreach(line IN LISTS lines)
  if(line MATCHES "([^ ]+)$")
    set(name "${CMAKE_MATCH_1}")
    if(name MATCHES "${forbidden_regex}")
      list(APPEND found "${name}")
    endif()
  endif()
endforeach()
if(found)
  list(REMOVE_DUPLICATES found)
  message(FATAL_ERROR "${FILE} links heap or exception machinery: ${found}")
endif()
message("${FILE}: no malloc, free, _sbrk, operator new/delete or exception machinery")
