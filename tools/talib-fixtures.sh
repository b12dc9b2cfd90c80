#!/bin/sh
# talib-fixtures.sh — regenerates tests/golden/fixtures/: TA-Lib outputs for a second,
# non-default parameter set of many functions, on the first bars of the golden goog input.
#
# TA-Lib is not packaged by Debian; the npm package `talib` bundles its C source.  This
# script fetches that package with `npm pack` into a scratch directory (never into the
# repository), compiles the C library with gcc, builds tools/talib_fixtures.c against it
# and runs it.  The parameter sets live in tools/talib_fixtures.c.
#
#   tools/talib-fixtures.sh [--scratch DIR] [--shared DIR] [--bars N] [--ranges]
#
#   --scratch DIR  work directory (default: $TMPDIR/tickcast-talib, reused when present)
#   --shared DIR   shared reference data (default: $TC_SHARED_DIR or ../shared)
#   --bars N       bars of golden/input_goog.csv to use (default 250)
#   --ranges       print TA-Lib's parameter defaults and ranges instead of fixtures
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
scratch="${TMPDIR:-/tmp}/tickcast-talib"
shared="${TC_SHARED_DIR:-$repo/../shared}"
bars=250
mode=fixtures
talib_version=2.0.5   # the version the goldens were made with (golden/FUNCTIONS.md)

while [ $# -gt 0 ]; do
    case "$1" in
    --scratch) scratch=$2; shift 2 ;;
    --shared) shared=$2; shift 2 ;;
    --bars) bars=$2; shift 2 ;;
    --ranges) mode=ranges; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "talib-fixtures.sh: unknown option '$1' (--help)" >&2; exit 2 ;;
    esac
done

command -v npm >/dev/null || { echo "talib-fixtures.sh: npm is needed (apt-get install npm)" >&2; exit 1; }
command -v gcc >/dev/null || { echo "talib-fixtures.sh: gcc is needed" >&2; exit 1; }
[ -f "$shared/golden/input_goog.csv" ] || {
    echo "talib-fixtures.sh: $shared/golden/input_goog.csv not found (--shared DIR)" >&2; exit 1; }

# The C library: bench/talib-build.sh fetches and compiles it (every source of the
# package's own ta_libc Makefile, that Makefile's flags) into the shared scratch directory.
scratch=$("$repo/bench/talib-build.sh" --scratch "$scratch" | tail -n 1)
lib=$scratch/package/src/lib

gcc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -I"$lib/include" "$here/talib_fixtures.c" \
    "$scratch/libta.a" -lm -o "$scratch/talib_fixtures"

if [ "$mode" = ranges ]; then
    exec "$scratch/talib_fixtures" --ranges
fi
out="$repo/tests/golden/fixtures"
mkdir -p "$out"
"$scratch/talib_fixtures" "$shared/golden/input_goog.csv" "$bars" "$out"
echo "fixtures written to tests/golden/fixtures ($(ls "$out" | wc -l) files, $(du -sk "$out" | cut -f1) KiB)"
