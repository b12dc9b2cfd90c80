#!/usr/bin/python3
"""model_table.py — the side-by-side table of bench/model.sh.

    model_table.py [--markdown] RESULT.json...

Each file is one run of bench_model --json or model_torch.py --json.  Several runs of
the same implementation and thread count (rounds) are merged by taking each case's
best figure (lowest time, highest rate), which is what both sides would get on a quiet
machine.  Prints, per thread count, tickcast beside PyTorch with the ratio and the
models issue's bars:
  step   (B=1, T=1) p50   >= 20x faster
  window (B=1, T=60) p50  >= 5x faster
  batch  (B=256, T=60)    faster (windows/s)
  train  (B=64, T=60)     samples/s >= PyTorch's, hidden 64 and 128
window_fwd and batch_fwd (tickcast's training kernels on the same windows) are shown
beside PyTorch's window and batch figures for information, without a bar.
Exit status 0 whatever the figures: a benchmark reports, it does not fail a build.
"""
import json
import sys

BARS = {"step": 20.0, "window": 5.0, "batch": 1.0, "train": 1.0}
# tickcast-only rows shown beside PyTorch's figure of the case they vary, without a bar.
INFO = {"window_fwd": "window", "batch_fwd": "batch"}


def load(paths):
    runs = {}  # (side, threads) -> {"meta": doc, "cases": {key: result}}
    for p in paths:
        with open(p) as f:
            doc = json.load(f)
        side = "tickcast" if doc["impl"] == "tickcast" else "pytorch"
        slot = runs.setdefault((side, doc["threads"]), {"meta": doc, "cases": {}})
        for r in doc["results"]:
            key = (r["cell"], r["case"], r["hidden"])
            old = slot["cases"].get(key)
            if old is None:
                slot["cases"][key] = r
            else:
                for k in ("p50_us", "mean_us"):
                    old[k] = min(old[k], r[k])
                for k in ("per_s", "gflops"):
                    old[k] = max(old[k], r[k])
    return runs


def figure(r):
    """The figure a bar is judged on and whether higher is better."""
    if r["case"] in ("step", "window", "window_fwd"):
        return r["p50_us"], False
    return r["per_s"], True


def fmt(r):
    if r["case"] in ("step", "window", "window_fwd"):
        return f"{r['p50_us']:.2f} µs (mean {r['mean_us']:.2f})"
    if r["case"] in ("batch", "batch_fwd"):
        return f"{r['per_s']:,.0f} windows/s"
    return f"{r['per_s']:,.0f} samples/s, {r['gflops']:.1f} GFLOP/s"


def main(argv):
    md = "--markdown" in argv
    runs = load([a for a in argv if a != "--markdown"])
    threads = sorted({t for (_, t) in runs})
    met_all = True
    for side in ("tickcast", "pytorch"):
        for t in threads:
            if (side, t) in runs:
                m = runs[(side, t)]["meta"]
                print(f"{m['impl']}, {t} thread(s): BLAS {m['blas']} (core {m['blas_core']}, "
                      f"{m.get('blas_threads', '?')} OpenBLAS thread(s), "
                      f"OPENBLAS_CORETYPE={m['openblas_coretype'] or 'unset'})")
    print()
    if md:
        print("| threads | cell | case | tickcast | PyTorch | ratio | bar | |")
        print("| ---: | --- | --- | ---: | ---: | ---: | --- | --- |")
    else:
        print(f"{'thr':>3} {'cell':5} {'case':14} {'tickcast':>38} {'PyTorch':>38} "
              f"{'ratio':>7}  bar")
    for t in threads:
        tc, pt = runs.get(("tickcast", t)), runs.get(("pytorch", t))
        if not tc or not pt:
            continue
        for key, a in tc["cases"].items():
            info = a["case"] in INFO
            b = pt["cases"].get((key[0], INFO[a["case"]], key[2]) if info else key)
            if b is None:
                continue
            fa, hi = figure(a)
            fb, _ = figure(b)
            ratio = fa / fb if hi else fb / fa
            bar = BARS[INFO.get(a["case"], a["case"])]
            # "faster" and "at least equal" read as ratio >= 1.
            ok = ratio >= bar or info
            met_all &= ok
            what = f"{a['case']} h{a['hidden']}" if a["case"] == "train" else a["case"]
            verdict = "(information)" if info else "met" if ok else "FALLS SHORT"
            bar_s = "" if info else f">= {bar:g}x"
            if md:
                print(f"| {t} | {a['cell']} | {what} (B={a['batch']}, T={a['steps']}) | "
                      f"{fmt(a)} | {fmt(b)} | {ratio:.1f}x | {bar_s} | "
                      f"{'' if info else 'met' if ok else '**falls short**'} |")
            else:
                print(f"{t:>3} {a['cell']:5} {what:14} {fmt(a):>38} {fmt(b):>38} "
                      f"{ratio:6.1f}x  {bar_s} {verdict}")
    print()
    print("all bars met" if met_all else "some bars fall short (see above)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
