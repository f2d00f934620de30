# Runs the CMake snippets of docs/firmware.md as a user would (cmake -P): install constnn and
# find it, see the cross-compiling pitfall fail, and see each of the guide's fixes work.
#
#   -DSNIPPETS=<folder the extractor wrote>  -DCONSTNN_BUILD_DIR=<build tree to install>
#   -DCONSTNN_SOURCE_DIR=<source tree>  -DWORK_DIR  -DGENERATOR  -DCXX_COMPILER  [-DMAKE_PROGRAM]
cmake_minimum_required(VERSION 3.25)

foreach(var SNIPPETS CONSTNN_BUILD_DIR CONSTNN_SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "guide_cmake.cmake: ${var} is not set")
  endif()
endforeach()

# run(<what> <expect: pass|fail> command...): the command's outcome must be the expected one.
function(run what expect)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(expect STREQUAL "pass" AND NOT result EQUAL 0)
    message(FATAL_ERROR "${what} failed (${result}), but the guide says it works:\n${out}")
  elseif(expect STREQUAL "fail" AND result EQUAL 0)
    message(FATAL_ERROR "${what} worked, but the guide says it fails:\n${out}")
  endif()
  if(expect STREQUAL "pass")
    message(STATUS "${what}: works, as the guide says")
  else()
    message(STATUS "${what}: fails, as the guide says")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/opt/constnn")
set(sysroot "${WORK_DIR}/opt/arm-sysroot")
run("cmake --install" pass "${CMAKE_COMMAND}" --install "${CONSTNN_BUILD_DIR}" --prefix "${prefix}")

# The user's project: the guide's CMakeLists.txt and a main.cpp that uses the library.
set(app "${WORK_DIR}/app")
file(MAKE_DIRECTORY "${app}")
file(COPY_FILE "${SNIPPETS}/CMakeLists.txt" "${app}/CMakeLists.txt")
file(WRITE "${app}/main.cpp" "#include <constnn/constnn.hpp>
using net = constnn::sequential<float, constnn::dense<2, 2>, constnn::softmax_xent>;
int main() {
  constnn::model<net> m;
  m.initialize(constnn::init_scheme::random, 1);
  const float x[2] = {1.f, 0.f};
  return constnn::floating_point_self_test() && m.predict(x) < 2 ? 0 : 1;
}
")

set(common -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
if(DEFINED MAKE_PROGRAM AND NOT MAKE_PROGRAM STREQUAL "")
  list(APPEND common "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()

run("find_package with CMAKE_PREFIX_PATH" pass
    "${CMAKE_COMMAND}" -S "${app}" -B "${WORK_DIR}/native" ${common} "-DCMAKE_PREFIX_PATH=${prefix}")
run("build the project" pass "${CMAKE_COMMAND}" --build "${WORK_DIR}/native")
find_program(program my_firmware PATHS "${WORK_DIR}/native" NO_DEFAULT_PATH NO_CACHE)
run("run the program" pass "${program}")

# The guide's toolchain excerpt, its sysroot moved under WORK_DIR (the host compiler stands
# in for the cross one: only the package search is under test).
file(READ "${SNIPPETS}/toolchain-excerpt.cmake" excerpt)
string(REPLACE "/opt/arm-sysroot" "${sysroot}" excerpt "${excerpt}")
file(MAKE_DIRECTORY "${sysroot}")
file(WRITE "${WORK_DIR}/toolchain.cmake" "${excerpt}")
file(READ "${SNIPPETS}/toolchain-fix.cmake" fix)
file(WRITE "${WORK_DIR}/toolchain-fixed.cmake" "${excerpt}${fix}")

run("the pitfall: find_package under the toolchain file" fail
    "${CMAKE_COMMAND}" -S "${app}" -B "${WORK_DIR}/pitfall" ${common}
    "-DCMAKE_TOOLCHAIN_FILE=${WORK_DIR}/toolchain.cmake" "-DCMAKE_PREFIX_PATH=${prefix}")
string(FIND "${last_output}" "Could not find a package configuration file provided by \"constnn\"" at)
if(at EQUAL -1)
  message(FATAL_ERROR "the pitfall failed for another reason than the guide says:\n${last_output}")
endif()
run("fix 1: constnn_DIR" pass
    "${CMAKE_COMMAND}" -S "${app}" -B "${WORK_DIR}/fix1" ${common}
    "-DCMAKE_TOOLCHAIN_FILE=${WORK_DIR}/toolchain.cmake" "-Dconstnn_DIR=${prefix}/lib/cmake/constnn")
run("fix 2: install into the sysroot" pass
    "${CMAKE_COMMAND}" --install "${CONSTNN_BUILD_DIR}" --prefix "${sysroot}/usr")
run("fix 2: find_package in the sysroot" pass
    "${CMAKE_COMMAND}" -S "${app}" -B "${WORK_DIR}/fix2" ${common}
    "-DCMAKE_TOOLCHAIN_FILE=${WORK_DIR}/toolchain.cmake" "-DCMAKE_PREFIX_PATH=/usr")
run("fix 3: CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH" pass
    "${CMAKE_COMMAND}" -S "${app}" -B "${WORK_DIR}/fix3" ${common}
    "-DCMAKE_TOOLCHAIN_FILE=${WORK_DIR}/toolchain-fixed.cmake" "-DCMAKE_PREFIX_PATH=${prefix}")

# add_subdirectory: the guide's lines in a project of their own, constnn's tree as third_party.
set(sub "${WORK_DIR}/subdirectory")
file(MAKE_DIRECTORY "${sub}")
file(COPY_FILE "${app}/main.cpp" "${sub}/main.cpp")
file(READ "${SNIPPETS}/add-subdirectory.cmake" lines)
string(REPLACE "add_subdirectory(third_party/constnn)"
       "add_subdirectory(\"${CONSTNN_SOURCE_DIR}\" third_party/constnn)" lines "${lines}")
file(WRITE "${sub}/CMakeLists.txt" "cmake_minimum_required(VERSION 3.25)
project(my_firmware LANGUAGES CXX)
add_executable(my_firmware main.cpp)
${lines}")
run("add_subdirectory" pass "${CMAKE_COMMAND}" -S "${sub}" -B "${WORK_DIR}/sub-build" ${common})
run("build with add_subdirectory" pass "${CMAKE_COMMAND}" --build "${WORK_DIR}/sub-build")
