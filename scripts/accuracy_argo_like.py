"""Purpose: scripts/accuracy's `argo-like` data set: crowds of tools/argo_like.py
(a second simulator after the Argo authors' generator, its models learnt from
the tuning crowds A-C), 1 to 120 devices, replayed through the real footfalld
in 900-second windows like the Argo crowds. Seeds 1-4 are the tuning half,
101-104 the judging half (fixed; docs/accuracy.md).

Truth of a window: the devices with a burst starting in it.
"""

import json
import os
import subprocess
import sys

import accuracy_common as ac
from accuracy_common import JUDGING, TUNING, fmt

NAME = "argo-like"
WINDOW_S = 900
REPLAY_START_US = 1795514400 * 1000000  # a multiple of 900 s (scripts/accuracy)
TOOL = os.path.join(ac.ROOT, "tools", "argo_like.py")
SEEDS = {TUNING: (1, 2, 3, 4), JUDGING: (101, 102, 103, 104)}
# (name, generator arguments): a lone device for 1636 s (F_test_1's length),
# the seven randomizing models once each (as the generator's own example
# runs them), and crowds drawn by the models' weights.
CROWDS = [
    ("one", ["--crowd", "1", "--seconds", "1636"]),
    ("seven", ["--models", "iphone11,iphone13pro,iphone14pro,iphone6,note20ultra,nord5g,note8t",
               "--seconds", "900"]),
    ("mix20", ["--crowd", "20", "--seconds", "900"]),
    ("mix70", ["--crowd", "70", "--seconds", "900"]),
    ("mix120", ["--crowd", "120", "--seconds", "900"]),
]


def add_arguments(ap):
    ap.add_argument("--argo-like-seeds", type=int, default=len(SEEDS[TUNING]),
                    help="argo-like: the first N seeds of each half (default all %d)" %
                    len(SEEDS[TUNING]))


def window_truth(truth, shift_us):
    """{window index: devices with a burst starting in it}."""
    out = {}
    for dev, starts in truth["bursts"].items():
        for us in starts:
            out.setdefault(ac.window_index(us + shift_us, WINDOW_S), set()).add(dev)
    return {k: len(v) for k, v in out.items()}


def run(ctx):
    crowds = []
    for half in (TUNING, JUDGING):
        if not ctx.wants(half):
            continue
        seeds = SEEDS[half][:1 if ctx.quick else ctx.args.argo_like_seeds]
        for seed in seeds:
            for name, args in CROWDS:
                label = "%s-%d" % (name, seed)
                raw = os.path.join(ctx.work, "argo-like-%s.raw.pcap" % label)
                pcap = os.path.join(ctx.work, "argo-like-%s.pcap" % label)
                truth_path = os.path.join(ctx.work, "argo-like-%s.json" % label)
                subprocess.run([sys.executable, TOOL, "make", "--seed", str(seed), "--out", raw,
                                "--truth", truth_path] + args, check=True)
                _, recs = ac.shift_pcap(raw, pcap, REPLAY_START_US)
                os.remove(raw)
                with open(truth_path) as f:
                    truth = json.load(f)
                first = min(us for starts in truth["bursts"].values() for us in starts)
                per_window = window_truth(truth, REPLAY_START_US - first)
                msgs, _, _ = ctx.runner.replay(pcap, "argo-like-" + label, window_s=WINDOW_S)
                by_start = {m["window"]["start"]: m for m in msgs}
                rows = []
                for k in sorted(per_window):
                    m = by_start.get(ac.utc(k * WINDOW_S))
                    if m is not None:
                        rows.append((per_window[k], m["devices"]["estimated"],
                                     m["devices"]["unique"]))
                if not ctx.args.keep:
                    os.remove(pcap)
                s = ac.device_summary(rows)
                s.update({"name": label, "crowd": name, "seed": seed, "half": half, "rows": rows,
                          "devices": len(truth["models"]), "frames": len(recs)})
                crowds.append(s)
                print("  argo-like %-10s %-7s %6d frames, %d windows" % (label, half, len(recs),
                                                                          len(rows)))
    halves = {}
    for half in (TUNING, JUDGING):
        cs = [c for c in crowds if c["half"] == half]
        if cs:
            halves[half] = dict(ac.device_summary([r for c in cs for r in c["rows"]]),
                                items=len(cs))
    by_crowd = {}
    for name, _ in CROWDS:
        for half in (TUNING, JUDGING):
            cs = [c for c in crowds if c["half"] == half and c["crowd"] == name]
            if cs:
                by_crowd.setdefault(name, {})[half] = dict(
                    ac.device_summary([r for c in cs for r in c["rows"]]), items=len(cs))
    return {"name": NAME, "crowds": crowds, "halves": halves, "by_crowd": by_crowd}


def report(result):
    out = ["Argo-like crowds (tools/argo_like.py, %d s windows; seeds %s tuning, %s judging)" % (
        WINDOW_S, "-".join(map(str, SEEDS[TUNING][::3])), "-".join(map(str, SEEDS[JUDGING][::3])))]
    rows = []
    for name, _ in CROWDS:
        for half, s in sorted(result["by_crowd"].get(name, {}).items()):
            rows.append([name, half, s["items"], s["windows"], fmt(s["true"]), fmt(s["est"]),
                         fmt(s["raw"]), fmt(s["mape"], True)])
    out += ac.table(["crowd", "half", "crowds", "windows", "true", "est", "raw", "MAPE est"], rows)
    out.append("")
    out += ac.halves_table(result)
    return out


def check(result, bounds):
    f = []
    for half in (TUNING, JUDGING):
        if half in result["halves"]:
            ac.bound(f, result["halves"][half]["mape"], bounds.get("argo-like"),
                     "argo-like %s devices MAPE" % half)
    return f
