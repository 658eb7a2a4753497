// Purpose: the dashboard's logic without the page: what each MQTT message
// means for the model of sites and sensors, how a value the sensor
// suppressed (null) is shown, site totals over sensors, a sensor's status.
// Pure functions over plain objects, tested under node (test/logic.test.js).

// Topics are <prefix>/<site>/<sensor>/<kind>.
export function parseTopic(prefix, topic) {
  const head = prefix.endsWith('/') ? prefix : prefix + '/';
  if (!topic.startsWith(head)) return null;
  const parts = topic.slice(head.length).split('/');
  if (parts.length !== 3 || parts.some((p) => p === '')) return null;
  return { site: parts[0], sensor: parts[1], kind: parts[2] };
}

export function emptyModel() {
  return { sites: new Map(), minCount: null };
}

function sensorOf(model, site, sensor) {
  if (!model.sites.has(site)) model.sites.set(site, new Map());
  const sensors = model.sites.get(site);
  if (!sensors.has(sensor)) {
    sensors.set(sensor, {
      site,
      sensor,
      status: null, // 'online' | 'offline' | null (no retained status seen)
      counts: null, // the last counts message
      countsAt: null, // when it arrived (ms, the page's clock)
      windows: [], // the counts of the current key epoch, oldest first
      today: null,
      signal: null,
      buffer: null,
      info: null,
    });
  }
  return sensors.get(sensor);
}

// Applies one message; returns the sensor it was about, or null if the
// message is not one of footfall's (or not valid JSON where JSON is due).
export function applyMessage(model, prefix, topic, text, nowMs) {
  const where = parseTopic(prefix, topic);
  if (!where) return null;
  const kind = where.kind;
  if (!['status', 'counts', 'today', 'signal', 'buffer', 'info'].includes(kind)) return null;
  if (kind === 'status') {
    if (text !== 'online' && text !== 'offline') return null;
    const s = sensorOf(model, where.site, where.sensor);
    s.status = text;
    return s;
  }
  if (text === '') return null; // a cleared retained message
  let msg;
  try {
    msg = JSON.parse(text);
  } catch {
    return null;
  }
  if (msg === null || typeof msg !== 'object') return null;
  const s = sensorOf(model, where.site, where.sensor);
  if (typeof msg.min_count === 'number') model.minCount = msg.min_count;
  if (kind === 'counts') {
    const epoch = msg.epoch && msg.epoch.start;
    const last = s.windows.length ? s.windows[s.windows.length - 1] : null;
    if (last && last.epoch && epoch && last.epoch.start !== epoch) s.windows = []; // a new day
    if (last && typeof msg.seq === 'number' && typeof last.seq === 'number' && msg.seq <= last.seq) {
      // A redelivery (QoS 1) or an older message: keep the newest.
      if (s.windows.some((w) => w.seq === msg.seq)) return s;
    }
    s.windows.push(msg);
    s.windows.sort((a, b) => (a.window.start < b.window.start ? -1 : 1));
    if (s.windows.length > 2000) s.windows.splice(0, s.windows.length - 2000);
    s.counts = s.windows[s.windows.length - 1];
    s.countsAt = nowMs;
  } else {
    s[kind] = msg;
  }
  return s;
}

// How a figure is shown: a number, "< k" for a suppressed one (null: between
// 1 and k-1 devices or people), "—" for one not published at all.
export function formatCount(value, minCount) {
  if (value === undefined) return '—';
  if (value === null) return typeof minCount === 'number' && minCount > 0 ? `< ${minCount}` : '< min_count';
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  return Math.round(value).toLocaleString('en-US');
}

export function formatRate(value) {
  if (value === undefined) return '—';
  if (value === null) return 'n/a';
  return `${Math.round(value * 100)} %`;
}

export function formatDuration(seconds) {
  if (seconds === undefined) return '—';
  if (seconds === null) return 'n/a';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  return `${h} h ${Math.round((seconds - h * 3600) / 60)} min`;
}

