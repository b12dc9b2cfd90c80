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

echo; echo "== LSTM/GRU beside PyTorch 1.13 on OpenBLAS: bench/model.sh"
"$(dirname "$0")/model.sh" "$build"
