#!/usr/bin/env bash
# The whole test suite, as CI runs it: the g++ Release build, the clang build with ASan +
# UBSan (which also runs the fuzz targets' smoke tests), and every microcontroller target
# (Cortex-M and RISC-V, the Cortex-M4F by clang too) under QEMU. Installs missing Debian
# packages first.
#
# Why these host builds and not more: CI must stay under 20 minutes on two cores, and each
# host build compiles every test. This script's stage lines, on a two-core machine: host-release
# 513 s (480 of them building), host-sanitize with clang 372 s (283 building); before, a clang
# Release build took 291 s and the sanitizers with g++ 641 s, tests included. The clang
# Release build (preset host-clang) is left to developers: the sanitizers find undefined
# behaviour in clang-compiled code at its source, and the firmware's clang build
# (cortex-m4f-clang) still runs clang's optimiser over the library under QEMU.
set -euo pipefail
cd "$(dirname "$0")/.."

start=$SECONDS
.ci/install-deps
timings=("install-deps: $((SECONDS - start)) s")

jobs=$(nproc)
run_preset() {
  echo "=== $1 ==="
  local t0=$SECONDS
  cmake --preset "$1"
  cmake --build --preset "$1" -j "$jobs"
  local t1=$SECONDS
  ctest --preset "$1" -j "$jobs"
  timings+=("$1: $((SECONDS - t0)) s (build $((t1 - t0)) s, tests $((SECONDS - t1)) s)")
}

for preset in host-release host-sanitize; do
  run_preset "$preset"
done

# Cross targets, each with its own configure/build/test preset (see CMakePresets.json). They
# take train_export, the model header, the firmware's host twin and the QEMU plugin from
# host-release, built above, so none of them builds a host tool again.
for preset in $(cmake --list-presets=configure | sed -n 's/^ *"\(\(cortex\|riscv32\)-[^"]*\)".*/\1/p'); do
  run_preset "$preset"
done
echo "run_all: time per stage"
printf '  %s\n' "${timings[@]}"
echo "run_all: every preset built and passed its tests in $((SECONDS - start)) s"
