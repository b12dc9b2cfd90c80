#!/usr/bin/env bash
# Installs the Debian packages tickcast needs that are missing on this machine.
# Idempotent: does nothing when everything is present; runs `apt-get update`
# at most once per invocation, and only when something must be installed.
#
#   tools/install-deps.sh [build|test|bench]     (default: build)
#
# build: compilers, CMake and the libraries the daemons link.
# test:  build + criterion, libseccomp (to apply the unit's syscall filter in a test)
#        and the Python reference tools the suites call
#        (pandas for bar checks, pyzmq/msgpack for a real feed publisher).
# bench: test + PyTorch for the side-by-side model benchmarks.
set -euo pipefail

profile=${1:-build}

build_pkgs=(
  build-essential cmake pkg-config clang
  libzmq3-dev liburing-dev libmsgpack-dev libopenblas-dev
  libsystemd-dev libsqlite3-dev libinih-dev libmicrohttpd-dev
  libzstd-dev zlib1g-dev libssl-dev
)
test_pkgs=(
  libcriterion-dev libclang-rt-14-dev systemd libseccomp-dev
  python3 python3-numpy python3-pandas python3-zmq python3-msgpack
)
bench_pkgs=(python3-torch)

case "$profile" in
  build) want=("${build_pkgs[@]}") ;;
  test)  want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  bench) want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "install-deps.sh: unknown profile '$profile' (build, test or bench)" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
