#!/usr/bin/env bash
# Regenerates docs/experiments/ in one go: builds constnn_experiments and fashion_mnist_to_csv
# (Release), converts Debian's Fashion-MNIST to CSV once, trains every run of grid.json on all
# cores, then draws the figures and writes the report. Prints every run's final figures and the
# report's tables as it goes.
#
# Usage: host_tools/experiments/run_experiments.sh [constnn_experiments options, e.g. --only seeds]
#
# Environment:
#   CONSTNN_OCR_DATA         folder with largeTrain.csv/largeValidation.csv [../shared/data/ocr]
#   CONSTNN_FASHION_MNIST    folder with the Fashion-MNIST IDX files
#                            [/usr/share/datasets/fashion-mnist, Debian's dataset-fashion-mnist]
#   CONSTNN_EXPERIMENTS_BUILD  build folder [build/experiments]
#   CONSTNN_EXPERIMENTS_OUT    where the figures and report go [docs/experiments]
#   CONSTNN_EXPERIMENTS_JOBS   runs at a time [the number of hardware threads]
#   CONSTNN_EXPERIMENTS_EARLIER  a results folder of an earlier session (results.json, runs.csv)
#                            whose experiments fill in those this one does not run (--only)
#   PYTHON                   a Python 3 with matplotlib [/usr/bin/python3, Debian's python3-matplotlib]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${CONSTNN_EXPERIMENTS_BUILD:-$repo/build/experiments}
ocr=${CONSTNN_OCR_DATA:-$repo/../shared/data/ocr}
fashion_idx=${CONSTNN_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
out=${CONSTNN_EXPERIMENTS_OUT:-$repo/docs/experiments}
earlier=${CONSTNN_EXPERIMENTS_EARLIER:-}
jobs=${CONSTNN_EXPERIMENTS_JOBS:-$(nproc)}
python=${PYTHON:-/usr/bin/python3}
SECONDS=0

fail() { echo "run_experiments.sh: $*" >&2; exit 1; }

for f in largeTrain.csv largeValidation.csv; do
  [[ -r "$ocr/$f" ]] || fail "$ocr/$f not found; set CONSTNN_OCR_DATA to the OCR data folder"
done
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz \
         t10k-labels-idx1-ubyte.gz; do
  [[ -r "$fashion_idx/$f" ]] ||
    fail "$fashion_idx/$f not found; install Debian's dataset-fashion-mnist or set CONSTNN_FASHION_MNIST"
done
if [[ -n "$earlier" ]]; then
  for f in results.json runs.csv; do
    [[ -r "$earlier/$f" ]] || fail "$earlier/$f not found (CONSTNN_EXPERIMENTS_EARLIER)"
  done
  earlier=$(cd "$earlier" && pwd)
  [[ "$earlier" != "$build/results" ]] ||
    fail "CONSTNN_EXPERIMENTS_EARLIER is the folder this run writes; copy it elsewhere first"
fi
"$python" -c 'import matplotlib, numpy' 2>/dev/null ||
  fail "$python cannot import matplotlib; install Debian's python3-matplotlib or set PYTHON"

echo "== building (Release) in $build" >&2
# Only what the experiments need; warnings stay warnings here (CI is where they fail builds).
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCONSTNN_BUILD_TESTS=OFF \
  -DCONSTNN_BUILD_FIRMWARE=OFF -DCONSTNN_WARNINGS_AS_ERRORS=OFF >/dev/null
cmake --build "$build" --target constnn_experiments fashion_mnist_to_csv -j 2 >/dev/null ||
  fail "the build failed; run: cmake --build $build --target constnn_experiments fashion_mnist_to_csv"
tool="$build/host_tools/experiments/constnn_experiments"
convert="$build/host_tools/fashion_mnist_to_csv/fashion_mnist_to_csv"

# Fashion-MNIST as CSV (pixels scaled to [0, 1]), converted once and kept in the build folder.
data="$build/data"
mkdir -p "$data"
for part in train:train t10k:test; do
  idx=${part%%:*} csv="$data/fashion-${part##*:}.csv"
  if [[ ! -s "$csv" || "$csv" -ot "$fashion_idx/$idx-images-idx3-ubyte.gz" || "$csv" -ot "$convert" ]]; then
    echo "== converting $fashion_idx/$idx-*.gz to $csv" >&2
    "$convert" --images "$fashion_idx/$idx-images-idx3-ubyte.gz" \
      --labels "$fashion_idx/$idx-labels-idx1-ubyte.gz" --output "$csv"
  fi
done

echo "== training every run of $here/grid.json, $jobs at a time" >&2
results="$build/results"
"$tool" --grid "$here/grid.json" --data "ocr=$ocr" --data "fashion=$data" --out "$results" \
  --jobs "$jobs" "$@"

echo "== figures and report in $out" >&2
mkdir -p "$out"
rm -f "$out"/*.png
earlier_args=()
[[ -z "$earlier" ]] ||
  earlier_args=(--earlier "$earlier/results.json" --earlier-runs-csv "$earlier/runs.csv")
"$python" "$here/plot_experiments.py" "$results/results.json" "$out" \
  --runs-csv "$results/runs.csv" --command "host_tools/experiments/run_experiments.sh" \
  "${earlier_args[@]}"

echo "run_experiments.sh: done in ${SECONDS} s; report: $out/README.md; raw results: $results" >&2
