#!/usr/bin/python3
"""Reference bars for test_bars.c, computed independently with pandas.

Reads a Lean futures trade file (format H of the shared tick README: ms since midnight
UTC, price, quantity, ...; the date is the YYYYMMDD in the file name) and prints bars as
CSV: ts_open_ns,open,high,low,close,volume,trades.

usage: bars_ref.py FILE time|tick|volume SIZE
"""
import re
import sys

import pandas as pd

path, kind, size = sys.argv[1], sys.argv[2], float(sys.argv[3])
date = re.search(r"(\d{8})\.csv$", path).group(1)
df = pd.read_csv(path, header=None, names=["ms", "price", "qty", "ex", "cond", "susp"],
                 dtype={"ms": "int64", "price": "float64", "qty": "int64"})
midnight = pd.Timestamp(date, tz="UTC").value
df["ts"] = midnight + df["ms"] * 1_000_000

rows = []
if kind == "time":
    step = int(round(size * 1e9))
    df["bucket"] = (df["ts"] // step) * step
    g = df.groupby("bucket", sort=True)  # only intervals with trades: no empty bars
    out = pd.DataFrame({"open": g["price"].first(), "high": g["price"].max(),
                        "low": g["price"].min(), "close": g["price"].last(),
                        "volume": g["qty"].sum(), "trades": g["price"].count()})
    for ts, r in out.iterrows():
        rows.append((int(ts), r.open, r.high, r.low, r.close, int(r.volume), int(r.trades)))
elif kind == "tick":
    df["bucket"] = df.index // int(size)
    g = df.groupby("bucket", sort=True)
    for _, b in g:
        rows.append((int(b["ts"].iloc[0]), b["price"].iloc[0], b["price"].max(),
                     b["price"].min(), b["price"].iloc[-1], int(b["qty"].sum()), len(b)))
elif kind == "volume":
    start, cum = 0, 0
    prices, qtys, tss = df["price"].to_numpy(), df["qty"].to_numpy(), df["ts"].to_numpy()
    for i in range(len(df)):
        cum += qtys[i]
        if cum >= size or i == len(df) - 1:
            p = prices[start:i + 1]
            rows.append((int(tss[start]), p[0], p.max(), p.min(), p[-1], int(cum), i + 1 - start))
            start, cum = i + 1, 0
else:
    sys.exit("unknown bar kind " + kind)

for r in rows:
    print("%d,%r,%r,%r,%r,%d,%d" % (r[0], float(r[1]), float(r[2]), float(r[3]), float(r[4]),
                                    r[5], r[6]))
