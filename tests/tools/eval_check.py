"""Recomputes `tickcast evaluate --json` from `tickcast predict`'s CSV, naively.

usage: /usr/bin/python3 eval_check.py PREDICT.csv EVALUATE.json [TOL]

For every row with all predictions and all realised returns: per horizon step, the
RMSE, MAE and directional accuracy of the model, of "zero return" and of "last return"
((k+1) * log(close / previous close of the same symbol)), per symbol and overall.
Prints the worst relative difference and exits 1 if any figure is off by more than
1e-9 relative (the sums are in a different order) or a row count differs.  TOL (default
1e-9) loosens the model's figures for predictions made by another kernel (the streaming
step against the batched window forward agree to ~1e-7): RMSE and MAE within TOL
relative, directional accuracy within one row.
"""
import csv
import json
import math
import struct
import sys


def f32(s):
    """The float32 the CSV's 9 significant digits stand for, as tickcast holds it."""
    return struct.unpack("f", struct.pack("f", float(s)))[0]


def sign(v):
    return (v > 0) - (v < 0)


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    ev = json.load(open(sys.argv[2]))
    tol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-9
    K = ev["horizon"]
    acc = {}
    prev = {}
    for r in rows:
        sym, close = r["symbol"], float(r["close"])
        last = math.log(close / prev[sym]) if sym in prev else None
        prev[sym] = close
        yh = [r["yhat_%d" % (k + 1)] for k in range(K)]
        y = [r["y_%d" % (k + 1)] for k in range(K)]
        if last is None or "" in yh or "" in y:
            continue
        yh = [f32(v) for v in yh]
        y = [f32(v) for v in y]
        for key in (sym, None):
            a = acc.setdefault(key, {"n": 0, "model": [[0, 0, 0] for _ in range(K)],
                                     "zero": [[0, 0, 0] for _ in range(K)],
                                     "last": [[0, 0, 0] for _ in range(K)]})
            a["n"] += 1
            for k in range(K):
                for name, p in (("model", yh[k]), ("zero", 0.0), ("last", (k + 1) * last)):
                    e = p - y[k]
                    a[name][k][0] += e * e
                    a[name][k][1] += abs(e)
                    a[name][k][2] += sign(p) == sign(y[k])
    worst = 0.0
    bad = []
    groups = [(s["symbol"], s["scores"]) for s in ev["symbols"]] + [(None, ev["overall"])]
    for key, sc in groups:
        a = acc.get(key)
        if a is None or a["n"] != sc["rows"]:
            bad.append("%s: %s rows, CSV gives %s" % (key, sc["rows"], a and a["n"]))
            continue
        n = a["n"]
        for name in ("model", "zero", "last"):
            for k in range(K):
                want = (math.sqrt(a[name][k][0] / n), a[name][k][1] / n, a[name][k][2] / n)
                got = (sc[name]["rmse"][k], sc[name]["mae"][k], sc[name]["direction"][k])
                for w, g, what in zip(want, got, ("rmse", "mae", "direction")):
                    d = abs(w - g) / max(abs(w), 1e-300)
                    worst = max(worst, d)
                    lim = 1e-9
                    if name == "model" and tol > 1e-9:
                        lim = tol if what != "direction" else (1.0 / n + 1e-12) / max(abs(w), 1e-300)
                    if d > lim:
                        bad.append("%s %s %s step %d: evaluate %r, naive %r" % (key, name, what, k + 1, g, w))
            tot = sum(a[name][k][0] for k in range(K))
            w = math.sqrt(tot / (n * K))
            if abs(w - sc[name]["rmse_all"]) > (tol if name == "model" else 1e-9) * w:
                bad.append("%s %s rmse_all: %r vs %r" % (key, name, sc[name]["rmse_all"], w))
        beats = math.sqrt(sum(x[0] for x in a["model"])) < math.sqrt(sum(x[0] for x in a["zero"]))
        if beats != sc["beats_zero"]:
            bad.append("%s beats_zero %r, naive %r" % (key, sc["beats_zero"], beats))
    print("groups %d, rows %d, worst relative difference %.3g" % (len(groups), acc[None]["n"] if None in acc else 0, worst))
    for b in bad[:10]:
        print(b)
    sys.exit(1 if bad else 0)


main()
