#!/usr/bin/env bash
# `make bench`: every benchmark, each beside its reference in the same run
# (BENCHMARKS.md says what each bar is).  The machine class is shared and noisy: read
# ratios within one run, not absolute figures.
#
#   bench/run.sh BIN_DIR
set -euo pipefail
bin=$(cd "${1:-build/bin}" && pwd)
build=$(dirname "$bin")
shared=${TC_SHARED_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
repo=$(cd "$(dirname "$0")/.." && pwd)

echo "== rings: tickcast bench ring"
"$bin/tickcast" bench ring

if [ -d "$shared/data/ticks" ]; then
  echo; echo "== CSV import beside pandas.read_csv: bench_import"
  "$bin/bench_import" "$shared/data/ticks"
  echo; echo "== native file replay beside memcpy: bench_replay"
  "$build/bench/bench_replay"
else
  echo "skipping the file benchmarks: $shared/data/ticks not found"
fi

echo; echo "== indicators beside TA-Lib: bench_ta"
# TA-Lib is built from its npm package in a scratch directory and linked into bench_ta
# only; without npm or network bench_ta reports tickcast's figures alone.
if talib=$("$repo/bench/talib-build.sh" | tail -n 1); then
  cmake -S "$repo" -B "$build" -DTC_TALIB_DIR="$talib" >/dev/null
else
  echo "TA-Lib could not be built (above): bench_ta runs without it"
  cmake -S "$repo" -B "$build" -DTC_TALIB_DIR= >/dev/null
fi
cmake --build "$build" --target bench_ta -j2 >/dev/null
"$build/bench/bench_ta"

echo; echo "== LSTM/GRU beside PyTorch 1.13 on OpenBLAS: bench/model.sh"
"$(dirname "$0")/model.sh" "$build"
