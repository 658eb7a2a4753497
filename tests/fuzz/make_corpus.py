#!/usr/bin/env python3
"""Purpose: writes the seed corpus of the fuzz targets (tests/fuzz/corpus/).

Reproducible: same captures in, same files out (python3 standard library only).

    tests/fuzz/make_corpus.py [--captures DIR] [--out DIR]

Two kinds of seeds:
  - records of the real captures (DIR/real and DIR/labelled-single-device,
    default tests/data), chosen for diversity
    (link type, radiotap present bitmaps, frame type, FCS state, element
    layout), with everything personal taken out before they are written:
      * every address field (addr1..addr4) becomes a fixed dummy,
        02:00:00:00:00:01, locally administered (so the privacy scans of
        requirement 1 never match a real device);
      * SSID and Mesh ID contents become 'x' bytes of the same length;
        vendor-specific elements keep their OUI and type, the rest is zeroed
        (WPS carries a device UUID, names, serial numbers); elements other
        than capability ones (rates, DS, HT/VHT/HE, extended capabilities,
        RM, operating classes) have their contents zeroed;
      * frames other than probe requests keep only their 802.11 header: the
        parser looks no further, and bodies may hold addresses and names;
      * an FCS that matched is recomputed over the changed frame, one that did
        not is made not to match again, so both paths stay covered.
  - crafted edge cases: truncated radiotap, bogus it_len, extended bitmaps that
    run off the end, misaligned fields, vendor namespaces with large
    skip_length, TLVs, elements that overrun the frame, zero-length frames,
    FCS present/absent/flagged/wrong, PPI/Prism/AVS headers, cut frames.

Input formats: see fuzz_frame.cc and fuzz_radiotap.cc (first byte = control).
File names are descriptive for crafted seeds and "rec-<sha1>" for records;
files named "repro-*" (inputs of fixed findings) are left alone.
"""

import argparse
import hashlib
import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))

DUMMY_MAC = bytes([0x02, 0x00, 0x00, 0x00, 0x00, 0x01])
BROADCAST = b"\xff" * 6

# fuzz_frame's link-type selector (byte 0, bits 0-2): index in this list.
FRAME_LINK_TYPES = [127, 105, 192, 119, 163, 1, 0, -1]

MAX_REAL_FRAME = 200      # records for fuzz_frame
RADIOTAP_PER_SHAPE = 3    # fuzz_radiotap: records per radiotap layout (present words, flags)

# Element ids whose contents are capabilities of a phone model, not of a
# person: kept as they are (a future fingerprinting parser wants them).
KEEP_IE = {1, 3, 45, 50, 59, 70, 127, 191}
# Extension elements (255) kept: HE, HE 6 GHz and EHT capabilities. Others
# are zeroed after their extension id (Multi-Link carries an MLD address).
KEEP_EXT = {35, 59, 108}
TEXT_IE = {0, 114}  # SSID, Mesh ID: same length, all 'x'
VENDOR_IE = 221


# ---- Captures ---------------------------------------------------------------

