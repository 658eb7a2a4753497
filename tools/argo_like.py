#!/usr/bin/env python3
"""Purpose: a second simulator, not ours: crowds made the way the Argo
authors' probe-request generator makes them (its event logic, read from its
published source), with each model's behaviour learnt from the Argo crowds
A-C of the tuning half. scripts/accuracy's `argo-like` data set uses it.

What it reproduces (docs/accuracy.md, "argo-like"):
  - phases: every device starts locked; locked lasts an exponential 5 min on
    average, then awake (1 in 5) or active; awake lasts 30 s, then locked
    (9 in 10) or active; active lasts 3 min, then locked. A phase change cuts
    the burst in progress and starts a new one at once;
  - a burst: a length, a time between its frames and a time to the next
    burst, each drawn for the device's model and phase from the values seen
    in A-C (tools/argo_like_models.json), a new random local MAC at every
    burst (global MAC for the model that does not randomize), a sequence
    number drawn anew at every burst and counting up within it, one signal
    per burst drawn uniformly from -69..-30 dBm, channel 1;
  - per device: 11 % carry two vendor elements of their own (WPS, UUID), 20 %
    a list of 1-10 SSIDs, one of them in each burst;
  - two frames due at the same microsecond: the later one 1 ms later.

Usage:
  tools/argo_like.py make --models iphone11*2,nord5g --seconds 900 --seed 1 \\
      --out crowd.pcap --truth crowd.json
  tools/argo_like.py make --crowd 70 ...     # 70 devices drawn by weight
  tools/argo_like.py derive --data DIR       # rebuild the model table from
      # DIR/training's A-C crowds and the logs with their MAC lists (the
      # repository's copies of the logs no longer have them)
Python 3 standard library only.
"""

import argparse
import json
import os
import random
import re
import struct
import sys
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
import accuracy_common as ac  # noqa: E402  (pcap reading and writing)

MODELS = os.path.join(HERE, "argo_like_models.json")
START_US = 1693383668 * 1000000  # the time B_test_6 starts; shifted by the harness
CROWDS = ["A_test_60", "B_test_6", "C_test_1"]  # tuning half only


# ---- make -----------------------------------------------------------------------
def draw(rng, counts):
    """A value of a {value: count} table, with its frequency."""
    total = sum(counts.values())
    x = rng.random() * total
    for v, n in sorted(counts.items(), key=lambda kv: float(kv[0])):
        x -= n
        if x < 0:
            return float(v)
    return float(max(counts, key=float))


def next_phase(rng, phase):
    """(next phase, seconds in `phase`), as the generator does."""
    if phase == 0:
        return (1 if rng.random() < 0.2 else 2), rng.expovariate(1 / 300.0)
    if phase == 1:
        return (0 if rng.random() < 0.9 else 2), rng.expovariate(1 / 30.0)
    return 0, rng.expovariate(1 / 180.0)


def radiotap(signal_dbm):
    # TSFT, flags, rate, channel, dBm antenna signal, antenna: 24 bytes.
    return struct.pack("<BBHIQBBHHbB", 0, 0, 24, 0x82F, 0, 0, 2, 2412, 0x00A0, signal_dbm, 0)


def probe(mac, seq, ies):
    return (b"\x40\x00\x00\x00" + b"\xff" * 6 + mac + b"\xff" * 6 +
            struct.pack("<H", (seq & 0xFFF) << 4) + ies)


def make(table, models, seconds, seed):
    """(records [(us, bytes, length)], truth {device: [burst start us]})."""
    rng = random.Random(seed)
    end_us = START_US + int(seconds * 1e6)
    used = set()
    recs = []
    truth = {}
    for dev, name in enumerate(models):
        m = table["models"][name]
        ies = bytes.fromhex(m["ies"])
        own = b""
        if rng.random() < 0.11:  # WPS and UUID elements of the device's own
            for _ in range(2):
                own += bytes([221, 7, 0, 0, 0]) + bytes(rng.randrange(256) for _ in range(4))
        ssids = []
        if rng.random() < 0.2:
            chars = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            ssids = [bytes(rng.choice(chars) for _ in range(32))
                     for _ in range(rng.randint(1, 10))]
        global_mac = None
        if not m["randomized"]:
            global_mac = bytes.fromhex(m["oui"]) + bytes(rng.randrange(256) for _ in range(3))
        starts = truth.setdefault(str(dev), [])
        t, phase = float(START_US), 0
        while t < end_us:
            nxt, dur = next_phase(rng, phase)
            phase_end = min(t + dur * 1e6, end_us)
            gaps = m["gap"].get(str(phase)) or m["gap"]["all"]
            while t < phase_end:
                length = int(draw(rng, m["len"]))
                ipt = draw(rng, m["ipt"]) if m["ipt"] else 0.02
                mac = global_mac
                if m["randomized"]:
                    mac = bytes([(rng.randrange(256) & 0xFC) | 0x02]) + bytes(
                        rng.randrange(256) for _ in range(5))
                seq = rng.randrange(0, 4096 - length)
                signal = -rng.randint(30, 69)
                ssid = rng.choice(ssids) if ssids else b""
                body = bytes([0, len(ssid)]) + ssid + ies + own
                first = True
                for i in range(length):
                    us = int(round(t))
                    while us in used:
                        us += 1000
                    if us >= phase_end:
                        break  # the phase change cuts the burst
                    used.add(us)
                    b = radiotap(signal) + probe(mac, seq + i, body)
                    recs.append((us, b, len(b)))
                    if first:
                        starts.append(us)
                        first = False
                    t = us + (ipt * 1e6 if i < length - 1 else 0)
                t += draw(rng, gaps) * 1e6
            t, phase = phase_end, nxt
    recs.sort(key=lambda r: r[0])
    return recs, truth


