#!/usr/bin/env bash
# soak.sh — a live instance under abuse: for SECONDS, at random, kill -9 a stage, stop
# one (SIGSTOP) for a moment or for longer than consumer_dead_after, reload a good
# configuration or a broken one, and kill -9 tickcastd itself and start it again.  Then
# SIGTERM.  Checks what must hold whatever happened:
#   - tickcastd exits 0 after the last SIGTERM;
#   - no required consumer lost a record, none was evicted;
#   - the journal is exactly the synthetic market's stream, per symbol: nothing missing,
#     nothing twice (compared with `tickcast synth` of the same seed);
#   - with binaries of `make asan`, no sanitizer finding in any process's log.
# Not part of `make test` (it takes minutes and its schedule is random); run it after
# touching supervision, rings or ingest:   tools/soak.sh [BIN_DIR] [SECONDS]
set -euo pipefail

bin=$(cd "${1:-build/bin}" && pwd)
secs=${2:-60}
work=$(mktemp -d /tmp/tickcast-soak.XXXXXX)
inst="soak-$$"
daemon=
trap 'if [ -n "$daemon" ]; then kill -9 "$daemon" 2>/dev/null || true; fi; pkill -9 -f -- "--instance $inst" 2>/dev/null || true; rm -f "/dev/shm/tickcast.$inst"' EXIT
tc() { "$bin/tickcast" "$@"; }

symbols=EURUSD,BTCUSDT
mkdir -p "$work/models"
tc synth -o "$work/train.tck" --seed 3 --symbols "$symbols" --ticks 60000 >/dev/null 2>&1
tc train --data "$work/train.tck" -o "$work/models/m.safetensors" --bar-size 1 \
    --sequence-length 8 --hidden-dim 8 --horizon 1 --epochs 1 --seed 1 >/dev/null 2>&1

conf() { # $1: the synthetic rate
    cat <<CONF
[tickcastd]
instance = $inst
stages = ingest,features,infer
state_dir = $work
log_level = info
restart_max = 0
restart_backoff_max = 1s
[shm]
consumer_dead_after = 2s
[ingest]
source = synthetic
synthetic_seed = 42
synthetic_symbols = $symbols
synthetic_rate = $1
[features]
bar_size = 1
[infer]
model_file = models/m.safetensors
zmq_pub = ipc://$work/pred.sock
CONF
}

start_daemon() {
    "$bin/tickcastd" --config "$work/t.conf" 2>>"$work/daemon.log" &
    daemon=$!
}

conf 50000 >"$work/t.conf"
start_daemon
sleep 2
end=$(($(date +%s) + secs))
actions=0
while [ "$(date +%s)" -lt "$end" ]; do
    pids=($(tc status --instance "$inst" --json 2>/dev/null |
        python3 -c 'import json, sys; print(" ".join(str(s["pid"]) for s in json.load(sys.stdin)["stages"] if s.get("pid")))' \
        2>/dev/null || true))
    if [ ${#pids[@]} -eq 0 ]; then sleep 0.5; continue; fi
    p=${pids[$((RANDOM % ${#pids[@]}))]}
    case $((RANDOM % 8)) in
    0 | 1) kill -9 "$p" 2>/dev/null || true ;;
    2) kill -STOP "$p" 2>/dev/null || true; sleep "0.$((RANDOM % 9))"; kill -CONT "$p" 2>/dev/null || true ;;
    3) kill -STOP "$p" 2>/dev/null || true; sleep 3; kill -CONT "$p" 2>/dev/null || true ;;
    4) conf $(((RANDOM % 5 + 1) * 20000)) >"$work/t.conf"; kill -HUP "$daemon" ;;
    5) printf '[shm]\nno_such_key = 1\n' >>"$work/t.conf"; kill -HUP "$daemon" ;;
    6) kill -9 "$daemon"; wait "$daemon" 2>/dev/null || true; conf 50000 >"$work/t.conf"; start_daemon ;;
    7) sleep 1 ;;
    esac
    actions=$((actions + 1))
    sleep "0.$((RANDOM % 9 + 1))"
    kill -0 "$daemon" 2>/dev/null || { echo "soak: tickcastd died on its own" >&2; exit 1; }
done
sleep 3
tc status --instance "$inst" --json >"$work/final.json"
kill -TERM "$daemon"
status=0
wait "$daemon" || status=$?
daemon=
echo "soak: $actions actions in $secs s; tickcastd exit status $status"
grep -E '^<[0-4]>' "$work/daemon.log" | sed -E 's/^<[0-9]>//; s/\[[0-9]+\]//; s/[0-9]+/N/g' |
    sort | uniq -c | sort -rn | head -12
fail=$((status != 0))
if grep -qE 'Sanitizer|runtime error' "$work/daemon.log"; then # a sanitizer build's findings
    grep -E 'Sanitizer|runtime error' "$work/daemon.log" | head -5 >&2
    fail=1
fi
python3 - "$work/final.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
bad = [(r["name"], c["name"], c["lost"]) for r in d["rings"] for c in r["consumers"]
       if c["kind"] == "required" and c["lost"]]
ev = [(r["name"], r["evictions"]) for r in d["rings"] if r["evictions"]]
print("soak: ticks published %d; required consumers lost %s; evictions %s"
      % (d["rings"][0]["producer_position"], bad or "nothing", ev or "none"))
sys.exit(1 if bad or ev else 0)
PY
# the journal against the stream: each symbol's ticks a prefix of the reference, whole
published=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rings"][0]["producer_position"])' "$work/final.json")
tc synth -o "$work/ref.tck" --seed 42 --symbols "$symbols" --ticks $((published + 200000)) >/dev/null 2>&1
for s in ${symbols//,/ }; do
    for f in "$work"/journal/*.tck; do tc export "$f" --symbol "$s" | grep -v '^#'; done >"$work/j.$s"
    tc export "$work/ref.tck" --symbol "$s" | grep -v '^#' >"$work/r.$s"
    n=$(wc -l <"$work/j.$s")
    if head -n "$n" "$work/r.$s" | cmp -s - "$work/j.$s"; then
        echo "soak: journal $s: $n ticks, exactly the stream's first $n"
    else
        echo "soak: journal $s: $n ticks DIFFER from the stream (a tick lost or written twice)" >&2
        fail=1
    fi
done
if [ "$fail" -eq 0 ]; then rm -rf "$work"; echo "soak: passed"; else echo "soak: FAILED; kept $work" >&2; fi
exit "$fail"