def read_pcap(path):
    """Yields (linktype, caplen, wirelen, data) of a pcap or pcapng file."""
    with open(path, "rb") as f:
        blob = f.read()
    magic = blob[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        yield from _read_pcapng(blob)
        return
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise ValueError(f"{path}: not a pcap file")
    linktype = struct.unpack(e + "I", blob[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(blob):
        _, _, caplen, wirelen = struct.unpack(e + "IIII", blob[off:off + 16])
        off += 16
        if off + caplen > len(blob):
            break  # the file ends in the middle of a record
        yield linktype, caplen, wirelen, blob[off:off + caplen]
        off += caplen


def _read_pcapng(blob):
    off = 0
    e = "<"
    interfaces = []
    while off + 12 <= len(blob):
        btype = struct.unpack(e + "I", blob[off:off + 4])[0]
        if btype == 0x0A0D0D0A:  # section header: sets the byte order
            bom = blob[off + 8:off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            interfaces = []
        blen = struct.unpack(e + "I", blob[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(blob):
            break
        body = blob[off + 8:off + blen - 4]
        if btype == 1:  # interface description
            linktype, _, snaplen = struct.unpack(e + "HHI", body[:8])
            interfaces.append((linktype, snaplen))
        elif btype == 6:  # enhanced packet
            ifid, _, _, caplen, wirelen = struct.unpack(e + "IIIII", body[:20])
            if ifid < len(interfaces):
                yield interfaces[ifid][0], caplen, wirelen, body[20:20 + caplen]
        elif btype == 3 and interfaces:  # simple packet
            wirelen = struct.unpack(e + "I", body[:4])[0]
            linktype, snaplen = interfaces[0]
            caplen = min(wirelen, snaplen or wirelen, len(body) - 4)
            yield linktype, caplen, wirelen, body[4:4 + caplen]
        off += blen


# ---- Radiotap -----------------------------------------------------------------

# (alignment, size) of radiotap fields 0..27, as radiotap.org defines them.
RT_FIELDS = [(8, 8), (1, 1), (1, 1), (2, 4), (2, 2), (1, 1), (1, 1), (2, 2), (2, 2), (2, 2),
             (1, 1), (1, 1), (1, 1), (1, 1), (2, 2), (2, 2), (1, 1), (1, 1), (4, 8), (1, 3),
             (4, 8), (2, 12), (8, 12), (2, 12), (2, 12), (2, 6), (1, 1), (2, 4)]


def radiotap_info(d):
    """(it_len, present words, flags byte or None) of a radiotap header, or None."""
    if len(d) < 8 or d[0] != 0:
        return None
    it_len = struct.unpack("<H", d[2:4])[0]
    if it_len < 8 or it_len > len(d):
        return None
    words = []
    off = 4
    while True:
        if off + 4 > it_len:
            return None
        w = struct.unpack("<I", d[off:off + 4])[0]
        words.append(w)
        off += 4
        if not w & 0x80000000:
            break
    flags = None
    # Flags (bit 1) sits right after TSFT (bit 0) if present, in the first word.
    if words[0] & 0x2:
        pos = off
        if words[0] & 0x1:
            pos = ((pos + 7) & ~7) + 8
        if pos < it_len:
            flags = d[pos]
    return it_len, tuple(words), flags


# ---- 802.11 sanitizing -----------------------------------------------------------

def sanitize_ies(ies):
    """Element contents made impersonal; a last, incomplete element is kept
    (length byte and whatever was captured), zeroed."""
    out = bytearray()
    off = 0
    while off < len(ies):
        if off + 2 > len(ies):
            out += b"\x00"
            break
        eid, elen = ies[off], ies[off + 1]
        data = ies[off + 2:off + 2 + elen]
        if eid in KEEP_IE:
            new = bytes(data)
        elif eid in TEXT_IE:
            new = b"x" * len(data)
        elif eid == 255 and data[:1] and data[0] in KEEP_EXT:
            new = bytes(data)
        elif eid == 255:
            new = bytes(data[:1]) + b"\x00" * max(0, len(data) - 1)
        elif eid == VENDOR_IE:
            new = bytes(data[:4]) + b"\x00" * max(0, len(data) - 4)
        else:
            new = b"\x00" * len(data)
        out += bytes([eid, elen]) + new
        off += 2 + elen
    return bytes(out)


def header_len_80211(fc0, fc1, n):
    """Length of the 802.11 header for frame control bytes fc0/fc1 (at most n)."""
    ftype = (fc0 >> 2) & 3
    subtype = fc0 >> 4
    if ftype == 0:
        hl = 24
    elif ftype == 1:
        # ACK and CTS: addr1 only; everything else (RTS, PS-Poll, BA...) two.
        hl = 10 if subtype in (12, 13) else 16
    elif ftype == 2:
        hl = 30 if (fc1 & 3) == 3 else 24
        if subtype & 8:
            hl += 2  # QoS control
    else:
        hl = 10
    return min(hl, n)


def blank_addresses(frame, hl):
    """Every address field inside the header (4..hl) becomes the dummy."""
    for start in (4, 10, 16, 24):
        if start + 6 <= hl:
            frame[start:start + 6] = DUMMY_MAC
        elif start < hl:
            frame[start:hl] = DUMMY_MAC[:hl - start]


def sanitize_record(linktype, caplen, wirelen, data):
    """Returns (frame bytes, wirelen) with nothing personal, or None to skip."""
    data = bytes(data)
    flags = None
    if linktype == 127:
        info = radiotap_info(data)
        if info is None:
            return None  # broken headers come from the crafted seeds instead
        it_len, _, flags = info
    elif linktype == 105:
        it_len = 0
    else:
        return None
    radiotap, frame = data[:it_len], bytearray(data[it_len:])
    truncated = caplen < wirelen
    has_fcs = flags is not None and (flags & 0x10) != 0
    fcs_ok = None
    if has_fcs and not truncated and len(frame) >= 4:
        fcs_ok = zlib.crc32(bytes(frame[:-4])) == struct.unpack("<I", bytes(frame[-4:]))[0]
        body = frame[:-4]
    else:
        body = frame
    if len(body) < 2:
        return radiotap + bytes(frame), wirelen
    fc0, fc1 = body[0], body[1]
    hl = header_len_80211(fc0, fc1, len(body))
    probe = (fc0 & 0xFC) == 0x40
    if probe:
        new_body = bytearray(body)
        blank_addresses(new_body, hl)
        new_body[hl:] = sanitize_ies(bytes(body[hl:]))
    else:
        new_body = bytearray(body[:hl])
        blank_addresses(new_body, hl)
    new_frame = bytes(new_body)
    if fcs_ok is not None:
        fcs = zlib.crc32(new_frame)
        if not fcs_ok:
            fcs ^= 0x00000100
        new_frame += struct.pack("<I", fcs)
    elif truncated:
        # Cut by the snap length: keep it cut, and keep what was on the air
        # beyond the capture (the target's selector says how much, at most 65535).
        pass
    new_wirelen = len(radiotap) + len(new_frame) + (wirelen - caplen)
    return radiotap + new_frame, new_wirelen


def shape_key(linktype, data):
    """Coarse and fine diversity keys of a sanitized record."""
    it_len, words, flags = 0, (), None
    if linktype == 127:
        it_len, words, flags = radiotap_info(data)
    frame = data[it_len:]
    fc = frame[0] if frame else -1
    coarse = (linktype, words, flags, fc & 0xFC if fc >= 0 else -1, fc & 3 if fc >= 0 else -1)
    ies = ()
    if fc >= 0 and (fc & 0xFC) == 0x40 and len(frame) > 24:
        b = frame[24:]
        off = 0
        ids = []
        while off + 2 <= len(b):
            ids.append(b[off])
            off += 2 + b[off + 1]
        ies = tuple(ids)
    return coarse, (coarse, ies, len(frame) // 64)


def cut_selector(caplen, wirelen):
    """fuzz_frame's bits 3-7: n < 30 bytes cut, 30 = wirelen 0, 31 = 65535 cut."""
    extra = wirelen - caplen
    if extra <= 0:
        return 0
    return extra if extra < 30 else 31


def frame_seed(linktype, data, wirelen=None):
    """fuzz_frame input: selector byte + frame."""
    n = 0 if wirelen is None else cut_selector(len(data), wirelen)
    return bytes([FRAME_LINK_TYPES.index(linktype) | (n << 3)]) + bytes(data)


def identifiers(linktype, data):
    """Addresses (addr1..addr4) and SSID/Mesh ID texts of one raw record."""
    found = set()
    it_len = 0
    if linktype == 127:
        info = radiotap_info(data)
        if info is None:
            return found
        it_len = info[0]
    elif linktype != 105:
        return found
    frame = data[it_len:]
    if len(frame) < 2:
        return found
    hl = header_len_80211(frame[0], frame[1], len(frame))
    for start in (4, 10, 16, 24):
        if start + 6 <= hl:
            found.add(bytes(frame[start:start + 6]))
    if (frame[0] & 0x0C) == 0:  # management: SSIDs in probe requests and beacons alike
        body_off = {0x40: 24, 0x80: 36, 0x50: 36}.get(frame[0] & 0xFC)
        if body_off is not None:
            b = frame[body_off:]
            off = 0
            while off + 2 <= len(b):
                if b[off] in TEXT_IE and b[off + 1] >= 4:
                    found.add(bytes(b[off + 2:off + 2 + b[off + 1]]))
                off += 2 + b[off + 1]
    return found


def check_no_identifiers(seeds, identifiers_seen):
    """Fails if any real address or network name made it into a seed."""
    # Strings of fewer than 4 bytes or 3 distinct values identify nobody (and
    # would match zeroed element contents next to their id byte).
    harmless = {DUMMY_MAC}
    needles = {x for x in identifiers_seen
               if x not in harmless and len(x) >= 4 and len(set(x)) >= 3}
    lengths = sorted({len(x) for x in needles})
    for name, data in seeds:
        for n in lengths:
            for i in range(len(data) - n + 1):
                if data[i:i + n] in needles:
                    sys.exit(f"make_corpus: {name} still holds an identifier of a real capture")


def real_records(captures, identifiers_seen):
    """Sanitized, diverse records: list of (linktype, data, wirelen)."""
    files = []
    for sub in ("real", "labelled-single-device"):
        d = os.path.join(captures, sub)
        if not os.path.isdir(d):
            sys.exit(f"make_corpus: no captures at {d} (use --captures)")
        files += [os.path.join(d, n) for n in sorted(os.listdir(d))]
    per_file = []
    seen_fine = set()
    for path in files:
        cands = []
        try:
            records = list(read_pcap(path))
        except ValueError:
            continue
        for linktype, caplen, wirelen, data in records:
            identifiers_seen |= identifiers(linktype, data)
            s = sanitize_record(linktype, caplen, wirelen, data)
            if s is None:
                continue
            sdata, swire = s
            coarse, fine = shape_key(linktype, sdata)
            if fine in seen_fine:
                continue
            seen_fine.add(fine)
            cands.append((coarse, linktype, sdata, swire))
        per_file.append(cands)
    # First one record of every coarse shape (in file order), then round-robin
    # over the files for element-layout variety.
    chosen, seen_coarse = [], set()
    for cands in per_file:
        for c in cands:
            if c[0] not in seen_coarse:
                seen_coarse.add(c[0])
                chosen.append(c)
    rest = [[c for c in cands if c not in chosen] for cands in per_file]
    i = 0
    while len(chosen) < MAX_REAL_FRAME and any(rest):
        for cands in rest:
            if i < len(cands) and len(chosen) < MAX_REAL_FRAME:
                chosen.append(cands[i])
        i += 1
        if all(i >= len(c) for c in rest):
            break
    return [(lt, d, w) for _, lt, d, w in chosen[:MAX_REAL_FRAME]], len(seen_coarse)


# ---- Crafted frames -------------------------------------------------------------

def ie(eid, data):
    return bytes([eid, len(data)]) + bytes(data)


PROBE_IES = ie(0, b"") + ie(1, b"\x02\x04\x0b\x16") + ie(50, b"\x0c\x12\x18\x24") + ie(3, b"\x06")
PROBE = (b"\x40\x00\x00\x00" + BROADCAST + DUMMY_MAC + BROADCAST + b"\x10\x00") + PROBE_IES
BEACON_HDR = b"\x80\x00\x00\x00" + BROADCAST + DUMMY_MAC + DUMMY_MAC + b"\x20\x00"
ACK = b"\xd4\x00\x00\x00" + DUMMY_MAC
DATA_HDR = b"\x08\x01\x00\x00" + DUMMY_MAC + DUMMY_MAC + DUMMY_MAC + b"\x30\x00"


def with_fcs(frame, good=True):
    fcs = zlib.crc32(frame)
    if not good:
        fcs ^= 1
    return frame + struct.pack("<I", fcs)


def radiotap(words, fields=b"", it_len=None, version=0):
    """A radiotap header: present words then `fields` (already aligned by the
    caller, offsets counted from the start of the header)."""
    body = b"".join(struct.pack("<I", w) for w in words) + fields
    n = 4 + len(body) if it_len is None else it_len
    return bytes([version, 0]) + struct.pack("<H", n & 0xFFFF) + body


def rt_fields(words_count, fields):
    """Lays out radiotap-namespace fields [(bit, bytes)] after `words_count`
    present words with their alignment; returns the field bytes."""
    off = 4 + 4 * words_count
    out = b""
    for bit, val in fields:
        align, size = RT_FIELDS[bit]
        pad = (-off) % align
        out += b"\x00" * pad
        assert len(val) == size, (bit, len(val), size)
        out += val
        off += pad + size
    return out


def bits(*b):
    v = 0
    for x in b:
        v |= 1 << x
    return v


EXT, RT_NS, VENDOR_NS, TLV = 31, 29, 30, 28
TSFT = struct.pack("<Q", 1_000_000)
FLAGS_FCS = b"\x10"
FLAGS_BAD = b"\x50"
FLAGS_NONE = b"\x00"
CHANNEL = struct.pack("<HH", 2437, 0x00A0)
SIGNAL = b"\xc4"  # -60 dBm


def rt_simple(flags=FLAGS_NONE, signal=SIGNAL):
    return radiotap([bits(0, 1, 3, 5)],
                    rt_fields(1, [(0, TSFT), (1, flags), (3, CHANNEL), (5, signal)]))


def crafted_radiotap_headers():
    """(name, header) pairs exercising the radiotap walker. The headers carry
    no FCS flag unless the name says so."""
    h = []
    h.append(("rt-minimal", radiotap([0])))
    h.append(("rt-simple", rt_simple()))
    h.append(("rt-fcs", rt_simple(FLAGS_FCS)))
    h.append(("rt-flag-bad-fcs", rt_simple(FLAGS_BAD)))
    h.append(("rt-signal-plus26", rt_simple(signal=b"\x1a")))
    h.append(("rt-signal-minus128", rt_simple(signal=b"\x80")))
    h.append(("rt-signal-zero", rt_simple(signal=b"\x00")))
    # Misaligned: Flags (1 byte) then TSFT needs 8-alignment -> 7 pad bytes;
    # the order in the header is by bit number, so use Rate + TSFT in a second word.
    # TSFT in a second radiotap namespace (after a reset), 8-aligned after Flags.
    h.append(("rt-align-tsft-second-ns",
              radiotap([bits(1, RT_NS, EXT), bits(0, 5)],
                       FLAGS_NONE + b"\x00" * 3 + TSFT + SIGNAL)))
    xchannel = b"\x00" * 4 + struct.pack("<HBB", 2412, 1, 20)
    f = rt_fields(1, [(1, FLAGS_NONE), (3, CHANNEL), (5, SIGNAL), (18, xchannel)])
    h.append(("rt-align-xchannel", radiotap([bits(1, 3, 5, 18)], f)))
    f = rt_fields(1, [(2, b"\x02"), (22, b"\x00" * 12)])
    h.append(("rt-align-timestamp", radiotap([bits(2, 22)], f)))
    # Every defined field at once, in order.
    f = rt_fields(1, [(b, FLAGS_FCS if b == 1 else b"\x00" * RT_FIELDS[b][1]) for b in range(28)])
    h.append(("rt-all-fields-fcs", radiotap([(1 << 28) - 1], f)))
    # A field that overruns it_len, and padding that does.
    f = rt_fields(1, [(0, TSFT)])
    h.append(("rt-field-overruns", radiotap([bits(0, 1)], f)))
    h.append(("rt-padding-overruns", radiotap([bits(2, 3)], b"\x02")))
    # Extended bitmaps: several antenna signals (radiotap namespace repeated),
    # the combined one first.
    words = [bits(1, 5, RT_NS, EXT), bits(5, 11, RT_NS, EXT), bits(5, 11, RT_NS, EXT), bits(5, 11)]
    f = (rt_fields(4, [(1, FLAGS_NONE), (5, b"\xc8")]) + b"\xc4\x00" + b"\xbf\x01" + b"\xd0\x02")
    h.append(("rt-ext-antennas", radiotap(words, f)))
    # The combined signal out of range (+26 dBm): the strongest chain counts.
    words = [bits(1, 5, RT_NS, EXT), bits(5, 11, RT_NS, EXT), bits(5, 11)]
    f = rt_fields(3, [(1, FLAGS_NONE), (5, b"\x1a")]) + b"\xc4\x00" + b"\xbf\x01"
    h.append(("rt-ext-antennas-combined-plus26", radiotap(words, f)))
    # No combined signal at all: per-chain values only.
    words = [bits(RT_NS, EXT), bits(11, 5, RT_NS, EXT), bits(5, 11)]
    h.append(("rt-ext-antennas-no-combined", radiotap(words, b"\xbf\x00\xd0\x01")))
    # Extended bitmaps that run off the end of it_len / of the capture.
    h.append(("rt-ext-runs-off-itlen", radiotap([bits(EXT)], b"", it_len=8)))
    h.append(("rt-ext-chain-cut", radiotap([bits(EXT), bits(EXT), bits(EXT)], b"", it_len=14)))
    h.append(("rt-ext-all-ones", radiotap([0xFFFFFFFF] * 8)))
    h.append(("rt-ext-bits-32plus-no-reset", radiotap([bits(EXT), bits(0, 5)], b"\x00" * 16)))
    # Vendor namespaces: skip_length honoured, zero, large, overrunning; a
    # radiotap-namespace reset after the vendor data.
    vendor = b"\x00\x11\x22\x01" + struct.pack("<H", 4) + b"\xde\xad\xbe\xef"
    words = [bits(1, VENDOR_NS, EXT), bits(0, 1, 2, RT_NS, EXT), bits(5)]
    f = FLAGS_NONE + b"\x00" + vendor + b"\xc4"  # flags@16, pad, vendor@18..28, signal@28
    h.append(("rt-vendor-then-radiotap", radiotap(words, f)))
    vendor0 = b"\x00\x11\x22\x01" + struct.pack("<H", 0)
    h.append(("rt-vendor-skip0", radiotap([bits(VENDOR_NS, EXT), bits(1)], vendor0)))
    vbig = b"\x00\x11\x22\x01" + struct.pack("<H", 0xFFFF) + b"\x00" * 8
    h.append(("rt-vendor-skip-ffff", radiotap([bits(VENDOR_NS, EXT), 0], vbig)))
    vover = b"\x00\x11\x22\x01" + struct.pack("<H", 40) + b"\x00" * 8
    h.append(("rt-vendor-skip-overruns", radiotap([bits(VENDOR_NS, EXT), 0], vover)))
    h.append(("rt-vendor-header-cut", radiotap([bits(VENDOR_NS, EXT), 0], b"\x00\x11\x22")))
    h.append(("rt-vendor-no-ext", radiotap([bits(5, VENDOR_NS)], b"\xc4\x00" + vendor)))
    h.append(("rt-vendor-and-radiotap-ns",
              radiotap([bits(RT_NS, VENDOR_NS, EXT), bits(5)], vendor + b"\xc4")))
    # TLVs (bit 28): the fields after it cannot be located.
    tlv = struct.pack("<HH", 1, 1) + b"\x10\x00\x00\x00"
    h.append(("rt-tlv", radiotap([bits(5, TLV)], b"\xc4\x00\x00\x00" + tlv)))
    # Undefined bits (29..30 in field position are namespace bits; 28 is TLV).
    h.append(("rt-reserved-bits",
              radiotap([bits(EXT), bits(27, EXT), bits(28)], struct.pack("<I", 0))))
    return h


def crafted_frame_seeds():
    """(name, fuzz_frame input) pairs."""
    s = []
    rt = rt_simple()
    rtf = rt_simple(FLAGS_FCS)
    lt = FRAME_LINK_TYPES.index
    sel = lambda linktype, cut=0: bytes([lt(linktype) | (cut << 3)])

    s.append(("empty-radiotap", sel(127)))
    s.append(("empty-80211", sel(105)))
    for n in range(1, 8):
        s.append((f"radiotap-truncated-{n}", sel(127) + rt[:n]))
    s.append(("radiotap-version-1", sel(127) + bytes([1]) + rt[1:] + PROBE))
    s.append(("radiotap-itlen-0", sel(127) + rt[:2] + b"\x00\x00" + rt[4:] + PROBE))
    s.append(("radiotap-itlen-7", sel(127) + rt[:2] + b"\x07\x00" + rt[4:] + PROBE))
    s.append(("radiotap-itlen-ffff", sel(127) + rt[:2] + b"\xff\xff" + rt[4:] + PROBE))
    full = rt + PROBE
    s.append(("radiotap-itlen-caplen",
              sel(127) + full[:2] + struct.pack("<H", len(full)) + full[4:]))
    s.append(("radiotap-itlen-caplen-1",
              sel(127) + full[:2] + struct.pack("<H", len(full) - 1) + full[4:]))
    for name, hdr in crafted_radiotap_headers():
        fcs = "fcs" in name
        s.append((name + "-probe", sel(127) + hdr + (with_fcs(PROBE) if fcs else PROBE)))
    # FCS: present and good, wrong, flagged bad, frame shorter than its FCS,
    # cut by the snap length (cannot be checked), flagged with no frame at all.
    s.append(("fcs-good", sel(127) + rtf + with_fcs(PROBE)))
    s.append(("fcs-wrong", sel(127) + rtf + with_fcs(PROBE, good=False)))
    s.append(("fcs-absent-but-flagged", sel(127) + rtf + PROBE))
    s.append(("fcs-flag-bad-good-crc", sel(127) + rt_simple(FLAGS_BAD) + with_fcs(PROBE)))
    s.append(("fcs-frame-3-bytes", sel(127) + rtf + b"\x40\x00\x00"))
    s.append(("fcs-frame-empty", sel(127) + rtf))
    s.append(("fcs-cut-by-snaplen", sel(127, 10) + rtf + with_fcs(PROBE)[:40]))
    s.append(("fcs-cut-in-fcs", sel(127, 2) + rtf + with_fcs(PROBE)[:-2]))
    s.append(("fcs-cut-65535", sel(127, 31) + rtf + PROBE[:30]))
    s.append(("wirelen-0-inconsistent", sel(127, 30) + rtf + with_fcs(PROBE)))
    s.append(("empty-null-pointer", sel(105, 1)))
    s.append(("fcs-version-bits-bad-crc",
              sel(127) + rtf + with_fcs(b"\x41" + PROBE[1:], good=False)))
    # 802.11: truncations of a probe request, element overruns, other frames.
    for n in (0, 1, 2, 10, 16, 23, 24, 25):
        s.append((f"probe-cut-{n}", sel(127) + rt + PROBE[:n]))
        s.append((f"bare-probe-cut-{n}", sel(105) + PROBE[:n]))
    hdr = PROBE[:24]
    s.append(("ie-none", sel(105) + hdr))
    s.append(("ie-zero-length-all", sel(105) + hdr + b"\x00\x00" * 3 + b"\xdd\x00"))
    s.append(("ie-len-overruns", sel(105) + hdr + ie(0, b"xx") + b"\x01\xff\x02\x04\x0b"))
    s.append(("ie-header-only-1-byte", sel(105) + hdr + ie(0, b"") + b"\x01"))
    s.append(("ie-exact-fit-255", sel(105) + hdr + ie(221, b"\x00\x50\xf2\x04" + b"\x00" * 251)))
    s.append(("ie-overrun-with-fcs", sel(127) + rtf + with_fcs(hdr + b"\x00\x20xx")))
    s.append(("ie-overrun-cut", sel(127, 5) + rt + hdr + b"\x00\x20xx"))
    s.append(("probe-group-transmitter", sel(105) + PROBE[:10] + b"\x03" + PROBE[11:]))
    s.append(("probe-zero-transmitter", sel(105) + PROBE[:10] + b"\x00" * 6 + PROBE[16:]))
    global_dummy = b"\x00\x11\x22\x00\x00\x01"
    s.append(("probe-global-transmitter", sel(105) + PROBE[:10] + global_dummy + PROBE[16:]))
    s.append(("probe-version-1", sel(105) + b"\x41" + PROBE[1:]))
    s.append(("probe-order-bit-htc",
              sel(105) + b"\x40\x80" + PROBE[2:24] + b"\x00\x00\x00\x00" + PROBE_IES))
    s.append(("probe-retry-flag", sel(105) + b"\x40\x08" + PROBE[2:]))
    s.append(("beacon", sel(127) + rt + BEACON_HDR))
    s.append(("ack", sel(127) + rtf + with_fcs(ACK)))
    s.append(("data", sel(105) + DATA_HDR))
    s.append(("extension-frame", sel(105) + b"\x0c\x00"))
    # PPI (192): header version 0, flags 0, len, DLT 105; one 802.11-common
    # field (type 2, 20 bytes) carrying a signal of -60 dBm.
    common = struct.pack("<QHHHHBBbb", 0, 0, 0, 2437, 0x00A0, 0, 0, -60, -95)
    ppi_field = struct.pack("<HH", 2, len(common)) + common
    ppi = struct.pack("<BBHI", 0, 0, 8 + len(ppi_field), 105) + ppi_field
    s.append(("ppi-probe", sel(192) + ppi + PROBE))
    s.append(("ppi-fcs-flag", sel(192) + ppi[:8] + struct.pack("<HH", 2, 20) +
              struct.pack("<QHHHHBBbb", 0, 1, 0, 2437, 0, 0, 0, -60, -95) + with_fcs(PROBE)))
    s.append(("ppi-len-overruns",
              sel(192) + struct.pack("<BBHI", 0, 0, 4000, 105) + ppi_field + PROBE))
    s.append(("ppi-field-overruns", sel(192) + struct.pack("<BBHI", 0, 0, 12, 105) +
              struct.pack("<HH", 2, 200) + PROBE))
    s.append(("ppi-len-short", sel(192) + struct.pack("<BBHI", 0, 0, 3, 105) + PROBE))
    s.append(("ppi-dlt-127", sel(192) + struct.pack("<BBHI", 0, 0, 8, 127) + rt + PROBE))
    s.append(("ppi-truncated", sel(192) + ppi[:5]))
    s.append(("ppi-aligned-flag",
              sel(192) + struct.pack("<BBHI", 0, 1, 8 + 8 + len(ppi_field), 105) +
              struct.pack("<HH", 99, 1) + b"\x00\x00\x00\x00" + ppi_field + PROBE))
    s.append(("ppi-tsf-ms-fcs-invalid", sel(192) + ppi[:8] + struct.pack("<HH", 2, 20) +
              struct.pack("<QHHHHBBbb", 2**60, 7, 0, 5180, 0, 0, 0, -60, -95) + with_fcs(PROBE)))
    s.append(("ppi-signal-plus26", sel(192) + ppi[:8] + struct.pack("<HH", 2, 20) +
              struct.pack("<QHHHHBBbb", 0, 0, 0, 5955, 0, 0, 0, 26, -95) + PROBE))
    # Prism (119): msgcode, msglen 144, devname[16], 10 items {did, status,
    # len, data}; DIDs 0x000N0044, "channel" is item 3, "signal" item 6.
    def prism(signal, msgcode=0x44, endian="<"):
        items = b""
        for i in range(1, 11):
            did = (i << 16) | 0x44 if msgcode == 0x44 else (i << 12) | 0x41
            value = {3: 6, 6: signal & 0xFFFFFFFF}.get(i, 0)
            items += struct.pack(endian + "IHHI", did, 0, 4, value)
        return struct.pack(endian + "II", msgcode, 144) + b"wlan0".ljust(16, b"\x00") + items
    s.append(("prism-probe", sel(119) + prism(-60) + PROBE))
    s.append(("prism-msgcode-41", sel(119) + prism(-60, 0x41) + PROBE))
    s.append(("prism-big-endian", sel(119) + prism(-60, endian=">") + PROBE))
    s.append(("prism-signal-plus26", sel(119) + prism(26) + PROBE))
    p = prism(-60)
    s.append(("prism-msglen-overruns", sel(119) + p[:4] + struct.pack("<I", 1000) + p[8:] + PROBE))
    s.append(("prism-msglen-short", sel(119) + p[:4] + struct.pack("<I", 20) + p[8:] + PROBE))
    s.append(("prism-truncated", sel(119) + p[:30]))
    # AVS (163, big-endian): version 1 magic, length 64, ..., channel 6,
    # ssi_type 2 (dBm), ssi_signal -60. Prism's link type may carry AVS too.
    def avs(signal=-60, length=64, channel=6):
        h = struct.pack(">IIQQIIIIIIiiII", 0x80211001, length, 0, 0, 0, channel, 2, 0, 0, 2,
                        signal, -95, 0, 0)
        assert len(h) == 64
        return h
    s.append(("avs-probe", sel(163) + avs() + PROBE))
    s.append(("avs-channel-mhz", sel(163) + avs(channel=5180) + PROBE))
    s.append(("avs-channel-khz", sel(163) + avs(channel=2437000) + PROBE))
    s.append(("avs-signal-plus26", sel(163) + avs(signal=26) + PROBE))
    s.append(("avs-length-overruns", sel(163) + avs(length=5000) + PROBE))
    s.append(("avs-length-short", sel(163) + avs(length=8) + PROBE))
    s.append(("avs-truncated", sel(163) + avs()[:20]))
    s.append(("prism-holding-avs", sel(119) + avs() + PROBE))
    s.append(("unsupported-ethernet", sel(1) + PROBE))
    s.append(("unsupported-null", sel(0) + PROBE))
    s.append(("unsupported-negative", sel(-1) + PROBE))
    return s


def crafted_radiotap_seeds():
    """(name, fuzz_radiotap input) pairs: each crafted header synthesized
    (control 0x01, with FCS 0x03 when the header says so) and raw."""
    s = []
    for name, hdr in crafted_radiotap_headers():
        fcs = "fcs" in name
        s.append((name + "-synth", bytes([0x03 if fcs else 0x01]) + hdr))
        s.append((name + "-raw", b"\x00" + hdr + (with_fcs(PROBE) if fcs else PROBE)))
    rtf = rt_simple(FLAGS_FCS)
    s.append(("synth-wrong-fcs", b"\x07" + rtf))
    s.append(("synth-cut", b"\x0b" + rtf))
    s.append(("synth-short", b"\x01\x00\x00"))
    s.append(("raw-empty", b"\x00"))
    return s


# ---- Output ---------------------------------------------------------------------

def write_dir(path, seeds):
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if not name.startswith("repro-"):  # reproducers of past findings stay
            os.remove(os.path.join(path, name))
    names = set()
    for name, data in seeds:
        assert name not in names, name
        names.add(name)
        with open(os.path.join(path, name), "wb") as f:
            f.write(data)
    return sum(len(d) for _, d in seeds)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--captures", default=os.path.join(REPO, "tests", "data"))
    ap.add_argument("--out", default=os.path.join(HERE, "corpus"))
    args = ap.parse_args()

    identifiers_seen = set()
    records, coarse = real_records(args.captures, identifiers_seen)
    frame_seeds = list(dict.fromkeys(frame_seed(lt, d, w) for lt, d, w in records))
    frame = [(f"rec-{hashlib.sha1(x).hexdigest()}", x) for x in frame_seeds]
    frame += crafted_frame_seeds()

    radiotap_seeds = []
    per_shape = {}
    for lt, d, w in records:
        if lt != 127:
            continue
        it_len, words, flags = radiotap_info(d)
        shape = (words, flags)
        per_shape[shape] = per_shape.get(shape, 0) + 1
        if per_shape[shape] > RADIOTAP_PER_SHAPE:
            continue
        fcs = flags is not None and flags & 0x10
        control = 0x03 if fcs else 0x01
        radiotap_seeds.append(bytes([control]) + d[:it_len])  # header + the fixed probe
        radiotap_seeds.append(bytes([0x08 if w > len(d) else 0x00]) + d)  # as captured
    radiotap_seeds = list(dict.fromkeys(radiotap_seeds))  # equal headers: once
    rt = [(f"rec-{hashlib.sha1(x).hexdigest()}", x) for x in radiotap_seeds]
    rt += crafted_radiotap_seeds()

    check_no_identifiers(frame + rt, identifiers_seen)
    n1 = write_dir(os.path.join(args.out, "fuzz_frame"), frame)
    n2 = write_dir(os.path.join(args.out, "fuzz_radiotap"), rt)
    print(f"make_corpus: fuzz_frame {len(frame)} files ({len(records)} records of "
          f"{coarse} shapes, {n1} bytes); fuzz_radiotap {len(rt)} files ({n2} bytes)")


if __name__ == "__main__":
    main()