def crowd_models(table, n, rng):
    names = sorted(table["weights"])
    return rng.choices(names, [table["weights"][k] for k in names], k=n)


# ---- derive ---------------------------------------------------------------------
def derive(data):
    """The model table from the tuning crowds A-C and their full logs."""
    out = {}
    base = os.path.join(data, "training", "Diegomangasco+Argo__thesis_tests__")
    for crowd in CROWDS:
        with open(base + crowd + ".txt") as f:
            text = f.read()
        model_of, phases = {}, {}
        for m in re.finditer(r"Device number (\d+) \(.*\) changed phase to (\d) at time: (.*)",
                             text):
            # The log's times are local (UTC+2), the pcap's UTC.
            t = datetime.fromisoformat(m.group(3)).replace(
                tzinfo=timezone(timedelta(hours=2))).timestamp()
            phases.setdefault(int(m.group(1)), []).append((t, int(m.group(2))))
        for m in re.finditer(r"Device (\d+) information:\nVendor: .*\nModel: (.*)\n"
                             r"Use randomization: (\d)\nMAC address: \[(.*?)\]", text):
            for mac in re.findall(r"'([0-9a-f:]{17})'", m.group(4)):
                model_of[bytes.fromhex(mac.replace(":", ""))] = (
                    int(m.group(1)), m.group(2).strip(), m.group(3) == "1")
        link, recs = ac.read_pcap(base + crowd + ".pcap")
        bursts = {}  # device -> [[mac, [(s, frame)]]]
        for us, b, _ in recs:
            frame = ac.frame_of(link, b)
            who = model_of.get(bytes(frame[10:16]))
            if who is None:
                continue
            dev, name, randomized = who
            # The OUI of a global MAC only (a random MAC's first bytes are kept nowhere).
            oui = "" if randomized else frame[10:13].hex()
            e = out.setdefault(name, {"randomized": randomized, "oui": oui,
                                      "ies": None, "len": {}, "ipt": {}, "gap": {}})
            if e["ies"] is None:
                e["ies"] = strip_ies(frame[24:]).hex()
            bl = bursts.setdefault(dev, [])
            s = us / 1e6
            # A global MAC's bursts: split at a silence of 0.5 s.
            if bl and bl[-1][0] == frame[10:16] and (randomized or s - bl[-1][1][-1] < 0.5):
                bl[-1][1].append(s)
            else:
                bl.append([frame[10:16], [s], name])
        for dev, bl in bursts.items():
            for i, (_, times, name) in enumerate(bl):
                e = out[name]
                bump(e["len"], len(times))
                for a, b in zip(times, times[1:]):
                    bump(e["ipt"], round(b - a, 3))
                if i + 1 < len(bl):
                    ph = [p for t, p in phases[dev] if t <= times[-1] + 1e-6][-1]
                    gap = round(bl[i + 1][1][0] - times[-1], 3)
                    bump(e["gap"].setdefault(str(ph), {}), gap)
                    bump(e["gap"].setdefault("all", {}), gap)
    for e in out.values():  # too few to stand for a phase: the model's pooled ones
        for ph in ("0", "1", "2"):
            if sum(e["gap"].get(ph, {}).values()) < 5:
                e["gap"].pop(ph, None)
    return out


def bump(counts, v):
    k = str(v)
    counts[k] = counts.get(k, 0) + 1


def strip_ies(ies):
    """The elements without the SSID and the per-device vendor elements."""
    keep, i = b"", 0
    while i + 2 <= len(ies):
        eid, n = ies[i], ies[i + 1]
        if not (eid == 0 or (eid == 221 and ies[i + 2:i + 5] == b"\x00\x00\x00")):
            keep += ies[i:i + 2 + n]
        i += 2 + n
    return keep


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    mk = sub.add_parser("make", help="write a crowd's pcap and truth")
    who = mk.add_mutually_exclusive_group(required=True)
    who.add_argument("--models", help="comma list of model or model*N")
    who.add_argument("--crowd", type=int, help="this many devices drawn by the models' weights")
    mk.add_argument("--seconds", type=float, default=900)
    mk.add_argument("--seed", type=int, default=1)
    mk.add_argument("--out", required=True)
    mk.add_argument("--truth", required=True)
    dv = sub.add_parser("derive", help="rebuild tools/argo_like_models.json")
    dv.add_argument("--data", required=True)
    dv.add_argument("--out", default=MODELS)
    a = ap.parse_args()
    if a.cmd == "derive":
        with open(a.out) as f:
            table = json.load(f)
        table["models"] = derive(a.data)
        with open(a.out, "w") as f:
            json.dump(table, f, indent=1, sort_keys=True)
            f.write("\n")
        return 0
    with open(MODELS) as f:
        table = json.load(f)
    if a.crowd is not None:
        models = crowd_models(table, a.crowd, random.Random(a.seed * 7919))
    else:
        models = []
        for item in a.models.split(","):
            name, _, n = item.partition("*")
            if name not in table["models"]:
                ac.die("unknown model %r (known: %s)" % (name, ", ".join(sorted(table["models"]))))
            models += [name] * int(n or 1)
    recs, truth = make(table, models, a.seconds, a.seed)
    ac.write_pcap(a.out, recs)
    with open(a.truth, "w") as f:
        json.dump({"models": models, "start_us": START_US, "bursts": truth}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
