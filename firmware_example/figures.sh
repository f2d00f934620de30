#!/usr/bin/env bash
# Builds the firmware for each microcontroller target, measures it under QEMU and prints the
# figures table: flash and RAM used, executed instructions per prediction (float and int8)
# and per SGD step for the exported network, and for the firmware's CNN.
#
# Usage: firmware_example/figures.sh [target...]   (default: all seven targets, and the
# Cortex-M4F built by clang, cortex-m4f-clang)
# Each target is a CMake preset with its own build/<target> tree; all of them take
# train_export, the model and the host twin from build/host-release, which a first run
# configures and builds (allow a few minutes). Instruction counts come from the QEMU plugin
# firmware_example/qemu/insn_count.c between the firmware's marker calls.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
[ ${#targets[@]} -gt 0 ] ||
  targets=(cortex-m4f cortex-m0plus cortex-m7 cortex-m33 cortex-m55 riscv32-imac riscv32-imafc
           cortex-m4f-clang)
jobs=$(nproc 2>/dev/null || echo 2)

value() {  # value FILE KEY: the KEY=... line's value
  sed -n "s/^$2=//p" "$1"
}

mkdir -p build
if [ ! -f build/host-release/constnn-firmware-host.cmake ]; then
  echo "figures: configuring the host build the targets share (log: build/host-release.log)" >&2
  cmake --preset host-release >build/host-release.log 2>&1 ||
    { tail -n 30 build/host-release.log >&2; exit 1; }
fi

rows=()
network=""
int8_network=""
cnn=""
for t in "${targets[@]}"; do
  log="build/$t-figures.log"
  echo "figures: building and measuring $t (log: $log)" >&2
  if ! { cmake --preset "$t" && cmake --build --preset "$t" -j "$jobs" &&
         ctest --preset "$t" -R '_(fits_part_and_prints_sizes|instruction_counts)$'; } >"$log" 2>&1; then
    echo "figures: $t failed; the end of $log:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  dir="build/$t/firmware_example"
  sizes="$dir/figures_sizes.txt"
  counts="$dir/figures_instructions.txt"
  network=$(sed -n 's/^network: //p' "$counts")
  int8_network=$(sed -n 's/^int8 network: //p' "$counts")
  cnn=$(sed -n 's/^cnn: //p' "$counts")
  rows+=("| $t | $(value "$sizes" flash) / $(value "$sizes" flash_budget) | $(value "$sizes" ram) / $(value "$sizes" ram_budget) | $(value "$counts" predict) | $(value "$counts" predict_int8) | $(value "$counts" sgd) | $(value "$counts" cnn_predict) | $(value "$counts" cnn_sgd) |")
done

echo "Network: $network. Its int8 quantization: ${int8_network:-none (no int8 header)}. CNN: $cnn."
echo "RAM includes the stack reserve. Instructions: QEMU TCG plugin count for the first embedded"
echo "validation sample, marker calls excluded (dense layers skip zero inputs, so counts vary"
echo "a little with the input)."
echo
echo "| target | flash bytes used / budget | RAM bytes used / budget | instructions per prediction | int8: per prediction | instructions per SGD step | CNN: per prediction | CNN: per SGD step |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"
