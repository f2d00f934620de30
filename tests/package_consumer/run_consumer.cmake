# Builds and runs the consumer project in a fresh directory (cmake -P), as a user would.
#
#   -DMODE=find_package -DCONSTNN_BUILD_DIR=<build tree to install> -DCONFIG=<build type>
#   -DMODE=add_subdirectory -DCONSTNN_SOURCE_DIR=<constnn source tree>
#   and always -DCONSUMER_SOURCE_DIR -DWORK_DIR -DGENERATOR -DCXX_COMPILER [-DMAKE_PROGRAM]
cmake_minimum_required(VERSION 3.25)

foreach(var MODE CONSUMER_SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_consumer.cmake: ${var} is not set")
  endif()
endforeach()
if(NOT DEFINED CONFIG OR CONFIG STREQUAL "")
  set(CONFIG Release)
endif()

# Runs a command and stops with its output if it fails.
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${what} failed (${result}):\n${out}")
  endif()
  message(STATUS "${what}: ok")
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

set(build_dir "${WORK_DIR}/build")
set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${build_dir}" "${prefix}")

set(configure_args -S "${CONSUMER_SOURCE_DIR}" -B "${build_dir}" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_BUILD_TYPE=${CONFIG}"
    # Only the prefix below may satisfy find_package, never a registry or a system copy.
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
if(DEFINED MAKE_PROGRAM AND NOT MAKE_PROGRAM STREQUAL "")
  list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()

if(MODE STREQUAL "find_package")
  run("install constnn from ${CONSTNN_BUILD_DIR}"
      "${CMAKE_COMMAND}" --install "${CONSTNN_BUILD_DIR}" --prefix "${prefix}" --config "${CONFIG}")
  run("configure the consumer" "${CMAKE_COMMAND}" ${configure_args} "-DCMAKE_PREFIX_PATH=${prefix}")
  # The package must come from the fresh install, not from a build tree or elsewhere.
  file(STRINGS "${build_dir}/CMakeCache.txt" constnn_dir REGEX "^constnn_DIR:")
  string(REGEX REPLACE "^constnn_DIR:[A-Z]+=" "" constnn_dir "${constnn_dir}")
  string(FIND "${constnn_dir}" "${prefix}/" at)
  if(NOT at EQUAL 0)
    message(FATAL_ERROR "find_package found constnn in '${constnn_dir}', not under ${prefix}")
  endif()
elseif(MODE STREQUAL "add_subdirectory")
  run("configure the consumer" "${CMAKE_COMMAND}" ${configure_args}
      -DCONSTNN_CONSUMER_USE_SUBDIRECTORY=ON "-DCONSTNN_CONSUMER_SOURCE_DIR=${CONSTNN_SOURCE_DIR}")
else()
  message(FATAL_ERROR "run_consumer.cmake: MODE must be find_package or add_subdirectory, not '${MODE}'")
endif()

run("build the consumer" "${CMAKE_COMMAND}" --build "${build_dir}" --config "${CONFIG}")

find_program(consumer constnn_consumer PATHS "${build_dir}" "${build_dir}/${CONFIG}" NO_DEFAULT_PATH)
if(NOT consumer)
  message(FATAL_ERROR "the build produced no constnn_consumer program in ${build_dir}")
endif()
# The program itself checks that training moved the prediction to the label.
run("run the consumer" "${consumer}")
message("${last_output}")
