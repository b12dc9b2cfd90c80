#!/bin/sh
# run-fuzz.sh — runs every libFuzzer harness of a fuzz build (tests/fuzz/) for a bounded
# time, each starting from its committed seed corpus tests/fuzz/corpus/<harness>/ (and
# its dictionary tests/fuzz/<harness>.dict if there is one), and
# fails if any of them finds a crash, a sanitizer report or a broken promise.
#
#   tools/run-fuzz.sh BUILD_DIR SECONDS
#       BUILD_DIR was configured with -DTC_FUZZ=ON and clang, and `fuzzers` built
#       (`make fuzz` does both, then calls this).
#   tools/run-fuzz.sh --configure SOURCE_DIR BUILD_DIR SECONDS
#       configures and builds that tree first (the `fuzz_smoke` test of `make test`);
#       exits 77 (skip) with the reason when clang or its libFuzzer runtime is missing.
#
# The importers also start from the shared tick files when TC_SHARED_DIR names them.
# New inputs go to BUILD_DIR/fuzz-corpus/<harness>/ (the committed seeds are only read);
# a crashing input is saved as BUILD_DIR/fuzz-artifacts/<harness>/crash-* and named in
# the output, so `BUILD_DIR/fuzz/<harness> <that file>` replays it.
set -u

here=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = "--configure" ]; then
    [ $# -eq 4 ] || { echo "usage: $0 --configure SOURCE_DIR BUILD_DIR SECONDS" >&2; exit 2; }
    src=$2 build=$3 secs=$4
    if ! command -v clang >/dev/null 2>&1; then
        echo "SKIP: clang is not installed (apt-get install clang libclang-rt-14-dev)"
        exit 77
    fi
    probe=$(mktemp -d)
    printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' > "$probe/p.c"
    if ! clang -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" >/dev/null 2>&1; then
        rm -rf "$probe"
        echo "SKIP: clang cannot link -fsanitize=fuzzer (libclang-rt-*-dev is missing)"
        exit 77
    fi
    rm -rf "$probe"
    mkdir -p "$build"
    if ! cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER=clang -DTC_FUZZ=ON \
            -DCMAKE_BUILD_TYPE=Debug > "$build/configure.log" 2>&1; then
        tail -20 "$build/configure.log"
        echo "FAIL: configuring the fuzz tree (log: $build/configure.log)"
        exit 1
    fi
    if ! cmake --build "$build" -j 2 --target fuzzers > "$build/build.log" 2>&1; then
        grep -E "error|Error" "$build/build.log" | head -20
        echo "FAIL: building the fuzzers (log: $build/build.log)"
        exit 1
    fi
    here=$src
else
    [ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR SECONDS  |  $0 --configure SOURCE_DIR BUILD_DIR SECONDS" >&2; exit 2; }
    build=$1 secs=$2
fi

bins=$(ls "$build"/fuzz/fuzz_* 2>/dev/null)
if [ -z "$bins" ]; then
    echo "FAIL: no harnesses in $build/fuzz (configure with -DTC_FUZZ=ON and build 'fuzzers')"
    exit 1
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=""
for bin in $bins; do
    name=$(basename "$bin")
    seeds="$here/tests/fuzz/corpus/$name"
    work="$build/fuzz-corpus/$name"
    art="$build/fuzz-artifacts/$name"
    mkdir -p "$work" "$art"
    [ -d "$seeds" ] || seeds=""
    # The shared real tick files are good seeds for the importers (read, never copied).
    maxlen=4096
    case "$name" in
    fuzz_import_*) [ -d "${TC_SHARED_DIR:-}/data/ticks" ] && seeds="$seeds $TC_SHARED_DIR/data/ticks" ;;
    fuzz_tickfile) maxlen=70000 ;; # room for a few blocks
    esac
    dict=""
    [ -f "$here/tests/fuzz/$name.dict" ] && dict="-dict=$here/tests/fuzz/$name.dict"
    log="$build/fuzz-artifacts/$name.log"
    # -timeout: one input taking longer than 10 s is a finding too (a hang).
    "$bin" -max_total_time="$secs" -max_len=$maxlen -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        $dict -artifact_prefix="$art/" "$work" $seeds > "$log" 2>&1
    rc=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    if [ $rc -ne 0 ]; then
        echo "FAIL $name (exit $rc): $(ls "$art" | head -3 | tr '\n' ' ')"
        grep -E "ERROR|broken promise|runtime error|SUMMARY" "$log" | head -5
        echo "   log: $log"
        failed="$failed $name"
    else
        echo "ok   $name: ${runs:-?} inputs in ${secs} s, ${cov:-cov ?}"
    fi
done
if [ -n "$failed" ]; then
    echo "fuzzing found problems in:$failed"
    exit 1
fi
exit 0
