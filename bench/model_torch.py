#!/usr/bin/python3
"""model_torch.py — PyTorch 1.13 (CPU) on the same model and cases as bench_model.c.

    /usr/bin/python3 bench/model_torch.py [--threads N] [--json] [--quick]

Model: nn.LSTM / nn.GRU (input 32, hidden 64, 2 layers, batch_first) and an nn.Linear
head to 5 outputs from the last step, float32.  Cases and timing as bench_model.c:
  step    B = 1, T = 1, the (h, c) state carried from call to call, under no_grad
  window  B = 1, T = 60 from zero state, under no_grad
  batch   B = 256, T = 60, under no_grad
  train   B = 64, T = 60, MSELoss, zero_grad + forward + backward + Adam step,
          hidden 64 and 128
Every case warms up first; wall time (time.perf_counter).  torch.set_num_threads(N)
sets the intra-op threads (which also bound OpenBLAS's, called from them).  Reports
the BLAS shared object the process actually mapped (/proc/self/maps) and OpenBLAS's
core name, so the table can show PyTorch ran on OpenBLAS and not the reference BLAS.
"""
import argparse
import ctypes
import json
import statistics
import sys
import time

import torch
from torch import nn

INPUT, LAYERS, HORIZON, WINDOW, BATCH, TRAIN_BATCH = 32, 2, 5, 60, 256, 64


class Net(nn.Module):
    def __init__(self, cell, hidden):
        super().__init__()
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = rnn(INPUT, hidden, LAYERS, batch_first=True)
        self.head = nn.Linear(hidden, HORIZON)

    def forward(self, x, state=None):
        y, state = self.rnn(x, state)
        return self.head(y[:, -1]), state


def measure(fn, warm, min_reps, min_s, max_reps=1000000):
    """Per-call wall times after `warm` calls, min_reps calls or min_s seconds,
    whichever comes first, but at least 3 calls: (p50 us, mean us).  As bench_model.c."""
    for _ in range(warm):
        fn()
    t = []
    start = prev = time.perf_counter()
    while len(t) < max_reps and (len(t) < 3 or (len(t) < min_reps and prev - start < min_s)):
        fn()
        cur = time.perf_counter()
        t.append(cur - prev)
        prev = cur
    return statistics.median(t) * 1e6, (prev - start) / len(t) * 1e6


def step_macs(cell, hidden):
    gh = (4 if cell == "lstm" else 3) * hidden
    return sum(gh * ((INPUT if l == 0 else hidden) + hidden) for l in range(LAYERS))


def bench_cell(cell, scale, out):
    g = torch.Generator().manual_seed(1)
    x = torch.rand(BATCH, WINDOW, INPUT, generator=g) * 2 - 1
    y = torch.rand(BATCH, HORIZON, generator=g) * 2 - 1
    torch.manual_seed(7)
    net = Net(cell, 64).eval()

    def row(what, hidden, b, t, p50, mean, per_s=0.0, gflops=0.0):
        out.append({"cell": cell, "case": what, "hidden": hidden, "batch": b, "steps": t,
                    "p50_us": p50, "mean_us": mean, "per_s": per_s, "gflops": gflops})

    with torch.no_grad():
        xs = [x[i:i + 1, :1].contiguous() for i in range(64)]
        st = {"state": None, "i": 0}

        def step():
            _, st["state"] = net(xs[st["i"] & 63], st["state"])
            st["i"] += 1
        row("step", 64, 1, 1, *measure(step, 500, int(5000 * scale), 0.5 * scale))

        xw = x[:1].contiguous()
        row("window", 64, 1, WINDOW, *measure(lambda: net(xw), 10, int(300 * scale), 0.5 * scale))

        p50, mean = measure(lambda: net(x), 1, int(10 * scale) + 1, 1.5 * scale)
        row("batch", 64, BATCH, WINDOW, p50, mean, BATCH / (mean * 1e-6))

    xt, yt = x[:TRAIN_BATCH].contiguous(), y[:TRAIN_BATCH].contiguous()
    for hidden in (64, 128):
        torch.manual_seed(7)
        tnet = Net(cell, hidden).train()
        opt = torch.optim.Adam(tnet.parameters(), lr=1e-3)
        loss_fn = nn.MSELoss()

        def train():
            opt.zero_grad()
            loss = loss_fn(tnet(xt)[0], yt)
            loss.backward()
            opt.step()
        p50, mean = measure(train, 1, int(10 * scale) + 1, 2.0 * scale)
        per_s = TRAIN_BATCH / (mean * 1e-6)
        row("train", hidden, TRAIN_BATCH, WINDOW, p50, mean, per_s,
            per_s * WINDOW * step_macs(cell, hidden) * 6e-9)


def blas_info(threads=None):
    """The BLAS object mapped into this process and, if it is OpenBLAS, its core.
    With threads, also sets OpenBLAS's thread count: torch.set_num_threads sets only
    the OpenMP intra-op threads, and OpenBLAS's pthread pool would otherwise keep one
    thread per core whatever PyTorch's setting."""
    path = "unknown"
    with open("/proc/self/maps") as f:
        for line in f:
            p = line.split()[-1]
            if "blas" in p and p.startswith("/"):
                path = p
                break
    core = "?"
    try:
        lib = ctypes.CDLL(path)
        lib.openblas_get_corename.restype = ctypes.c_char_p
        core = lib.openblas_get_corename().decode()
        if threads:
            lib.openblas_set_num_threads(threads)
    except (OSError, AttributeError):
        pass
    return path, core


def blas_threads(path):
    try:
        return ctypes.CDLL(path).openblas_get_num_threads()
    except (OSError, AttributeError):
        return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.ones(2, 2) @ torch.ones(2, 2)  # maps the BLAS library
    blas_info(a.threads)
    scale = 0.1 if a.quick else 1.0
    results = []
    bench_cell("lstm", scale, results)
    bench_cell("gru", scale, results)
    path, core = blas_info()
    import os
    doc = {"impl": "pytorch " + torch.__version__, "threads": torch.get_num_threads(),
           "blas": path, "blas_core": core, "blas_threads": blas_threads(path),
           "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""), "results": results}
    if a.json:
        json.dump(doc, sys.stdout)
        print()
        return
    print(f"{doc['impl']}, {doc['threads']} threads, {path} (core {core})")
    for r in results:
        print(f"{r['cell']:5} {r['case']:7} {r['hidden']:6} {r['batch']:5} {r['steps']:4} "
              f"{r['p50_us']:12.3f} {r['mean_us']:12.3f} {r['per_s']:12.1f} {r['gflops']:9.2f}")


if __name__ == "__main__":
    main()
