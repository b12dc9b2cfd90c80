#!/usr/bin/python3
"""feed_publisher.py - a live tick feed publisher following docs/PROTOCOL.md
("Message framing", "Live tick feed (ingest)").

It binds a ZeroMQ XPUB socket and publishes one two-frame message per tick: the topic
"tick.<SYMBOL>", then a msgpack map whose first key is "v".  Prices and sizes are sent
as integer mantissas with one decimal exponent per message ("pe" for prices, "qe" for
sizes), taken from the decimals as written in the input, so values arrive exactly.

Input (--csv FILE): one tick per line, the canonical tickcast text form with the symbol
in front (lines starting with '#' are skipped):

    symbol,kind,ts_event,ts_recv,f0,f1,f2,f3,f4,flags,venue,cond

kind is T (trade: price,size,id,-,-), Q (quote: bid,ask,bid_size,ask_size,id),
B / A (one-sided bid / ask: same columns as Q), R (bar: open,high,low,close,volume);
times are integer nanoseconds since the Unix epoch (UTC); prices and sizes are plain
decimals; flags, venue and cond are the integers of tc_tick_t (venue is a character
code, 0 for none).  Without --csv, --generate N makes N trades and quotes of a random
walk for --symbol.

Slow joiners: the socket is an XPUB, so the publisher sees subscriptions arrive and
starts only once --wait-subscriptions of them have (default 1), or gives up after
--wait-timeout seconds with exit status 2.  The send high-water mark is unlimited and
the socket lingers at exit, so a connected subscriber loses nothing.

Test options: --seq numbers messages per topic from 1; --gap-every K skips one sequence
number at every K-th tick (gaps the subscriber must count); --inject-bad publishes a
fixed set of bad messages between the good ones, adds unknown keys to one good message,
and sends good ticks on topic tick.XRPUSDT that a subscriber to other prefixes never
sees.  A JSON summary goes to stdout at the end.

Needs Debian's python3-zmq and python3-msgpack (run with /usr/bin/python3).
"""
import argparse
import json
import random
import sys
import time

import msgpack
import zmq

VERSION = 1
KINDS = {"T": "trade", "Q": "quote", "B": "bid", "A": "ask", "R": "bar"}
# v[0..4] of tc_tick_t per kind: (key, role) with role P price, S size, I integer id
SLOTS = {
    "trade": [("px", "P"), ("sz", "S"), ("id", "I"), None, None],
    "quote": [("bid", "P"), ("ask", "P"), ("bsz", "S"), ("asz", "S"), ("id", "I")],
    "bid": [("bid", "P"), None, ("bsz", "S"), None, ("id", "I")],
    "ask": [None, ("ask", "P"), None, ("asz", "S"), ("id", "I")],
    "bar": [("o", "P"), ("h", "P"), ("l", "P"), ("c", "P"), ("vol", "S")],
}
SIDE = {1: "buy", 2: "sell"}


def decimal(text):
    """'9682.19' -> (968219, -2), '-0.5' -> (-5, -1), '12' -> (12, 0): exact, no floats."""
    text = text.strip()
    neg = text.startswith("-")
    if neg:
        text = text[1:]
    whole, _, frac = text.partition(".")
    if not (whole + frac).isdigit():
        raise ValueError("not a decimal: %r" % text)
    m = int(whole + frac)
    return (-m if neg else m), -len(frac)


def tick_message(sym, kind, ts, tr, fields, flags, venue, cond):
    """The msgpack map of one tick as an ordered dict ("v" first)."""
    msg = {"v": VERSION, "sym": sym, "kind": kind, "ts": ts, "tr": tr}
    pe = qe = None
    values = {}
    for slot, text in zip(SLOTS[kind], fields):
        if slot is None:
            continue
        key, role = slot
        if role == "I":
            values[key] = int(text)
            continue
        m, e = decimal(text)
        if role == "P":
            pe = e if pe is None else pe
            if e != pe:
                raise ValueError("prices of one tick with different decimals: %r" % (fields,))
        else:
            qe = e if qe is None else qe
            if e != qe:
                raise ValueError("sizes of one tick with different decimals: %r" % (fields,))
        values[key] = m
    msg["pe"] = pe if pe is not None else 0
    msg["qe"] = qe if qe is not None else 0
    msg.update(values)
    if flags & 3:
        msg["side"] = SIDE.get(flags & 3, "unknown")
    if flags & ~3:
        msg["flags"] = flags & ~3
    if venue:
        msg["venue"] = chr(venue)
    if cond:
        msg["cond"] = cond
    return msg


def read_csv(path):
    with open(path, encoding="ascii") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line or line.startswith("#"):
                continue
            c = line.split(",")
            if len(c) != 12 or c[1] not in KINDS:
                raise SystemExit("%s:%d: expected symbol,kind,ts_event,ts_recv,f0..f4,flags,venue,cond"
                                 % (path, lineno))
            yield tick_message(c[0], KINDS[c[1]], int(c[2]), int(c[3]), c[4:9],
                               int(c[9]), int(c[10]), int(c[11]))


def generate(sym, n, seed):
    rnd = random.Random(seed)
    px = 10000  # mantissa, 2 decimals
    ts = time.time_ns()
    for i in range(n):
        ts += rnd.randint(1, 50) * 1000000
        px = max(1, px + rnd.choice((-3, -1, 0, 1, 3)))
        if rnd.random() < 0.3:
            yield tick_message(sym, "trade", ts, ts + 1000, [
                "%d.%02d" % divmod(px, 100), "%d.%03d" % divmod(rnd.randint(1, 5000), 1000), str(i), "0", "0"],
                rnd.choice((1, 2)), 0, 0)
        else:
            yield tick_message(sym, "quote", ts, ts + 1000, [
                "%d.%02d" % divmod(px - 1, 100), "%d.%02d" % divmod(px + 1, 100),
                "%d.%03d" % divmod(rnd.randint(1, 9000), 1000), "%d.%03d" % divmod(rnd.randint(1, 9000), 1000),
                "0"], 0, 0, 0)


