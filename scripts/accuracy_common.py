"""Purpose: the shared runner of scripts/accuracy and its data-set modules.

One home for what every data set needs: a private mosquitto on a free loopback
port with a real mosquitto_sub (Broker, Subscriber), a replay of one pcap
through the real footfalld into it (Runner.replay: file source at speed 0,
[privacy] min_count = 0, the [analytics] defaults unless told otherwise), pcap
reading/writing/time-shifting in Python, the error measures (MAPE, Pearson r)
and the report's formatting.

A data-set module (scripts/accuracy imports them: accuracy_lab.py and the ones
defined in scripts/accuracy itself) provides

    NAME                       short name, e.g. "lab"
    add_arguments(ap)          optional: its own command-line options
    run(ctx) -> dict           measures; ctx is a Context (below). The dict has
                               "name", "halves": {"tuning": {...}, "judging":
                               {...}} (the summary figures of each half) and
                               whatever else it wants in the JSON
    report(result) -> [str]    markdown lines of its table(s)
    check(result, args) -> [str]   failures of the --check bounds (empty: ok)

and raises Skip("why") from run() when its data is not there.

Every data set is split into a tuning half and a judging half that are fixed
here and in docs/accuracy.md; constants are chosen on the tuning half only.

Python 3 standard library only.
"""

import json
import math
import os
import socket
import struct
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WINDOW_S = 300
TUNING, JUDGING = "tuning", "judging"
HALVES = (TUNING, JUDGING)


class Skip(Exception):
    """A data set whose input is missing (the message says which)."""


def die(msg):
    print("accuracy: " + msg, file=sys.stderr)
    sys.exit(2)


# ---- MQTT: a private mosquitto and a real mosquitto_sub -----------------------
def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