// The sum of figures over sensors. A suppressed figure (null) counts as
// "between 1 and k-1": the total is then a range, never a number that treats
// it as 0. Returns {low, high, hidden, known}; high is null when k is unknown.
export function total(values, minCount) {
  let known = 0;
  let hidden = 0;
  let any = false;
  for (const v of values) {
    if (v === undefined) continue;
    any = true;
    if (v === null) hidden += 1;
    else known += v;
  }
  if (!any) return null;
  const k = typeof minCount === 'number' && minCount > 0 ? minCount : null;
  return { known, hidden, low: known + hidden, high: k === null ? null : known + hidden * (k - 1) };
}

export function formatTotal(t, minCount) {
  if (t === null) return '—';
  if (t.hidden === 0) return formatCount(t.known, minCount);
  if (t.known === 0 && t.hidden === 1) return formatCount(null, minCount);
  if (t.high === null) return `≥ ${t.low.toLocaleString('en-US')}`;
  if (t.low === t.high) return t.low.toLocaleString('en-US');
  return `${t.low.toLocaleString('en-US')}–${t.high.toLocaleString('en-US')}`;
}

// A path into a message: get(msg, 'devices.estimated'). undefined when absent.
export function get(msg, path) {
  let o = msg;
  for (const key of path.split('.')) {
    if (o === null || o === undefined || typeof o !== 'object' || !(key in o)) return undefined;
    o = o[key];
  }
  return o;
}

// The figures of "now", in the order the page shows them. `raw` marks the
// address-level figures shown beside the estimates.
export const FIGURES = [
  { key: 'occupancy', label: 'Occupancy now', path: 'occupancy', additive: true },
  { key: 'visitors', label: 'Visitors now', path: 'visitors', additive: true },
  { key: 'passersby', label: 'Passers-by (last window)', path: 'passersby', additive: true },
  { key: 'estimated', label: 'Estimated devices', path: 'devices.estimated', additive: true },
  { key: 'capture', label: 'Capture rate', path: 'capture_rate', rate: true },
  { key: 'dwell', label: 'Median dwell', path: 'dwell_s.p50', duration: true },
  { key: 'unique', label: 'Distinct MAC addresses', path: 'devices.unique', raw: true, additive: true },
  { key: 'probes', label: 'Probe requests', path: 'frames.probe_requests', raw: true, additive: true },
];

// A figure of a counts message as shown. A rate or a dwell is null either
// because nothing was there to measure ("n/a") or because the sensor hid it
// (named in `suppressed`): then it stands for fewer than k visits.
export function formatFigure(fig, msg, minCount) {
  const value = get(msg, fig.path);
  const hidden = value === null && Array.isArray(msg && msg.suppressed) && msg.suppressed.includes(fig.path);
  if (fig.rate || fig.duration) {
    if (hidden) return formatCount(null, minCount) + ' visits';
    return fig.rate ? formatRate(value) : formatDuration(value);
  }
  return formatCount(value, minCount);
}

// online / offline / stale / unknown. Stale: "online" but no window for
// three window lengths (the sensor's clock stopped, or its link is down).
export function sensorState(s, nowMs) {
  if (s.status === 'offline') return 'offline';
  const windowS = (s.info && s.info.window_s) || (s.today && s.today.window_s) || 60;
  if (s.status === 'online') {
    if (s.countsAt !== null && nowMs - s.countsAt > 3 * windowS * 1000) return 'stale';
    return 'online';
  }
  return 'unknown';
}

