#!/usr/bin/env bash
# The one-command demo: installs what is missing, trains and exports a model on the host,
# builds the Cortex-M4F firmware around it, runs it under QEMU and reports validation
# accuracy, the firmware's agreement with the host, its size and its instruction counts.
#
# Usage: firmware_example/demo.sh   (on Debian 12, as root or with sudo for the install)
# Data: the OCR letters in ../shared/data/ocr when present (the reference 128-50-10
# network), otherwise Fashion-MNIST from Debian's dataset-fashion-mnist (a 784-16-10 network).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
preset=cortex-m4f
build=build/$preset
log=build/demo.log

step() { printf '\n== %s\n' "$*"; }
fail() {
  echo "demo: $1 failed; the end of $log:" >&2
  tail -n 40 "$log" >&2
  exit 1
}

step "1/4 Debian packages"
if [ -x .ci/install-deps ]; then
  .ci/install-deps
else
  echo "demo: .ci/install-deps is missing; assuming the packages are installed" >&2
fi

mkdir -p build
: >"$log"
step "2/4 train on the host, export the header, build the $preset firmware (log: $log)"
# The host build (host-release) trains and exports; the firmware build asks it for the header.
cmake --preset host-release >>"$log" 2>&1 || fail "configuring the host build"
cmake --preset "$preset" >>"$log" 2>&1 || fail "configuring"
cmake --build --preset "$preset" -j "$(nproc 2>/dev/null || echo 2)" >>"$log" 2>&1 || fail "building"
host_dir=build/host-release/firmware_example
header=$host_dir/generated/firmware_model.hpp
metrics=$host_dir/model_metrics.txt
sed -n 's|^// \(train: .*\), sha256.*|\1|p; s|^// \(validation: .*\), sha256.*|\1|p; s|^// \(hyperparameters: .*\)|\1|p' "$header"
if [ -f "$metrics" ]; then
  awk -F': ' '/^error\(validation\)/ {
      printf "validation accuracy on the host: %.1f%% (error rate %s)\n", 100 * (1 - $2), $2 }' "$metrics"
fi
int8_metrics=$host_dir/model_int8_metrics.txt
if [ -f "$int8_metrics" ]; then
  awk -F': ' '/^error\(validation\)/ {
      printf "its int8 quantization on the host: %.1f%% (error rate %s)\n", 100 * (1 - $2), $2 }' "$int8_metrics"
fi
echo "firmware image: $build/firmware_example/firmware_example.elf"

step "3/4 run the firmware under QEMU (mps2-an386) and compare with the host build"
ctest --preset "$preset" >>"$log" 2>&1 || fail "a firmware test"
cat "$build/firmware_example/qemu_output.txt"
if cmp -s "$build/firmware_example/qemu_output.txt" "$build/firmware_example/host_output.txt"; then
  echo "=> the firmware's output is byte-for-byte the host build's: same predictions, same trained weights"
else
  echo "=> MISMATCH between firmware and host output" >&2
  exit 1
fi

step "4/4 size and cost on the Cortex-M4F"
sizes=$build/firmware_example/figures_sizes.txt
counts=$build/firmware_example/figures_instructions.txt
get() { sed -n "s/^$2=//p" "$1"; }
echo "flash: $(get "$sizes" flash) of $(get "$sizes" flash_budget) bytes;" \
     "RAM: $(get "$sizes" ram) of $(get "$sizes" ram_budget) bytes, stack reserve included"
echo "executed instructions: $(get "$counts" predict) per prediction," \
     "$(get "$counts" sgd) per SGD step (QEMU plugin count, first sample);" \
     "int8: $(get "$counts" predict_int8) per prediction"
sed -n '/^int8 network: /p' "$counts"
echo
echo "demo: done in $(($(date +%s) - start)) s; every target: firmware_example/figures.sh"
