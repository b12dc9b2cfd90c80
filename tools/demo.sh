#!/usr/bin/env bash
# The end-to-end demo behind `make demo`: runs the whole pipeline on the embedded
# default source, the seeded synthetic market, as separate processes under tickcastd,
# and shows what a new user needs to see: the stages, the rings and their lags, ticks,
# bars with their features, and a clean drain on SIGTERM.
#
#   tools/demo.sh BIN_DIR [SECONDS]
set -euo pipefail

bin=${1:-build/bin}
secs=${2:-8}
bin=$(cd "$bin" && pwd)
inst="demo-$$"
work=$(mktemp -d /tmp/tickcast-demo.XXXXXX)
trap 'kill "$daemon" 2>/dev/null || true; rm -rf "$work"; rm -f "/dev/shm/tickcast.$inst"' EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

cat >"$work/tickcast.conf" <<CONF
# A demo instance: four synthetic symbols, 20,000 ticks a second, 1-second bars on the
# market's own clock (the synthetic clock runs 100x faster than the wall clock here).
[tickcastd]
instance = $inst
stages = ingest,features
status_interval = 1s
log_level = notice

[ingest]
source = synthetic
synthetic_seed = 42
synthetic_symbols = EURUSD,USDJPY,XAUUSD,BTCUSDT
synthetic_rate = 20000

[features]
bar_type = time
bar_size = 1
feature_set = default
CONF

say "tickcast $("$bin/tickcast" version | cut -d' ' -f2): the configuration"
grep -v '^#' "$work/tickcast.conf" | sed '/^$/d'

say "starting tickcastd (ingest -> ticks ring -> features -> features ring)"
"$bin/tickcastd" --config "$work/tickcast.conf" 2>"$work/daemon.log" &
daemon=$!
for _ in $(seq 50); do [ -e "/dev/shm/tickcast.$inst" ] && break; sleep 0.1; done
sleep 2

say "tickcast status (rings, consumer lags, stages, counters) after 2 s"
"$bin/tickcast" status --instance "$inst"

say "the newest ticks (tickcast tail ticks)"
"$bin/tickcast" tail ticks --instance "$inst" -n 6

sleep $((secs > 4 ? secs - 4 : 1))
say "the newest bars and their first features (tickcast tail features; --json shows all)"
"$bin/tickcast" tail features --instance "$inst" -n 8

say "tickcast status --json (for scripts), abridged"
"$bin/tickcast" status --instance "$inst" --json | cut -c1-400; echo "..."

say "SIGTERM: every stage drains its rings, then tickcastd exits 0"
kill -TERM "$daemon"
status=0
wait "$daemon" || status=$?
sed 's/^<[0-9]>//' "$work/daemon.log" | tail -n 8
echo "tickcastd exit status: $status"
[ "$status" -eq 0 ]

say "a forecaster trained on the synthetic market (tickcast synth, train, evaluate)"
"$bin/tickcast" synth -o "$work/market.tck" --ticks 200000 --symbols EURUSD,BTCUSDT
"$bin/tickcast" train --data "$work/market.tck" -o "$work/model.safetensors" --bar-type tick \
    --bar-size 100 --sequence-length 16 --hidden-dim 16 --horizon 3 --epochs 5
# scored on a market the model never saw (another seed): out of sample
"$bin/tickcast" synth -o "$work/fresh.tck" --seed 43 --ticks 100000 --symbols EURUSD,BTCUSDT
"$bin/tickcast" evaluate --model "$work/model.safetensors" --data "$work/fresh.tck" |
    sed -n '/^overall/,$p'

say "next steps"
cat <<'TXT'
  tickcast --help                       every command
  tickcast features --list              the 161 streaming TA-Lib functions
  tickcast ta RSI TimePeriod=14 --input bars.csv   check any indicator against TA-Lib
  tickcast import FILE -o out.tck       import a recorded tick file (docs/FORMATS.md)
  tickcast train --help                 train on it; evaluate and predict (docs/MODELS.md)
  systemd/tickcast.service              run it as a service (docs/CONFIG.md)
TXT
