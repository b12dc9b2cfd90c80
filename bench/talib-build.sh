#!/bin/sh
# talib-build.sh — builds TA-Lib's C library as a static archive for bench_ta, in a
# scratch directory outside the repository, and prints that directory.
#
# TA-Lib is not packaged by Debian; the npm package `talib` bundles its C source (the
# version the goldens were made with).  As tools/talib-fixtures.sh does (and sharing its
# scratch directory, so one download and one compile serve both): `npm pack` into the
# scratch directory, then gcc over every source of the package's own ta_libc Makefile
# with that Makefile's flags (-O2, the optimisation level of tickcast's Release build).
#
#   bench/talib-build.sh [--scratch DIR]
#
# On success the last line of stdout is the directory holding libta.a and
# package/src/lib/include; configure with -DTC_TALIB_DIR=<it>.  Exits 1 with a one-line
# reason on stderr when npm, gcc or the network is missing.
set -eu

scratch="${TMPDIR:-/tmp}/tickcast-talib"
talib_version=2.0.5

while [ $# -gt 0 ]; do
    case "$1" in
    --scratch) scratch=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "talib-build.sh: unknown option '$1' (--help)" >&2; exit 2 ;;
    esac
done

command -v gcc >/dev/null || { echo "talib-build.sh: gcc is needed" >&2; exit 1; }
mkdir -p "$scratch"
cd "$scratch"
if [ ! -d package/src/lib ]; then
    command -v npm >/dev/null || { echo "talib-build.sh: npm is needed to fetch talib@$talib_version" >&2; exit 1; }
    npm pack --silent "talib@$talib_version" >/dev/null 2>&1 ||
        { echo "talib-build.sh: npm pack talib@$talib_version failed (no network?)" >&2; exit 1; }
    tar xzf "talib-$talib_version.tgz"
fi
lib=$scratch/package/src/lib

if [ ! -f "$scratch/libta.a" ]; then
    mkdir -p obj
    cflags="-O2 -fno-strict-aliasing -DTA_SINGLE_THREAD -DNO_DEBUG -w"
    inc="-I$lib/include -I$lib/src/ta_common -I$lib/src/ta_abstract -I$lib/src/ta_abstract/tables -I$lib/src/ta_abstract/frames"
    for src in "$lib"/src/ta_common/*.c "$lib"/src/ta_abstract/*.c "$lib"/src/ta_abstract/frames/*.c \
               "$lib"/src/ta_abstract/tables/*.c "$lib"/src/ta_func/*.c; do
        case "$src" in */excel_glue.c) continue ;; esac
        obj="obj/$(basename "$(dirname "$src")")_$(basename "$src" .c).o"
        [ -f "$obj" ] || gcc $cflags $inc -c "$src" -o "$obj"
    done
    ar rcs libta.a.tmp obj/*.o
    mv libta.a.tmp libta.a
fi
[ -f "$lib/include/ta_libc.h" ] || { echo "talib-build.sh: $lib/include/ta_libc.h missing" >&2; exit 1; }
echo "$scratch"
