#!/usr/bin/python3
"""PyTorch reference fixtures for the infer tests, and the PyTorch side of the
safetensors round trips.  Run with Debian's python3-torch (1.13): /usr/bin/python3.

    make_fixtures.py gen [DIR]     write the fixtures (default: fixtures/ beside this file)
    make_fixtures.py check MODEL CHECK [MODEL CHECK ...]
                                   load each tickcast-written model file into PyTorch,
                                   run the x tensor of its CHECK safetensors file and
                                   compare with its out tensor (tickcast's outputs); exit
                                   0 when all agree within 1e-5 relative + 1e-5 absolute,
                                   77 when torch is missing

Fixture files are safetensors, written here with struct + json (the `safetensors`
package is not a Debian package).  Per case (lstm|gru x 1|2 layers, B=3, T=4, C=3,
H=5, K=2, so no two sizes coincide and a transposition cannot pass):
    <case>.safetensors   the weights under PyTorch names (weight_ih_l0 ... head.bias),
                         x (B,T,C), y (B,K), out (B,K), loss (1), grad.<name> for every
                         parameter, adam.losses (S+1): the loss before each of S optimiser
                         steps and after the last, adam.out (B,K) after the steps;
                         __metadata__ gives sizes, loss and optimiser settings.
    <case>_model.safetensors (2-layer cases) a model file as tickcast reads it, with
                         metadata; the GRU one keeps the "gru." prefix of a module's
                         state_dict to show such files load as they are.
    <case>_seq.csv, <case>_seq_out.csv  a 20-step scaled feature sequence and the head's
                         output at every step (zero initial state) for `tickcast model
                         forward`.
"""
import json
import os
import struct
import sys

try:
    import torch
    from torch import nn
except ImportError:  # the C test reports a skip on this status
    print("make_fixtures.py: torch is not importable (Debian package python3-torch)", file=sys.stderr)
    sys.exit(77)

B, T, C, H, K = 3, 4, 3, 5, 2
STEPS = 4
SEQ_T = 20

CASES = {
    # name: cell, layers, loss, optimiser, lr, weight decay, clip (0 = none)
    "lstm_l1": ("lstm", 1, "mse", "adam", 1e-2, 0.0, 0.0),
    "lstm_l2": ("lstm", 2, "huber", "adamw", 1e-2, 1e-2, 0.5),
    "gru_l1": ("gru", 1, "huber", "adam", 1e-2, 1e-3, 1.0),
    "gru_l2": ("gru", 2, "mse", "adamw", 2e-2, 1e-2, 0.0),
}
HUBER_DELTA = 1.0


class Net(nn.Module):
    def __init__(self, cell, c, h, layers, k):
        super().__init__()
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = rnn(c, h, layers, batch_first=True)
        self.head = nn.Linear(h, k)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.head(y[:, -1])

    def forward_all(self, x):
        y, _ = self.rnn(x)
        return self.head(y)


def named_params(net):
    """(name, tensor) in state_dict order, rnn tensors under their plain nn.LSTM names."""
    out = []
    for name, p in net.named_parameters():
        out.append((name[4:] if name.startswith("rnn.") else name, p))
    return out


def write_safetensors(path, tensors, metadata):
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name, t in tensors:
        t = t.detach().to(torch.float32).contiguous()
        raw = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    js = json.dumps(header, separators=(",", ":")).encode()
    js += b" " * ((8 - len(js) % 8) % 8)  # pad so the data starts 8-aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for raw in blobs:
            f.write(raw)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, d in header.items():
        if d["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor {name}: dtype {d['dtype']} is not F32")
        b, e = d["data_offsets"]
        t = torch.frombuffer(bytearray(data[base + b:base + e]), dtype=torch.float32)
        tensors[name] = t.reshape(d["shape"]) if d["shape"] else t.reshape(())
    return tensors, meta


def model_metadata(cell, layers, seq_len):
    return {
        "format": "tickcast-rnn/1",
        "cell": cell, "input": C, "hidden": H, "layers": layers, "horizon": K,
        "sequence_length": seq_len,
        "features": json.dumps(["ROC(TimePeriod=1)", "RSI(TimePeriod=14)", "NATR(TimePeriod=14)"]),
        "scaler_mean": json.dumps([0.0001, 50.0, 0.8]),
        "scaler_std": json.dumps([0.002, 12.5, 0.3]),
        "train_range": "2024-01-02T00:00:00Z/2024-03-28T00:00:00Z",
        "train_files": json.dumps({"fixture.csv": "sha256:" + "0" * 64}),
        "metrics": json.dumps({"val_rmse": 0.0}),
    }


def loss_fn(kind):
    return nn.MSELoss() if kind == "mse" else nn.HuberLoss(delta=HUBER_DELTA)


