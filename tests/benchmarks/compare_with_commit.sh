#!/usr/bin/env bash
# The reference job timed against another commit's build, in the same run:
#
#   tests/benchmarks/compare_with_commit.sh [REV] [RUNS]     (REV: HEAD~1, RUNS: 5)
#
# Builds train_export (Release) at REV in a temporary worktree and in this checkout, then runs
# the reference job (large OCR data, 128-50-10, RANDOM init, lr 0.01, 100 epochs, float, every
# output written) with each, alternately, RUNS times, and prints each build's median wall time
# and the ratio this/REV (below 1: this checkout is faster). The outputs of the two builds
# are also compared: they must be byte-identical. Needs the OCR data (CONSTNN_OCR_DATA or
# ../shared/data/ocr).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
rev=${1:-HEAD~1}
runs=${2:-5}
data=${CONSTNN_OCR_DATA:-$repo/../shared/data/ocr}
[[ -r "$data/largeTrain.csv" ]] || { echo "compare_with_commit.sh: $data/largeTrain.csv not found" >&2; exit 2; }

work=$(mktemp -d)
trap 'git -C "$repo" worktree remove --force "$work/src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$repo" worktree add --detach "$work/src" "$rev" >/dev/null 2>&1
build() {  # build SOURCE BINARY_DIR
  cmake -S "$1" -B "$2" -DCMAKE_BUILD_TYPE=Release -DCONSTNN_BUILD_TESTS=OFF \
    -DCONSTNN_BUILD_FIRMWARE=OFF -DCONSTNN_WARNINGS_AS_ERRORS=OFF >/dev/null
  cmake --build "$2" --target train_export -j "$(nproc)" >/dev/null
}
echo "building train_export at $rev ($(git -C "$repo" rev-parse --short "$rev")) and in this checkout" >&2
build "$work/src" "$work/old"
build "$repo" "$work/new"

job() {  # job BINARY OUTDIR: prints its wall seconds
  mkdir -p "$2"
  local start end
  start=$(date +%s.%N)
  "$1" --train "$data/largeTrain.csv" --validation "$data/largeValidation.csv" --epochs 100 \
    --hidden 50 --lr 0.01 --train-labels "$2/train.labels" \
    --validation-labels "$2/validation.labels" --metrics "$2/metrics.txt" \
    --header "$2/model.hpp" --quiet >/dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}
old_times=() new_times=()
for ((r = 0; r < runs; r++)); do
  old_times+=("$(job "$work/old/host_tools/train_export/train_export" "$work/out_old")")
  new_times+=("$(job "$work/new/host_tools/train_export/train_export" "$work/out_new")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
old=$(median "${old_times[@]}")
new=$(median "${new_times[@]}")
for f in train.labels validation.labels metrics.txt; do
  cmp -s "$work/out_old/$f" "$work/out_new/$f" || { echo "outputs differ: $f" >&2; exit 1; }
done
printf 'reference job, median of %d alternating runs: %s %.3f s, this checkout %.3f s, ratio %.3f\n' \
  "$runs" "$rev" "$old" "$new" "$(awk -v a="$old" -v b="$new" 'BEGIN { print b / a }')"
echo "outputs (labels, metrics) byte-identical"