class Broker:
    def __init__(self, workdir):
        self.port = free_port()
        conf = os.path.join(workdir, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    "max_queued_messages 0\n" % self.port)
        self.log = open(os.path.join(workdir, "mosquitto.log"), "w")
        self.proc = subprocess.Popen(["mosquitto", "-c", conf], stdout=self.log, stderr=self.log)
        if not wait_port(self.port):
            self.stop()
            die("mosquitto did not start on port %d" % self.port)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Subscriber:
    READY = "footfall-accuracy/ready"

    def __init__(self, port, topic, workdir):
        self.path = os.path.join(workdir, "sub.out")
        self.out = open(self.path, "w")
        self.err = open(os.path.join(workdir, "sub.err"), "w")
        self.proc = subprocess.Popen(
            ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-v",
             "-t", topic, "-t", self.READY], stdout=self.out, stderr=self.err)
        self._offset = 0
        self._lines = []
        deadline = time.time() + 10
        while time.time() < deadline:
            subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-t",
                            self.READY, "-m", "ready"], check=False)
            time.sleep(0.05)
            if any(line == self.READY + " ready" for line in self._read()):
                return
        die("mosquitto_sub did not become ready")

    def _read(self):
        self.out.flush()
        with open(self.path, "rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        # Only whole lines; a line still being written is read next time.
        end = chunk.rfind(b"\n") + 1
        self._offset += end
        for line in chunk[:end].decode("utf-8", "replace").splitlines():
            self._lines.append(line)
        return self._lines

    def messages(self, topic):
        out = []
        for line in self._read():
            t, _, payload = line.partition(" ")
            if t == topic:
                try:
                    out.append(json.loads(payload))
                except ValueError:
                    pass
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


# ---- footfalld -----------------------------------------------------------------
DEFAULT_ANALYTICS = {"visit_gap_s": 300, "visitor_rssi_dbm": -70, "min_visit_s": 300,
                     "stationary_after_s": 21600}


class Runner:
    """Replays captures through the real footfalld into one private broker."""

    def __init__(self, footfalld, workdir):
        self.footfalld = footfalld
        self.work = workdir
        self.broker = Broker(workdir)
        self.sub = Subscriber(self.broker.port, "footfall/accuracy/+/counts", workdir)

    def stop(self):
        self.sub.stop()
        self.broker.stop()

    def replay(self, pcap, sensor, window_s=WINDOW_S, analytics=None, extra_toml="",
               expected_windows=None, timeout=900, min_rssi_dbm=None):
        """Replays `pcap` as sensor `sensor` (unique per replay); returns
        (counts messages in order, seconds footfalld ran, peak RSS in KiB).
        `analytics` overrides [analytics] keys; `min_rssi_dbm` sets the
        [privacy] signal floor (default: none); `extra_toml` is appended."""
        state = os.path.join(self.work, "state-" + sensor)
        conf = os.path.join(self.work, sensor + ".toml")
        keys = dict(DEFAULT_ANALYTICS)
        keys.update(analytics or {})
        with open(conf, "w") as f:
            f.write('[sensor]\nsite = "accuracy"\nid = "%s"\n\n' % sensor)
            f.write('[capture]\nsource = "file:%s"\nspeed = 0\n\n' % pcap)
            f.write("[windows]\nlength_s = %d\n\n" % window_s)
            f.write("[privacy]\nmin_count = 0\n")
            if min_rssi_dbm is not None:
                f.write("min_rssi_dbm = %d\n" % min_rssi_dbm)
            f.write("\n")
            f.write("[analytics]\n")
            for k, v in keys.items():
                f.write("%s = %s\n" % (k, json.dumps(v)))
            f.write('\n[mqtt]\nuri = "tcp://127.0.0.1:%d"\n\n' % self.broker.port)
            f.write('[state]\ndir = "%s"\n' % state)
            f.write(extra_toml)
        topic = "footfall/accuracy/%s/counts" % sensor
        log = os.path.join(self.work, sensor + ".log")
        env = dict(os.environ, TZ="UTC")
        t0 = time.time()
        with open(log, "w") as lf:
            proc = subprocess.Popen([self.footfalld, "--config", conf],
                                    stdout=lf, stderr=lf, env=env)
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            except ChildProcessError:
                status, usage = 0, None
            proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.time() - t0
        rss_kib = usage.ru_maxrss if usage is not None else None
        if proc.returncode != 0:
            with open(log) as lf:
                tail = lf.read()[-2000:]
            die("footfalld exited %d on %s:\n%s" % (proc.returncode, os.path.basename(pcap), tail))
        # QoS 1 messages may still be on their way to mosquitto_sub.
        last, stable_since, deadline = -1, time.time(), time.time() + 30
        while time.time() < deadline:
            n = len(self.sub.messages(topic))
            if expected_windows is not None and n >= expected_windows:
                break
            if n != last:
                last, stable_since = n, time.time()
            elif time.time() - stable_since > 1.5:
                break
            time.sleep(0.1)
        return self.sub.messages(topic), elapsed, rss_kib


class Context:
    """What a data set's run() gets."""

    def __init__(self, runner, data, args, work, simulate, quick):
        self.runner = runner  # Runner
        self.data = data  # the data folder: real/, labelled-single-device/, training/, groundtruth/
        self.args = args  # the parsed command line
        self.work = work  # a private scratch directory
        self.simulate = simulate  # path of tools/simulate
        self.quick = quick

    def wants(self, half):
        """Whether `half` (TUNING or JUDGING) is to be run (--half)."""
        which = getattr(self.args, "half", None) or "both"
        return which == "both" or which == half

    def path(self, *parts):
        return os.path.join(self.data, *parts)

    def need(self, *parts):
        """The path of a data file, or Skip if it is not there."""
        p = self.path(*parts)
        if not os.path.exists(p):
            raise Skip("%s not found" % p)
        return p


# ---- pcap in Python --------------------------------------------------------------
def read_pcap(path):
    """(link type, [(timestamp us, bytes, original length)]) of a classic pcap."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        endian = ">"
    else:
        raise ValueError("%s: not a classic pcap" % path)
    nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
    link = struct.unpack(endian + "I", data[20:24])[0]
    recs, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        if off + incl > len(data):
            break
        us = sec * 1000000 + (frac // 1000 if nano else frac)
        recs.append((us, data[off:off + incl], orig))
        off += incl
    return link, recs


def write_pcap(path, recs, link=127):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, link))
        for us, b, orig in recs:
            f.write(struct.pack("<IIII", us // 1000000, us % 1000000, len(b), orig))
            f.write(b)


def frame_of(link, b):
    """The 802.11 frame of a record (radiotap stripped), or None."""
    if link == 127:
        if len(b) < 4:
            return None
        return b[struct.unpack("<H", b[2:4])[0]:]
    if link == 105:
        return b
    return None


def probe_source(link, b):
    """(source MAC as bytes, sequence number) of a probe request record, else None."""
    f = frame_of(link, b)
    if f is None or len(f) < 24 or (f[0] & 0xFC) != 0x40:
        return None
    return bytes(f[10:16]), struct.unpack("<H", f[22:24])[0] >> 4


def is_probe(link, b):
    return probe_source(link, b) is not None


def shift_pcap(src, dst, start_us):
    """Writes `src` to `dst` with its first record at `start_us`; returns
    (link, shifted records)."""
    link, recs = read_pcap(src)
    if not recs:
        raise ValueError("%s: no records" % src)
    shift = start_us - recs[0][0]
    out = [(us + shift, b, orig) for us, b, orig in recs]
    write_pcap(dst, out, link)
    return link, out


def utc(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def window_index(us, window_s=WINDOW_S):
    return us // (window_s * 1000000)


# ---- Measures --------------------------------------------------------------------
def mape(pairs):
    """Mean absolute percentage error over (truth, estimate) with truth > 0."""
    errs = [abs(e - t) / t for t, e in pairs if t is not None and e is not None and t > 0]
    return (sum(errs) / len(errs)) if errs else None


def mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else None


def pearson(pairs):
    pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
    if len(pairs) < 2:
        return None
    ma = sum(a for a, _ in pairs) / len(pairs)
    mb = sum(b for _, b in pairs) / len(pairs)
    sab = sum((a - ma) * (b - mb) for a, b in pairs)
    saa = sum((a - ma) ** 2 for a, _ in pairs)
    sbb = sum((b - mb) ** 2 for _, b in pairs)
    if saa == 0 or sbb == 0:
        return None
    return sab / math.sqrt(saa * sbb)


def weighted_median(values):
    """values: (value, weight) pairs; the lower weighted median."""
    vals = sorted((v, w) for v, w in values if v is not None and w > 0)
    total = sum(w for _, w in vals)
    if total == 0:
        return None
    acc = 0
    for v, w in vals:
        acc += w
        if 2 * acc >= total:
            return v
    return vals[-1][0]


def device_summary(rows):
    """Summary of (truth, estimated, raw) window rows: means and MAPEs."""
    return {
        "windows": len(rows),
        "true": mean([t for t, _, _ in rows]),
        "est": mean([e for _, e, _ in rows]),
        "raw": mean([u for _, _, u in rows]),
        "mape": mape([(t, e) for t, e, _ in rows]),
        "raw_mape": mape([(t, u) for t, _, u in rows]),
    }


# ---- Report ----------------------------------------------------------------------
def fmt(x, pct=False, digits=1):
    if x is None:
        return "-"
    if pct:
        return "%.0f%%" % (100 * x)
    return ("%." + str(digits) + "f") % x


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return out


def halves_table(result, what="devices"):
    """The tuning and judging halves of a devices data set side by side."""
    h = result["halves"]
    rows = []
    for half in HALVES:
        s = h.get(half)
        if not s:
            continue
        rows.append([half, s.get("items", "-"), s["windows"], fmt(s["true"]), fmt(s["est"]),
                     fmt(s["raw"]), fmt(s["mape"], True), fmt(s["raw_mape"], True)])
    return table([result["name"], "items", "windows", what + " true", "estimated", "raw MACs",
                  "MAPE est", "MAPE raw"], rows)


def bound(failures, value, limit, what):
    """Appends a failure if `value` exceeds `limit` (a fraction)."""
    if limit is not None and (value is None or value > limit):
        failures.append("%s = %s > %s" % (what, fmt(value, True), fmt(limit, True)))
