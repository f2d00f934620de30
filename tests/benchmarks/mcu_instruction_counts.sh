#!/usr/bin/env bash
# Prints, per microcontroller target, the instructions constnn executes for one prediction and one
# SGD step of the reference network (128-50-10, float), on a dense input and on an OCR-like
# binary input, counted under QEMU; and checks that every target prints the same output bits
# as the host (and as its own portable loops). Exits non-zero if any target differs.
#
# Usage: tests/benchmarks/mcu_instruction_counts.sh [target...]
#   targets: cortex-m4f cortex-m0plus cortex-m7 cortex-m33 cortex-m55 riscv32-imac
#            riscv32-imafc (default: all)
#   environment: BUILD_DIR (default build/mcu-kernel-bench), CXX_HOST (default g++),
#                EXTRA_CXXFLAGS (e.g. -DCONSTNN_PORTABLE_KERNELS: the portable loops' counts),
#                CONSTNN_INCLUDE_DIR (default lib/include: another commit's library in this
#                bench, e.g. after `git archive REV lib/include | tar -x -C /tmp/old`, with
#                CONSTNN_INCLUDE_DIR=/tmp/old/lib/include and another BUILD_DIR)
#
# Self-contained: it compiles tests/benchmarks/mcu/kernel_bench.cpp with arm-none-eabi-g++ or
# riscv64-unknown-elf-g++ and the CPU flags of toolchains/<target>.cmake, links it with
# firmware_example's startup code, linker scripts and board table, and counts with
# firmware_example/qemu/insn_count.c (the same plugin and markers as
# firmware_example/figures.sh, which measures the firmware example itself). Needs the
# packages of .ci/install-deps: the Arm and RISC-V compilers, their C libraries and QEMU.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build/mcu-kernel-bench}
cxx_host=${CXX_HOST:-g++}
targets=("$@")
[ ${#targets[@]} -gt 0 ] ||
  targets=(cortex-m4f cortex-m0plus cortex-m7 cortex-m33 cortex-m55 riscv32-imac riscv32-imafc)
fw=$root/firmware_example
src=$root/tests/benchmarks/mcu/kernel_bench.cpp
mkdir -p "$build"

# shellcheck disable=SC2206
common_flags=(-std=c++20 -O3 -DNDEBUG -ffp-contract=off -fno-exceptions -fno-rtti
              -fno-threadsafe-statics -I"${CONSTNN_INCLUDE_DIR:-$root/lib/include}" -I"$fw/src"
              ${EXTRA_CXXFLAGS:-})

# The host twin: the same program printing to stdout.
"$cxx_host" "${common_flags[@]}" -o "$build/kernel_bench_host" "$src" "$fw/src/platform_host.cpp" \
  "$fw/src/host_main.cpp" "$fw/src/bench_markers.cpp"
"$build/kernel_bench_host" | grep -v '^kernel path' > "$build/host.txt"

# The instruction-count plugin (QEMU TCG plugin API 1; Debian ships no header, the file
# declares what it uses).
gcc -O2 -shared -fPIC -o "$build/libinsn_count.so" "$fw/qemu/insn_count.c"

board_field() {  # board_field TARGET N: field N of the target's row in boards.cmake (1: target)
  sed -n "s/^ *\"$1  *//p" "$fw/boards.cmake" | head -n 1 | awk -v n="$2" '{print $(n - 1)}'
}

rows=()
stacks=()
status=0
for t in "${targets[@]}"; do
  flags=$(sed -n 's/^set(CONSTNN_CPU_FLAGS "\(.*\)")$/\1/p' "$root/toolchains/$t.cmake")
  machine=$(board_field "$t" 2)
  cpu=$(board_field "$t" 3)
  dir=$build/$t
  mkdir -p "$dir"
  sed -e "s/@CONSTNN_CPU@/$t/" -e "s/@constnn_board_description@/$t/" \
      -e "s/@constnn_board_flash_origin@/$(board_field "$t" 4)/" \
      -e "s/@constnn_board_flash_bytes@/$(( $(board_field "$t" 5) * 1024 ))/" \
      -e "s/@constnn_board_ram_origin@/$(board_field "$t" 6)/" \
      -e "s/@constnn_board_ram_bytes@/$(( $(board_field "$t" 7) * 1024 ))/" \
      -e "s/@constnn_board_stack_bytes@/$(( $(board_field "$t" 8) * 1024 ))/" \
      "$fw/ld/board.ld.in" > "$dir/board.ld"
  model_ram=$(( ($(board_field "$t" 7) - $(board_field "$t" 8)) * 1024 ))
  qemu_args=(-M "$machine")
  [ "$cpu" = "-" ] || qemu_args+=(-cpu "$cpu")
  [ "$machine" != "virt" ] || qemu_args+=(-bios none)
  case $t in
    cortex-*)
      prefix=arm-none-eabi startup=startup.cpp qemu=qemu-system-arm
      cxx_flags=() link_with=arm-none-eabi-g++ link_flags=() ;;
    riscv32-*)
      # As toolchains/riscv64-unknown-elf-gcc.cmake: picolibc, the bare-metal libstdc++
      # headers, and a link through the C driver, as there is no libstdc++ to link.
      headers=/usr/include/newlib/c++/12.2.1
      prefix=riscv64-unknown-elf startup=startup_riscv.cpp qemu=qemu-system-riscv32
      cxx_flags=(--specs=picolibc.specs -nostdinc++ -isystem "$headers" -isystem "$headers/arm-none-eabi")
      link_with=riscv64-unknown-elf-gcc link_flags=(--specs=picolibc.specs) ;;
    *) echo "$t: not a known target" >&2; exit 2 ;;
  esac
  objects=()
  for f in "$src" "$fw/src/$startup" "$fw/src/platform_semihosting.cpp" "$fw/src/bench_markers.cpp"; do
    # shellcheck disable=SC2086
    "$prefix-g++" $flags "${cxx_flags[@]}" "${common_flags[@]}" -ffunction-sections -fdata-sections \
      -fstack-usage -DCONSTNN_BENCH_RAM_BYTES="$model_ram" -c -o "$dir/$(basename "$f").o" "$f"
    objects+=("$dir/$(basename "$f").o")
  done
  # shellcheck disable=SC2086
  "$link_with" $flags "${link_flags[@]}" -o "$dir/kernel_bench.elf" "${objects[@]}" \
    -nostartfiles -L"$fw/ld" -T"$dir/board.ld" -Wl,--gc-sections
  begin=$("$prefix-nm" "$dir/kernel_bench.elf" | awk '$3 == "constnn_bench_begin" {print $1}')
  end=$("$prefix-nm" "$dir/kernel_bench.elf" | awk '$3 == "constnn_bench_end" {print $1}')
  rm -f "$dir/plugin.log"
  timeout 120 "$qemu" "${qemu_args[@]}" -display none -monitor none -serial none \
    -chardev stdio,id=sh -semihosting-config enable=on,target=native,chardev=sh \
    -kernel "$dir/kernel_bench.elf" \
    -plugin "$build/libinsn_count.so,begin=0x$begin,end=0x$end" -d plugin -D "$dir/plugin.log" \
    < /dev/null > "$dir/output.txt" && qemu_status=0 || qemu_status=$?
  path=$(sed -n 's/^kernel path: //p' "$dir/output.txt")
  mapfile -t counts < <(sed -n 's/^constnn_insn_count: //p' "$dir/plugin.log")
  # Regions: the empty pair, two predictions, two SGD steps where the target trains, the
  # float convolution, the int8 fully connected layer and the two int8 convolutions.
  if grep -q '^sgd: the weights do not fit' "$dir/output.txt"; then trains=0; else trains=1; fi
  expected=$((7 + 2 * trains))
  if [ $qemu_status -ne 0 ]; then
    echo "$t: the bench exited with status $qemu_status; its output is $dir/output.txt" >&2
    status=1
  fi
  if [ ${#counts[@]} -ne $expected ]; then
    echo "$t: expected $expected counts in $dir/plugin.log, got ${#counts[@]}" >&2
    exit 1
  fi
  o=${counts[0]}
  p_dense=$((counts[1] - o)) p_binary=$((counts[2] - o))
  n=$((3 + 2 * trains))
  conv=$((counts[n] - o)) fc8=$((counts[n + 1] - o)) conv8=$((counts[n + 2] - o))
  conv1=$((counts[n + 3] - o))
  if [ $trains = 1 ]; then
    s_dense=$((counts[3] - o)) s_binary=$((counts[4] - o))
    grep -v '^kernel path' "$dir/output.txt" > "$dir/target.txt"
    cp "$build/host.txt" "$dir/expected.txt"
  else  # predicts only: compare what it printed
    s_dense="n/a (RAM)" s_binary="n/a (RAM)"
    grep -E '^(predict|conv|int8)' "$dir/output.txt" > "$dir/target.txt"
    grep -E '^(predict|conv|int8)' "$build/host.txt" > "$dir/expected.txt"
  fi
  if [ $qemu_status -eq 0 ] && cmp -s "$dir/expected.txt" "$dir/target.txt" &&
     grep -q '^portable path: same bits' "$dir/output.txt"; then
    same="yes"
  else
    same="NO (see $dir)"
    status=1
  fi
  per_mac=$(awk -v n="$p_dense" 'BEGIN {printf "%.2f", n / 6900}')
  conv_per_mac=$(awk -v n="$conv" 'BEGIN {printf "%.2f", n / 73728}')
  fc8_per_mac=$(awk -v n="$fc8" 'BEGIN {printf "%.2f", n / 6400}')
  conv8_per_mac=$(awk -v n="$conv8" 'BEGIN {printf "%.2f", n / 73728}')
  conv1_per_mac=$(awk -v n="$conv1" 'BEGIN {printf "%.2f", n / 9216}')
  # The DSP convolution kernels' stack: the deeper of their two C frames (GCC's
  # -fstack-usage), plus the 40 bytes the assembly loop under it pushes.
  conv_stack=$(awk -F'\t' '/pairs::conv2d_(small|windows)/ { if ($2 + 0 > m) m = $2 + 0 }
                             END { print m ? m + 40 " bytes" : "none" }' "$dir/kernel_bench.cpp.su")
  stacks+=("$t: $conv_stack")
  rows+=("| $t | $path | $p_dense | $per_mac | $p_binary | $s_dense | $s_binary | $conv | $conv_per_mac | $fc8_per_mac | $conv8_per_mac | $conv1_per_mac | $same |")
done

echo "constnn kernels on microcontrollers: 128-50-10 float network (6,900 dense multiply-adds per"
echo "prediction), RANDOM weights; executed instructions counted by QEMU between markers,"
echo "marker overhead subtracted. Dense input: every multiply-add done; binary input: 27 of"
echo "128 pixels set, zero inputs skipped. 'Same bits' compares every printed output with the"
echo "host build of the same program. 3x3 conv: one forward pass of a conv2d layer, 10x10x8"
echo "to 8x8x16 without padding (73,728 multiply-adds). int8: the portable int8 primitives"
echo "(TFLite's arithmetic, per-channel requantization; Cortex-M kernels where the target has"
echo "them): a fully connected layer 128 -> 50 (6,400 multiply-adds), the same 3x3 convolution,"
echo "and a first layer's 3x3 convolution of a one-channel image, 18x10x1 to 16x8x8 without"
echo "padding (9,216 multiply-adds); instructions per multiply-add."
echo
echo "| target | kernels | prediction, dense input | per dense multiply-add | prediction, binary input | SGD step, dense input | SGD step, binary input | 3x3 conv layer | per conv multiply-add | int8 dense, per multiply-add | int8 3x3 conv, per multiply-add | int8 first conv (1 channel), per multiply-add | same bits as host |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
printf '%s\n' "${rows[@]}"
echo
echo "Stack of the int8 DSP convolution kernels (detail/int8_pairs_dsp.hpp), per target:"
printf '  %s\n' "${stacks[@]}"
exit $status