def bad_messages(sym):
    """(what, frames, reason the subscriber should give).  Topics keep the good prefix."""
    topic = ("tick." + sym).encode()
    good = {"v": VERSION, "sym": sym, "kind": "trade", "ts": 1, "pe": 0, "qe": 0, "px": 1, "sz": 1}
    long_sym = sym + "X" * 40

    def with_(**kw):
        d = dict(good)
        d.update(kw)
        return msgpack.packb(d)

    no_ts = dict(good)
    del no_ts["ts"]
    return [
        ("garbage bytes", [topic, b"\xc1\xff not msgpack"], "msgpack"),
        ("an array, not a map", [topic, msgpack.packb([1, 2, 3])], "msgpack"),
        ("ts as a string", [topic, with_(ts="2020-02-22T00:00:00Z")], "type"),
        ("price as a float", [topic, with_(px=9682.19)], "type"),
        ("unknown kind", [topic, with_(kind="swap")], "kind"),
        ("future version", [topic, msgpack.packb({"v": 2, "sym": sym, "kind": "trade"})], "version"),
        ("no ts", [topic, msgpack.packb(no_ts)], "missing"),
        ("negative size", [topic, with_(sz=-5)], "range"),
        ("over-long symbol", [("tick." + long_sym).encode(), with_(sym=long_sym)], "long"),
        ("one frame", [topic], "frames"),
        ("three frames", [topic, with_(), b"extra"], "frames"),
        ("topic and sym disagree", [topic, with_(sym=sym + "Z")], "topic"),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--endpoint", required=True, help="where to bind (tcp://127.0.0.1:5556, ipc://PATH)")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--csv", help="ticks to publish (format above)")
    src.add_argument("--generate", type=int, default=0, metavar="N", help="publish N random-walk ticks")
    ap.add_argument("--symbol", default="DEMO", help="symbol for --generate")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seq", action="store_true", help="number messages per topic")
    ap.add_argument("--gap-every", type=int, default=0, metavar="K", help="skip a sequence number every K ticks")
    ap.add_argument("--inject-bad", action="store_true", help="interleave the fixed set of bad messages")
    ap.add_argument("--rate", type=float, default=0, help="ticks per second (0: as fast as possible)")
    ap.add_argument("--wait-subscriptions", type=int, default=1, metavar="N")
    ap.add_argument("--wait-timeout", type=float, default=10.0, metavar="SECONDS")
    a = ap.parse_args()

    ticks = list(read_csv(a.csv)) if a.csv else list(generate(a.symbol, a.generate or 20, a.seed))
    ctx = zmq.Context()
    sock = ctx.socket(zmq.XPUB)
    sock.setsockopt(zmq.SNDHWM, 0)
    sock.setsockopt(zmq.LINGER, 10000)
    sock.bind(a.endpoint)

    # Slow joiner: publish only once the subscriber's subscriptions have arrived.
    deadline = time.monotonic() + a.wait_timeout
    subs = 0
    while subs < a.wait_subscriptions:
        left = deadline - time.monotonic()
        if left <= 0 or not sock.poll(int(left * 1000), zmq.POLLIN):
            print("feed_publisher: no subscriber after %.1f s" % a.wait_timeout, file=sys.stderr)
            sock.close(0)
            ctx.term()
            return 2
        frame = sock.recv()
        if frame[:1] == b"\x01":
            subs += 1

    bad = bad_messages(ticks[0]["sym"]) if a.inject_bad and ticks else []
    step = max(1, len(ticks) // (len(bad) + 1)) if bad else 0
    seq = {}
    summary = {"ticks": 0, "bad": {}, "decoys": 0, "gaps": 0, "symbols": []}
    t0 = time.monotonic()
    for i, msg in enumerate(ticks):
        topic = "tick." + msg["sym"]
        if a.seq:
            n = seq.get(topic, 0) + 1
            if a.gap_every and i > 0 and i % a.gap_every == 0:
                n += 1
                summary["gaps"] += 1
            seq[topic] = n
            msg["seq"] = n
        if bad and i == len(ticks) // 2:
            msg["x-depth"] = [[1, 2], [3, 4]]  # unknown keys: ignored by v1 subscribers
            msg["x-note"] = {"from": "a later schema"}
        sock.send_multipart([topic.encode(), msgpack.packb(msg)])
        summary["ticks"] += 1
        if msg["sym"] not in summary["symbols"]:
            summary["symbols"].append(msg["sym"])
        if bad and i % step == step - 1 and i // step < len(bad):
            what, frames, reason = bad[i // step]
            sock.send_multipart(frames)
            summary["bad"][reason] = summary["bad"].get(reason, 0) + 1
        if bad and i % 97 == 0:
            decoy = dict(msg, sym="XRPUSDT")
            decoy.pop("seq", None)
            sock.send_multipart([b"tick.XRPUSDT", msgpack.packb(decoy)])
            summary["decoys"] += 1
        if a.rate > 0:
            wait = t0 + (i + 1) / a.rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
    sock.close()  # lingers until the queued messages are sent
    ctx.term()
    json.dump(summary, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
