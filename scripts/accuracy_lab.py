"""The ESP32 lab days: footfalld's occupancy, visitors and stationary against
the lab's recorded occupancy (a module of scripts/accuracy, which runs it as
one more data set; also runnable alone: python3 scripts/accuracy_lab.py).

The data: the tomas-fryza probe-request study, room sc6-61, sensor position 2
(an ESP32 sniffer in a university computer lab with all-in-one PCs that probe
all day long from global addresses). Per day one pcap (UTC times) and a table
of the people in the room at every probe request:

  <data>/groundtruth/tomas-fryza+probe-request-project__position_2__sc6-61_<date>_occupancy.tsv
      columns idx (pcap record index), UTC time, occupancy; no addresses
  or, for the study's own files (--data /work/shared/captures and the like),
  the study's CSV (<date>_ver-99.csv, in groundtruth/ or training/), from
  which only idx and occupancy are read (its times are local, CET/CEST).

Truth of a 5-minute window (UTC, aligned like footfalld's): the largest
occupancy in force during it (the value recorded at its probes and the one
in force at its start), i.e. the people in the room at some time during the
window, which is what `occupancy` estimates.

The split is fixed (docs/accuracy.md): constants are chosen on the tuning days
only, and the judging days' figures are the ones quoted.

  tuning  2024-02-08 2024-02-09 2024-02-15 2024-02-29
  judging 2024-03-07 2024-03-14 2024-03-21 2024-04-04

Figures per day and per half: occupancy MAPE over full windows with >= 3
people (MIN_PEOPLE), Pearson r of occupancy over all full windows, visitors'
mean error and MAPE over the same windows as occupancy's MAPE, the raw
figures beside them (devices.unique and devices.estimated as if they were
occupancy), and the mean of `stationary` over windows with >= 3 people.
Days whose files are missing from the data directory are skipped and named.
"""

import argparse
import calendar
import csv
import glob
import math
import os
import sys
import time

TUNING = ("2024-02-08", "2024-02-09", "2024-02-15", "2024-02-29")
JUDGING = ("2024-03-07", "2024-03-14", "2024-03-21", "2024-04-04")
STEM = "tomas-fryza+probe-request-project__position_2__sc6-61_"
MIN_PEOPLE = 3
WINDOW_S = 300


# ---- Ground truth ------------------------------------------------------------------
def find_files(data, date):
    """(pcap, table, kind) of one day under `data`, or None if the pcap or its
    ground truth is missing. kind: "tsv" (the repository's table) or "csv"."""
    pcaps = sorted(glob.glob(os.path.join(data, "*", STEM + date + "*.pcap")))
    if not pcaps:
        return None
    tsv = glob.glob(os.path.join(data, "*", STEM + date + "_occupancy.tsv"))
    if tsv:
        return pcaps[0], tsv[0], "tsv"
    found = glob.glob(os.path.join(data, "*", STEM + date + "_ver-99.csv"))
    if found:
        return pcaps[0], found[0], "csv"
    return None


def read_occupancy(path, kind):
    """{pcap record index: occupancy} (rows without a number are left out)."""
    out = {}
    with open(path, newline="", encoding="utf-8") as f:
        if kind == "csv":
            rows = csv.DictReader(f, delimiter=";")
            pairs = ((r.get("idx"), r.get("occupancy")) for r in rows)
        else:
            rows = csv.reader(f, delimiter="\t")
            header = next(rows, None)
            if header is None:
                return out
            names = [h.strip().lower() for h in header]
            if "idx" in names and "occupancy" in names:
                i, o = names.index("idx"), names.index("occupancy")
                pairs = ((r[i], r[o]) for r in rows if len(r) > max(i, o))
            else:  # no header: idx, time, occupancy
                first = [(header[0], header[-1])]
                pairs = first + [(r[0], r[-1]) for r in rows if len(r) >= 3]
        for idx, occ in pairs:
            try:
                v = float(occ)
                k = int(idx)
            except (TypeError, ValueError):
                continue
            if math.isfinite(v):
                out[k] = v
    return out