def gen_case(outdir, name, cell, layers, loss_kind, opt_kind, lr, wd, clip, seed):
    torch.manual_seed(seed)
    net = Net(cell, C, H, layers, K)
    x = torch.randn(B, T, C)
    y = torch.randn(B, K) * 1.5  # wide enough that Huber sees both branches
    lf = loss_fn(loss_kind)
    params0 = [(n, p.detach().clone()) for n, p in named_params(net)]

    out = net(x)
    loss = lf(out, y)
    net.zero_grad()
    loss.backward()
    grads = [("grad." + n, p.grad.detach().clone()) for n, p in named_params(net)]

    opt_cls = torch.optim.Adam if opt_kind == "adam" else torch.optim.AdamW
    opt = opt_cls(net.parameters(), lr=lr, weight_decay=wd)
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        l = lf(net(x), y)
        losses.append(l.item())
        l.backward()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(net.parameters(), clip)
        opt.step()
    with torch.no_grad():
        out_after = net(x)
        losses.append(lf(out_after, y).item())

    meta = {
        "cell": cell, "input": C, "hidden": H, "layers": layers, "horizon": K,
        "batch": B, "steps": T, "loss": loss_kind, "huber_delta": HUBER_DELTA,
        "optim": opt_kind, "lr": repr(lr), "weight_decay": repr(wd), "clip": repr(clip),
        "adam_steps": STEPS, "torch": torch.__version__,
    }
    tensors = params0 + [("x", x), ("y", y), ("out", out), ("loss", loss.reshape(1))] + grads
    tensors += [("adam.losses", torch.tensor(losses, dtype=torch.float32)), ("adam.out", out_after)]
    write_safetensors(os.path.join(outdir, name + ".safetensors"), tensors, meta)

    if layers == 2:
        # A model file as a user would export it, from the initial weights.
        with torch.no_grad():
            for (n, p), (_, p0) in zip(named_params(net), params0):
                p.copy_(p0)
        prefix = "gru." if cell == "gru" else ""
        mt = [((prefix + n) if not n.startswith("head.") else n, p) for n, p in named_params(net)]
        write_safetensors(os.path.join(outdir, name + "_model.safetensors"), mt,
                          model_metadata(cell, layers, T))
        g = torch.Generator().manual_seed(seed + 100)
        seq = torch.randn(1, SEQ_T, C, generator=g)
        with torch.no_grad():
            seq_out = net.forward_all(seq)[0]
        with open(os.path.join(outdir, name + "_seq.csv"), "w") as f:
            f.write("ROC_1,RSI_14,NATR_14\n")
            for row in seq[0]:
                f.write(",".join("%.9g" % v for v in row.tolist()) + "\n")
        with open(os.path.join(outdir, name + "_seq_out.csv"), "w") as f:
            f.write("step," + ",".join("y%d" % k for k in range(K)) + "\n")
            for t, row in enumerate(seq_out):
                f.write("%d," % t + ",".join("%.9g" % v for v in row.tolist()) + "\n")


def gen(outdir):
    os.makedirs(outdir, exist_ok=True)
    torch.set_num_threads(1)
    for i, (name, spec) in enumerate(CASES.items()):
        gen_case(outdir, name, *spec, seed=1234 + i)
        print("wrote", name)


def check(path, check_path):
    """A tickcast-written model: rebuild it in PyTorch from its own metadata, load the
    weights strictly, run the check file's x and compare with tickcast's out."""
    tensors, meta = read_safetensors(path)
    cell, layers = meta["cell"], int(meta["layers"])
    c, h, k = int(meta["input"]), int(meta["hidden"]), int(meta["horizon"])
    net = Net(cell, c, h, layers, k)
    sd = {}
    for n in net.state_dict():
        plain = n[4:] if n.startswith("rnn.") else n
        if plain not in tensors:
            raise SystemExit(f"{path}: missing tensor {plain}")
        sd[n] = tensors[plain]
    net.load_state_dict(sd, strict=True)
    extra = set(tensors) - {n[4:] if n.startswith("rnn.") else n for n in net.state_dict()}
    if extra:
        raise SystemExit(f"{path}: unexpected tensors {sorted(extra)}")
    chk, _ = read_safetensors(check_path)
    x, want = chk["x"], chk["out"]
    with torch.no_grad():
        got = net(x)
    err = (got - want).abs().max().item()
    tol = 1e-5 + 1e-5 * want.abs().max().item()
    print(f"check {path}: {cell} L={layers} max abs error {err:.3g} (tolerance {tol:.3g})")
    return 0 if err <= tol else 1


def main(argv):
    if len(argv) >= 4 and argv[1] == "check" and len(argv) % 2 == 0:
        return max(check(argv[i], argv[i + 1]) for i in range(2, len(argv), 2))
    if len(argv) >= 2 and argv[1] == "gen":
        here = os.path.dirname(os.path.abspath(__file__))
        gen(argv[2] if len(argv) > 2 else os.path.join(here, "fixtures"))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
