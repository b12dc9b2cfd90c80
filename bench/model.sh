#!/usr/bin/env bash
# The LSTM/GRU model beside PyTorch 1.13 in one run: build/bench/bench_model and
# bench/model_torch.py (Debian's python3-torch) at 1 and 2 threads, interleaved
# (tickcast then PyTorch at 1 thread, PyTorch then tickcast at 2, per round), then the
# side-by-side table with ratios and the bars (bench/model_table.py).
#
#   bench/model.sh [BUILD_DIR] [--rounds N] [--quick] [--markdown]
#
# Fairness: PyTorch must run on OpenBLAS, as tickcast does.  The dynamic loader is
# pointed at OpenBLAS's own directory (its libblas.so.3 comes first) without changing
# the system's alternatives, both sides inherit the same OPENBLAS_CORETYPE, and the
# table prints the BLAS object each process actually mapped.  PyTorch runs with
# OMP_WAIT_POLICY=PASSIVE unless the caller sets it: with GNU OpenMP's default spin-wait,
# its idle OpenMP workers keep spinning while OpenBLAS's threads need the same cores, and
# at 2 threads its batch and training figures fell 10-20x (PyTorch is given its best).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=build rounds=1 quick= md=
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift ;;
    --quick) quick=--quick ;;
    --markdown) md=--markdown ;;
    -*) echo "usage: bench/model.sh [BUILD_DIR] [--rounds N] [--quick] [--markdown]" >&2; exit 2 ;;
    *) build=$1 ;;
  esac
  shift
done
tc="$build/bench/bench_model"
py=/usr/bin/python3
if [ ! -x "$tc" ]; then
  echo "bench/model.sh: $tc not built (cmake --build $build --target bench_model)" >&2
  exit 1
fi
if ! "$py" -c 'import torch' 2>/dev/null; then
  echo "bench/model.sh: skipping PyTorch: $py cannot import torch (apt-get install python3-torch)" >&2
  "$tc" $quick
  exit 0
fi

blasdir=$(pkg-config --variable=libdir openblas 2>/dev/null || true)
if [ -n "$blasdir" ] && [ -e "$blasdir/libblas.so.3" ]; then
  export LD_LIBRARY_PATH="$blasdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
else
  echo "bench/model.sh: OpenBLAS's libblas.so.3 not found; PyTorch takes the system's libblas.so.3" >&2
fi
echo "libblas.so.3 alternative: $(update-alternatives --query libblas.so.3-"$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)" 2>/dev/null | sed -n 's/^Value: //p')"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} for both; load average $(cut -d' ' -f1-3 /proc/loadavg)"
omp_wait=${OMP_WAIT_POLICY:-PASSIVE}
echo "PyTorch: OMP_WAIT_POLICY=$omp_wait"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for r in $(seq 1 "$rounds"); do
  "$tc" --threads 1 --json $quick >"$out/tc1_$r.json"
  OMP_WAIT_POLICY=$omp_wait "$py" "$here/model_torch.py" --threads 1 --json $quick >"$out/pt1_$r.json"
  OMP_WAIT_POLICY=$omp_wait "$py" "$here/model_torch.py" --threads 2 --json $quick >"$out/pt2_$r.json"
  "$tc" --threads 2 --json $quick >"$out/tc2_$r.json"
done
"$py" "$here/model_table.py" $md "$out"/*.json