export function ageText(ms) {
  if (ms === null || ms === undefined) return 'no window yet';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

// Per site: the total of each additive figure over its sensors that are not
// offline, and how many sensors that is.
export function siteTotals(sensors, minCount) {
  const all = [...sensors];
  const live = all.filter((s) => s.status !== 'offline' && s.counts);
  const out = { sensors: live.length, of: all.length, figures: {} };
  for (const fig of FIGURES) {
    if (!fig.additive) continue;
    out.figures[fig.key] = total(
      live.map((s) => get(s.counts, fig.path)),
      minCount,
    );
  }
  return out;
}

// The day so far for the chart: completed 15-minute slots of the retained
// `today` before the first window this page received, then every window.
// Returns {x: [unix s], estimated: [], visitors: [], passersby: [],
// source: 'slot' | 'window' | 'gap' each}.
export function daySeries(s) {
  const x = [];
  const estimated = [];
  const visitors = [];
  const passersby = [];
  const occupancy = [];
  const source = [];
  const firstWindow = s.windows.length ? Date.parse(s.windows[0].window.start) : Infinity;
  const epoch = s.counts && s.counts.epoch ? s.counts.epoch.start : null;
  if (s.today && Array.isArray(s.today.slots) && (!epoch || !s.today.epoch || s.today.epoch.start === epoch)) {
    for (const slot of s.today.slots) {
      const t = Date.parse(slot.start);
      if (Date.parse(slot.end) > firstWindow) continue;
      x.push(t / 1000);
      estimated.push(slot.estimated_peak);
      visitors.push(slot.visitors_peak);
      passersby.push(slot.passersby === null ? null : slot.passersby / Math.max(1, slot.windows));
      occupancy.push(slot.occupancy_peak === undefined ? null : slot.occupancy_peak);
      source.push('slot');
    }
  }
  for (const w of s.windows) {
    x.push(Date.parse(w.window.start) / 1000);
    estimated.push(get(w, 'devices.estimated') ?? null);
    visitors.push(w.visitors ?? null);
    passersby.push(w.passersby ?? null);
    occupancy.push(w.occupancy ?? null);
    source.push('window');
  }
  // A hole in the data (the windows before this page opened, inside the
  // slot in progress; a sensor that was down) is a gap, not a line across it.
  const windowS = (s.today && s.today.window_s) || 60;
  const slotS = (s.today && s.today.slot_s) || 900;
  const out = { x: [], estimated: [], visitors: [], passersby: [], occupancy: [], source: [] };
  for (let i = 0; i < x.length; i++) {
    if (i > 0) {
      const step = source[i - 1] === 'slot' ? slotS : windowS;
      if (x[i] - x[i - 1] - step > 1.5 * windowS) {
        out.x.push((x[i] + x[i - 1]) / 2);
        out.estimated.push(null);
        out.visitors.push(null);
        out.passersby.push(null);
        out.occupancy.push(null);
        out.source.push('gap');
      }
    }
    out.x.push(x[i]);
    out.estimated.push(estimated[i]);
    out.visitors.push(visitors[i]);
    out.passersby.push(passersby[i]);
    out.occupancy.push(occupancy[i]);
    out.source.push(source[i]);
  }
  return out;
}

// Engagement over the windows received (and the completed slots before
// them): per bucket the sum of what was published, and how many windows or
// slots hid it (so the page says "at least").
export const BUCKETS = [
  ['under_5m', 'under 5 min'],
  ['5_to_20m', '5–20 min'],
  ['20_to_60m', '20–60 min'],
  ['1_to_6h', '1–6 h'],
  ['over_6h', 'over 6 h'],
];

export function engagementSoFar(s) {
  const out = {};
  for (const [key] of BUCKETS) out[key] = { known: 0, hidden: 0 };
  const firstWindow = s.windows.length ? Date.parse(s.windows[0].window.start) : Infinity;
  const add = (e) => {
    if (!e) return;
    for (const [key] of BUCKETS) {
      if (!(key in e)) continue;
      if (e[key] === null) out[key].hidden += 1;
      else out[key].known += e[key];
    }
  };
  if (s.today && Array.isArray(s.today.slots)) {
    for (const slot of s.today.slots) if (Date.parse(slot.end) <= firstWindow) add(slot.engagement);
  }
  for (const w of s.windows) add(w.engagement);
  return out;
}

export function formatSoFar(b, minCount) {
  if (b.hidden === 0) return formatCount(b.known, minCount);
  if (b.known === 0) return formatCount(null, minCount) + (b.hidden > 1 ? ` in ${b.hidden} windows` : '');
  return `≥ ${b.known.toLocaleString('en-US')}`;
}

// The signal view: bars and threshold lines on one scale.
export function signalBars(signal) {
  if (!signal || !Array.isArray(signal.bins)) return { bins: [], thresholds: [] };
  const t = signal.thresholds || {};
  const thresholds = [];
  if (typeof t.visitor_rssi_dbm === 'number') thresholds.push({ label: 'visitor', dbm: t.visitor_rssi_dbm });
  if (typeof t.inside_rssi_dbm === 'number') thresholds.push({ label: 'inside', dbm: t.inside_rssi_dbm });
  if (typeof t.min_rssi_dbm === 'number') thresholds.push({ label: 'floor', dbm: t.min_rssi_dbm });
  return { bins: signal.bins, thresholds };
}
