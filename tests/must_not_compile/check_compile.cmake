# Compiles one source file with the compiler under test and checks the outcome (cmake -P).
#
#   -DCOMPILER=<c++ compiler>  -DINCLUDE_DIR=<lib/include>  -DSOURCE=<file.cpp>
#   -DOBJECT=<output .o>       -DEXPECT=failure|success     [-DDEFINE=<macro>] [-DFLAG=<flag>]
#   [-DEXPECTATIONS_FROM=<file>]   read the expected diagnostics from this file instead of SOURCE
#
# With EXPECT=failure the compilation must fail and its diagnostics must contain every
# "// expect-diagnostic: <text>" (literal) and match every "// expect-diagnostic-regex: <re>"
# line of the source, so the test fails when the code is rejected for some other reason; a
# "// expect-errors-at-most: <n>" line bounds the number of errors (a guard that must stop the
# compiler at once). FLAG is added after -std=c++20, so it can override it.
# With EXPECT=success the file must compile (the controls, which prove the harness works).
cmake_minimum_required(VERSION 3.25)

foreach(var COMPILER INCLUDE_DIR SOURCE OBJECT EXPECT)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "check_compile.cmake: ${var} is not set")
  endif()
endforeach()
if(NOT EXPECT MATCHES "^(failure|success)$")
  message(FATAL_ERROR "check_compile.cmake: EXPECT must be failure or success, not '${EXPECT}'")
endif()
if(NOT DEFINED EXPECTATIONS_FROM)
  set(EXPECTATIONS_FROM "${SOURCE}")
endif()

# English, ASCII-quoted, uncoloured diagnostics, whatever the caller's locale and terminal.
set(ENV{LC_ALL} C)
set(ENV{LANG} C)
unset(ENV{GCC_COLORS})

set(args -std=c++20 -fdiagnostics-color=never -I "${INCLUDE_DIR}")
if(DEFINED DEFINE AND NOT DEFINE STREQUAL "")
  list(APPEND args "-D${DEFINE}")
endif()
if(DEFINED FLAG AND NOT FLAG STREQUAL "")
  list(APPEND args "${FLAG}")
endif()
get_filename_component(object_dir "${OBJECT}" DIRECTORY)
file(MAKE_DIRECTORY "${object_dir}")
file(REMOVE "${OBJECT}")

execute_process(
  COMMAND "${COMPILER}" ${args} -c "${SOURCE}" -o "${OBJECT}"
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)

get_filename_component(name "${SOURCE}" NAME)
if(EXPECT STREQUAL "success")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${name} must compile but did not (${result}):\n${output}")
  endif()
  if(NOT EXISTS "${OBJECT}")
    message(FATAL_ERROR "${name}: the compiler reported success but wrote no object file")
  endif()
  message(STATUS "${name} compiles, as it must")
  return()
endif()

if(result EQUAL 0)
  message(FATAL_ERROR "${name} compiled, but it must not")
endif()
if(NOT result MATCHES "^[0-9]+$")
  # Not an exit code: the compiler did not run at all, which proves nothing about the code.
  message(FATAL_ERROR "${name}: could not run ${COMPILER}: ${result}")
endif()

file(STRINGS "${EXPECTATIONS_FROM}" literal_lines REGEX "^// expect-diagnostic: ")
file(STRINGS "${EXPECTATIONS_FROM}" regex_lines REGEX "^// expect-diagnostic-regex: ")
if(NOT literal_lines AND NOT regex_lines)
  message(FATAL_ERROR "${EXPECTATIONS_FROM} states no expected diagnostic, so a failure proves nothing")
endif()

set(missing "")
foreach(line IN LISTS literal_lines)
  string(REGEX REPLACE "^// expect-diagnostic: " "" text "${line}")
  string(FIND "${output}" "${text}" at)
  if(at EQUAL -1)
    string(APPEND missing "\n  the text: ${text}")
  endif()
endforeach()
foreach(line IN LISTS regex_lines)
  string(REGEX REPLACE "^// expect-diagnostic-regex: " "" re "${line}")
  if(NOT output MATCHES "${re}")
    string(APPEND missing "\n  a match for: ${re}")
  endif()
endforeach()
file(STRINGS "${EXPECTATIONS_FROM}" limit_lines REGEX "^// expect-errors-at-most: [0-9]+$")
if(limit_lines)
  string(REGEX REPLACE "^// expect-errors-at-most: " "" limit "${limit_lines}")
  string(REGEX MATCHALL ":[0-9]+:[0-9]+: (fatal )?error:" errors "${output}")
  list(LENGTH errors error_count)
  if(error_count GREATER limit)
    message(FATAL_ERROR "${name} failed with ${error_count} errors, more than the ${limit} it allows:\n${output}")
  endif()
endif()

if(NOT missing STREQUAL "")
  message(FATAL_ERROR "${name} failed to compile, but its diagnostics lack${missing}\n"
                      "Compiler output:\n${output}")
endif()
message(STATUS "${name} fails to compile with the expected diagnostics")