def window_truth(record_times_us, occupancy):
    """{window start (s since the epoch): people in the room during it}: the
    occupancy recorded at each probe holds until the next one."""
    points = sorted((record_times_us[i], v) for i, v in occupancy.items()
                    if 0 <= i < len(record_times_us))
    truth = {}
    held = None
    for k, (us, v) in enumerate(points):
        w = (us // 1000000) // WINDOW_S * WINDOW_S
        if held is not None:  # the value in force since the last probe
            prev_w = (points[k - 1][0] // 1000000) // WINDOW_S * WINDOW_S
            for gap_w in range(prev_w + WINDOW_S, w + 1, WINDOW_S):
                truth[gap_w] = max(truth.get(gap_w, 0), held)
        truth[w] = max(truth.get(w, 0), v)
        held = v
    return truth


# ---- Figures -----------------------------------------------------------------------
def pearson(pairs):
    n = len(pairs)
    if n < 3:
        return None
    mx = sum(t for t, _ in pairs) / n
    my = sum(e for _, e in pairs) / n
    sxx = sum((t - mx) ** 2 for t, _ in pairs)
    syy = sum((e - my) ** 2 for _, e in pairs)
    sxy = sum((t - mx) * (e - my) for t, e in pairs)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def figures(rows):
    """rows: (truth, message) per full window."""
    def col(m, *path):
        v = m
        for p in path:
            v = (v or {}).get(p)
        return v

    busy = [(t, m) for t, m in rows if t >= MIN_PEOPLE]

    def mape(key):
        errs = [abs(col(m, *key) - t) / t for t, m in busy if col(m, *key) is not None]
        return sum(errs) / len(errs) if errs else None

    def mean_error(key):
        errs = [col(m, *key) - t for t, m in busy if col(m, *key) is not None]
        return sum(errs) / len(errs) if errs else None

    def mean(xs):
        xs = [x for x in xs if x is not None]
        return sum(xs) / len(xs) if xs else None

    occ = [(t, col(m, "occupancy")) for t, m in rows if col(m, "occupancy") is not None]
    return {
        "windows": len(rows),
        "windows_busy": len(busy),
        "people_mean": mean([t for t, _ in busy]),
        "occupancy_mean": mean([col(m, "occupancy") for _, m in busy]),
        "occupancy_mape": mape(("occupancy",)),
        "occupancy_error": mean_error(("occupancy",)),
        "occupancy_r": pearson(occ),
        "visitors_mean": mean([col(m, "visitors") for _, m in busy]),
        "visitors_error": mean_error(("visitors",)),
        "visitors_mape": mape(("visitors",)),
        "visitors_r": pearson([(t, col(m, "visitors")) for t, m in rows
                               if col(m, "visitors") is not None]),
        "estimated_mape": mape(("devices", "estimated")),
        "unique_mape": mape(("devices", "unique")),
        "stationary_mean": mean([col(m, "stationary") for _, m in busy]),
    }


def compare(truth, msgs):
    rows = []
    for m in msgs:
        if m["window"].get("partial"):
            continue
        start = m["window"]["start"]
        w = calendar.timegm(time.strptime(start[:19], "%Y-%m-%dT%H:%M:%S"))
        if w in truth:
            rows.append((truth[w], m))
    return rows


# ---- Running -----------------------------------------------------------------------
def run(acc, footfalld, broker_port, sub, work, data, days=TUNING + JUDGING, extra_config="",
        log=print):
    """Replays each lab day found under `data` through footfalld with
    acc.replay (scripts/accuracy's runner) and returns the figures:
    {"days": [...], "tuning": {...}, "judging": {...}, "missing": [...]}."""
    out = {"days": [], "missing": [], "split": {"tuning": list(TUNING), "judging": list(JUDGING)}}
    all_rows = {"tuning": [], "judging": []}
    for date in days:
        files = find_files(data, date)
        if files is None:
            out["missing"].append(date)
            continue
        pcap, table, kind = files
        _, recs = acc.read_pcap(pcap)
        truth = window_truth([us for us, _, _ in recs], read_occupancy(table, kind))
        name = "lab-" + date
        kwargs = {"extra_config": extra_config} if extra_config else {}
        msgs, secs = acc.replay(footfalld, pcap, name, broker_port, sub, work, **kwargs)
        rows = compare(truth, msgs)
        half = "tuning" if date in TUNING else "judging"
        all_rows[half].extend(rows)
        r = figures(rows)
        r.update({"date": date, "half": half, "messages": len(msgs), "replay_s": round(secs, 2),
                  "records": len(recs), "truth": kind})
        out["days"].append(r)
        log("  %-15s %6d records, %3d messages, %3d windows (%d with >= %d people), replay %.1f s"
            % (name, len(recs), len(msgs), r["windows"], r["windows_busy"], MIN_PEOPLE, secs))
    for half, rows in all_rows.items():
        if rows:
            out[half] = figures(rows)
    if out["missing"]:
        log("  lab days not found under %s: %s" % (data, " ".join(out["missing"])))
    return out


def fmt(x, pct=False, digits=1, sign=False):
    if x is None:
        return "-"
    if pct:
        return "%.0f%%" % (100 * x)
    return (("%+" if sign else "%") + "." + str(digits) + "f") % x


def report(lab, log=print):
    if not lab or not lab.get("days"):
        return
    log()
    log("ESP32 lab (sc6-61): occupancy against the lab's recorded people; MAPE and mean error "
        "over full 5-min windows with >= %d people, r over all full windows" % MIN_PEOPLE)
    hdr = ("day", "half", "win", "win>=3", "people", "occupancy", "MAPE", "r", "visitors",
           "vis error", "vis MAPE", "MAPE estimated", "MAPE raw", "stationary")
    log("| " + " | ".join(hdr) + " |")
    log("|" + "|".join("---" for _ in hdr) + "|")
    lines = [(r["date"], r["half"], r) for r in lab["days"]]
    lines += [("all", h, lab[h]) for h in ("tuning", "judging") if h in lab]
    for day, half, r in lines:
        log("| " + " | ".join([
            day, half, str(r["windows"]), str(r["windows_busy"]), fmt(r["people_mean"]),
            fmt(r["occupancy_mean"]), fmt(r["occupancy_mape"], True), fmt(r["occupancy_r"], digits=2),
            fmt(r["visitors_mean"]), fmt(r["visitors_error"], sign=True),
            fmt(r["visitors_mape"], True), fmt(r["estimated_mape"], True),
            fmt(r["unique_mape"], True), fmt(r["stationary_mean"])]) + " |")


def check(lab, max_mape, min_r, max_visitors_error, failures):
    """Appends to `failures` the bounds the judging half (or, if absent, every
    day found) misses."""
    if max_mape is None and min_r is None and max_visitors_error is None:
        return
    lab = lab or {}
    halves = [lab[h] for h in ("judging",) if h in lab] or lab.get("days", [])
    if not halves:
        failures.append("lab: no lab day found")
    for r in halves:
        what = "lab %s" % r.get("date", "judging")
        if max_mape is not None and (r["occupancy_mape"] is None or r["occupancy_mape"] > max_mape):
            failures.append("%s occupancy MAPE = %s > %s" % (what, fmt(r["occupancy_mape"], True),
                                                              fmt(max_mape, True)))
        if min_r is not None and (r["occupancy_r"] is None or r["occupancy_r"] < min_r):
            failures.append("%s occupancy r = %s < %.2f" % (what, fmt(r["occupancy_r"], digits=2),
                                                            min_r))
        if max_visitors_error is not None and (r["visitors_error"] is None or
                                               abs(r["visitors_error"]) > max_visitors_error):
            failures.append("%s visitors mean error = %s, bound +-%.1f" % (
                what, fmt(r["visitors_error"], sign=True), max_visitors_error))


def load_accuracy():
    """scripts/accuracy as a module (it has no .py suffix)."""
    import importlib.machinery
    import importlib.util
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "accuracy")
    loader = importlib.machinery.SourceFileLoader("footfall_accuracy", path)
    spec = importlib.util.spec_from_loader("footfall_accuracy", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def main():
    import shutil
    import tempfile
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(root, "build"))
    ap.add_argument("--data", default=os.path.join(root, "tests", "data"),
                    help="directory with real/ training/ groundtruth/ (default tests/data)")
    ap.add_argument("--days", default="all", help="tuning, judging, all, or dates split by ','")
    ap.add_argument("--config", default="", help="extra footfalld TOML lines (tuning sweeps)")
    ap.add_argument("--json")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--max-occupancy-mape", type=float)
    ap.add_argument("--min-occupancy-r", type=float)
    ap.add_argument("--max-visitors-error", type=float)
    args = ap.parse_args()
    days = {"tuning": TUNING, "judging": JUDGING, "all": TUNING + JUDGING}.get(
        args.days, tuple(args.days.split(",")))
    acc = load_accuracy()
    footfalld = os.path.join(args.build, "daemon", "footfalld")
    work = tempfile.mkdtemp(prefix="footfall-accuracy-lab.")
    broker = sub = None
    try:
        broker = acc.Broker(work)
        sub = acc.Subscriber(broker.port, "footfall/accuracy/+/counts", work)
        lab = run(acc, footfalld, broker.port, sub, work, args.data, days,
                  args.config.replace("\\n", "\n"))
    finally:
        if sub:
            sub.stop()
        if broker:
            broker.stop()
        shutil.rmtree(work, ignore_errors=True)
    report(lab)
    if args.json:
        import json
        with open(args.json, "w") as f:
            json.dump(lab, f, indent=1)
    if args.check:
        failures = []
        check(lab, args.max_occupancy_mape, args.min_occupancy_r, args.max_visitors_error,
              failures)
        if failures:
            print("\naccuracy_lab: CHECK FAILED\n  " + "\n  ".join(failures))
            return 1
        print("\naccuracy_lab: check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
