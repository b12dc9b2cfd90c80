#!/usr/bin/env bash
# The end-to-end demo behind `make demo`: trains a forecaster on the embedded default
# source, the seeded synthetic market, scores it against the no-change baseline on
# held-out data, registers and promotes it, then runs the whole pipeline (ingest ->
# features -> infer) as separate processes under tickcastd and shows what a new user
# needs to see: the stages, the rings and their lags, live predictions over ZeroMQ, a
# new model promoted and switched to while running, and a clean drain on SIGTERM.
#
#   tools/demo.sh BIN_DIR [SECONDS]
set -euo pipefail

bin=${1:-build/bin}
secs=${2:-8}
bin=$(cd "$bin" && pwd)
inst="demo-$$"
work=$(mktemp -d /tmp/tickcast-demo.XXXXXX)
daemon=
trap 'if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; fi; rm -rf "$work"; rm -f "/dev/shm/tickcast.$inst"' EXIT
tc() { "$bin/tickcast" "$@"; }

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "tickcast $(tc version | cut -d' ' -f2): a recorded market to learn from"
tc synth -o "$work/history.tck" --seed 7 --ticks 400000
tc synth -o "$work/heldout.tck" --seed 8 --ticks 200000
echo "(history: ~33 minutes of 4 symbols; held-out: another ~17 minutes, another seed)"

say "tickcast train: LSTM on 1-second bars, the default feature set (streaming indicators), 3 bars ahead"
mkdir -p "$work/models"
tc train --data "$work/history.tck" -o "$work/models/lstm-v1.safetensors" --bar-size 1 \
    --sequence-length 16 --hidden-dim 16 --horizon 3 --epochs 8 --seed 1

say "tickcast evaluate on held-out data, state carried bar to bar as live (does it beat no change?)"
tc evaluate --model "$work/models/lstm-v1.safetensors" --data "$work/heldout.tck" --state carry |
    sed -n '/^overall/,$p'
echo "(every report puts the model beside \"no change\": on a near-random-walk market the honest"
echo " answer is often that it does not beat it)"

say "the model registry: register version 1 and promote it to production"
tc model register "$work/models/lstm-v1.safetensors" --name demo --registry "$work/models/registry.db"
tc model promote demo 1 --reason "first model" --registry "$work/models/registry.db"

cat >"$work/tickcast.conf" <<CONF
# A demo instance: four synthetic symbols, 20,000 ticks a second, 1-second bars on the
# market's own clock (the synthetic clock runs 100x faster than the wall clock here).
[tickcastd]
instance = $inst
stages = ingest,features,infer
state_dir = $work
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

[infer]
registry = models/registry.db
model_alias = production
zmq_pub = ipc://$work/pred.sock
model_poll = 200ms
CONF

say "the configuration of the live instance"
grep -v '^#' "$work/tickcast.conf" | sed '/^$/d'

say "starting tickcastd (ingest -> ticks ring -> features -> features ring -> infer -> predictions ring)"
"$bin/tickcastd" --config "$work/tickcast.conf" 2>"$work/daemon.log" &
daemon=$!
for _ in $(seq 50); do [ -e "/dev/shm/tickcast.$inst" ] && break; sleep 0.1; done
sleep 2

say "tickcast status (rings, consumer lags, stages, counters) after 2 s"
"$bin/tickcast" status --instance "$inst"

say "the newest ticks (tickcast tail ticks)"
"$bin/tickcast" tail ticks --instance "$inst" -n 6

say "live predictions over ZeroMQ (tickcast subscribe pred.: one JSON line per message)"
tc subscribe pred. --endpoint "ipc://$work/pred.sock" --count 4 --seconds 10

say "the newest predictions in the ring (tickcast tail predictions)"
tc tail predictions --instance "$inst" -n 4

say "a second model (GRU), registered and promoted while the pipeline runs"
tc train --data "$work/history.tck" -o "$work/models/gru-v2.safetensors" --bar-size 1 \
    --sequence-length 16 --hidden-dim 16 --horizon 3 --epochs 8 --seed 2 --cell gru
tc model register "$work/models/gru-v2.safetensors" --name demo --parent 1 \
    --registry "$work/models/registry.db"
tc subscribe model --endpoint "ipc://$work/pred.sock" --count 1 --seconds 10 >"$work/model.jsonl" &
sub=$!
sleep 0.5
tc model promote demo 2 --reason "GRU" --registry "$work/models/registry.db"
wait "$sub" || true
echo "the model topic said:"
cat "$work/model.jsonl"
sleep 1
tc subscribe pred. --endpoint "ipc://$work/pred.sock" --count 2 --seconds 10
tc model history demo --registry "$work/models/registry.db"

sleep $((secs > 6 ? secs - 6 : 1))
say "the newest bars and their first features (tickcast tail features; --json shows all)"
tc tail features --instance "$inst" -n 4

say "tickcast status after the run (note infer.model_swaps)"
tc status --instance "$inst"

say "SIGTERM: every stage drains its rings, then tickcastd exits 0"
kill -TERM "$daemon"
status=0
wait "$daemon" || status=$?
sed 's/^<[0-9]>//' "$work/daemon.log" | tail -n 8
echo "tickcastd exit status: $status"
[ "$status" -eq 0 ]

say "next steps"
cat <<'TXT'
  tickcast --help                       every command
  tickcast features --list              the 161 streaming TA-Lib functions
  tickcast ta RSI TimePeriod=14 --input bars.csv   check any indicator against TA-Lib
  tickcast import FILE -o out.tck       import a recorded tick file (docs/FORMATS.md)
  tickcast train --data out.tck -o m.safetensors   train on it; evaluate, predict (docs/MODELS.md)
  tickcast subscribe pred.              the live predictions (docs/PROTOCOL.md)
  systemd/tickcast.service              run it as a service (docs/CONFIG.md)
TXT
