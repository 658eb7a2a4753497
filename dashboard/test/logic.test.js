// Purpose: unit tests of the dashboard's logic (src/logic.js) under node's own
// test runner: topics, how messages build the model (redeliveries, a new key
// epoch), suppressed values shown as "< k" and never as 0, site totals over
// sensors as ranges when a sensor hid a figure, offline sensors left out of
// totals, sensor states, the day's series from slots then windows, the
// engagement so far, the signal view's thresholds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyMessage,
  daySeries,
  emptyModel,
  engagementSoFar,
  FIGURES,
  formatCount,
  formatFigure,
  formatSoFar,
  formatTotal,
  parseTopic,
  sensorState,
  signalBars,
  siteTotals,
  total,
} from '../src/logic.js';

const P = 'footfall';
function counts(seq, start, fields = {}) {
  const end = new Date(Date.parse(start) + 60000).toISOString().replace('.000Z', 'Z');
  return JSON.stringify({
    schema: 'footfall.counts/2', site: 'shop', sensor: 'door', seq,
    window: { start, end, partial: false },
    frames: { probe_requests: 50, malformed: 0, bad_fcs: 0 },
    devices: { unique: 20, global_mac: 8, randomized_mac: 12, estimated: 18 },
    visitors: 9, stationary: 0, passersby: 4, arrivals: 3, departures: 5,
    capture_rate: 0.2, dwell_s: { p50: 420, p90: 900 },
    engagement: { under_5m: 0, '5_to_20m': 0, '20_to_60m': 0, '1_to_6h': 0, over_6h: 0 },
    epoch: { start: '2026-05-04T04:00:00Z', devices: 80, visitors: 30 },
    ...fields,
  });
}
function fig(key) {
  return FIGURES.find((f) => f.key === key);
}

test('topics are <prefix>/<site>/<sensor>/<kind>', () => {
  assert.deepEqual(parseTopic('footfall', 'footfall/shop/door/counts'), { site: 'shop', sensor: 'door', kind: 'counts' });
  assert.equal(parseTopic('footfall', 'other/shop/door/counts'), null);
  assert.equal(parseTopic('footfall', 'footfall/shop/counts'), null);
  assert.equal(parseTopic('footfall', 'footfall/shop/door/x/y'), null);
});

test('a suppressed value is "< k", never 0; 0 stays 0', () => {
  assert.equal(formatCount(null, 3), '< 3');
  assert.equal(formatCount(null, null), '< min_count');
  assert.equal(formatCount(0, 3), '0');
  assert.equal(formatCount(1234, 3), '1,234');
  assert.equal(formatCount(undefined, 3), '—');
});

test('a hidden rate or dwell says so; one with nothing to measure is n/a', () => {
  const hidden = JSON.parse(counts(1, '2026-05-04T10:00:00Z', { capture_rate: null, dwell_s: { p50: null, p90: null }, suppressed: ['capture_rate', 'dwell_s.p50', 'dwell_s.p90'] }));
  assert.equal(formatFigure(fig('capture'), hidden, 3), '< 3 visits');
  assert.equal(formatFigure(fig('dwell'), hidden, 3), '< 3 visits');
  const none = JSON.parse(counts(1, '2026-05-04T10:00:00Z', { capture_rate: null, dwell_s: { p50: null, p90: null } }));
  assert.equal(formatFigure(fig('capture'), none, 3), 'n/a');
  assert.equal(formatFigure(fig('dwell'), none, 3), 'n/a');
  const shown = JSON.parse(counts(1, '2026-05-04T10:00:00Z'));
  assert.equal(formatFigure(fig('capture'), shown, 3), '20 %');
  assert.equal(formatFigure(fig('dwell'), shown, 3), '7 min');
  assert.equal(formatFigure(fig('occupancy'), shown, 3), '—'); // not in counts/2
  assert.equal(formatFigure(fig('occupancy'), { occupancy: null }, 3), '< 3');
});

test('messages build the model; redeliveries are dropped; a new epoch restarts the day', () => {
  const m = emptyModel();
  applyMessage(m, P, 'footfall/shop/door/status', 'online', 0);
  applyMessage(m, P, 'footfall/shop/door/counts', counts(1, '2026-05-04T10:00:00Z'), 1000);
  applyMessage(m, P, 'footfall/shop/door/counts', counts(2, '2026-05-04T10:01:00Z'), 2000);
  applyMessage(m, P, 'footfall/shop/door/counts', counts(2, '2026-05-04T10:01:00Z'), 3000); // QoS 1 repeat
  const s = m.sites.get('shop').get('door');
  assert.equal(s.status, 'online');
  assert.equal(s.windows.length, 2);
  assert.equal(s.counts.seq, 2);
  applyMessage(m, P, 'footfall/shop/door/counts', counts(3, '2026-05-05T04:00:00Z', { epoch: { start: '2026-05-05T04:00:00Z', devices: 1, visitors: 0 } }), 4000);
  assert.equal(s.windows.length, 1);
  assert.equal(applyMessage(m, P, 'footfall/shop/door/counts', 'not json', 5000), null);
  assert.equal(applyMessage(m, P, 'footfall/shop/door/status', 'maybe', 5000), null);
  applyMessage(m, P, 'footfall/shop/door/today', JSON.stringify({ schema: 'footfall.today/1', min_count: 4, slots: [] }), 6000);
  assert.equal(m.minCount, 4);
});

test('site totals: sums over sensors, a range when a sensor hid a figure, offline sensors left out', () => {
  const m = emptyModel();
  for (const [sensor, status, fields] of [
    ['door', 'online', { visitors: 9 }],
    ['till', 'online', { visitors: null, devices: { unique: 30, global_mac: 10, randomized_mac: 20, estimated: 25 } }],
    ['back', 'offline', { visitors: 50 }],
  ]) {
    applyMessage(m, P, `footfall/shop/${sensor}/status`, status, 0);
    applyMessage(m, P, `footfall/shop/${sensor}/counts`, counts(1, '2026-05-04T10:00:00Z', fields), 0);
  }
  const t = siteTotals(m.sites.get('shop').values(), 3);
  assert.equal(t.sensors, 2);
  assert.equal(t.of, 3);
  assert.equal(formatTotal(t.figures.estimated, 3), '43');
  assert.equal(formatTotal(t.figures.unique, 3), '50');
  // 9 + (1 or 2): never 9, never 9 + 0.
  assert.equal(formatTotal(t.figures.visitors, 3), '10–11');
  assert.equal(formatTotal(total([null], 3), 3), '< 3');
  assert.equal(formatTotal(total([null, null], 3), 3), '2–4');
  assert.equal(formatTotal(total([5, null], null), null), '≥ 6');
  assert.equal(formatTotal(total([0, 0], 3), 3), '0');
  assert.equal(total([undefined], 3), null); // no sensor publishes the figure
});

test('sensor states: online, offline, stale without windows, unknown without status', () => {
  const s = { status: 'online', countsAt: 0, info: null, today: null };
  assert.equal(sensorState(s, 60000), 'online');
  assert.equal(sensorState(s, 181000), 'stale');
  assert.equal(sensorState({ ...s, status: 'offline' }, 0), 'offline');
  assert.equal(sensorState({ ...s, status: null }, 0), 'unknown');
});

test('the day: completed slots before the first window received, then each window; nulls stay gaps', () => {
  const m = emptyModel();
  applyMessage(m, P, 'footfall/shop/door/today', JSON.stringify({
    schema: 'footfall.today/1', epoch: { start: '2026-05-04T04:00:00Z' }, min_count: 3, complete: true,
    slots: [
      { start: '2026-05-04T09:30:00Z', end: '2026-05-04T09:45:00Z', windows: 15, estimated_peak: 30, visitors_peak: null, passersby: 45, engagement: { under_5m: 0, '5_to_20m': null, '20_to_60m': 3, '1_to_6h': 0, over_6h: 0 } },
      { start: '2026-05-04T09:45:00Z', end: '2026-05-04T10:00:00Z', windows: 15, estimated_peak: 31, visitors_peak: 5, passersby: null, engagement: { under_5m: 0, '5_to_20m': 4, '20_to_60m': 0, '1_to_6h': 0, over_6h: 0 } },
      { start: '2026-05-04T10:00:00Z', end: '2026-05-04T10:15:00Z', windows: 15, estimated_peak: 99, visitors_peak: 99, passersby: 99, engagement: {} },
    ],
  }), 0);
  applyMessage(m, P, 'footfall/shop/door/counts', counts(1, '2026-05-04T10:00:00Z', { visitors: null }), 0);
  const s = m.sites.get('shop').get('door');
  const d = daySeries(s);
  assert.deepEqual(d.source, ['slot', 'slot', 'window']); // the 10:00 slot overlaps the windows
  assert.deepEqual(d.estimated, [30, 31, 18]);
  assert.deepEqual(d.visitors, [null, 5, null]);
  assert.deepEqual(d.passersby, [3, null, 4]); // a slot's passers-by per window
  const e = engagementSoFar(s);
  assert.equal(formatSoFar(e['5_to_20m'], 3), '≥ 4');
  assert.equal(formatSoFar(e['20_to_60m'], 3), '3');
  assert.equal(formatSoFar({ known: 0, hidden: 2 }, 3), '< 3 in 2 windows');
  assert.equal(formatSoFar({ known: 0, hidden: 0 }, 3), '0');
});

test('a hole in the day is a gap in the chart, not a line across it', () => {
  const m = emptyModel();
  applyMessage(m, P, 'footfall/shop/door/counts', counts(1, '2026-05-04T10:00:00Z'), 0);
  applyMessage(m, P, 'footfall/shop/door/counts', counts(2, '2026-05-04T10:01:00Z'), 0);
  applyMessage(m, P, 'footfall/shop/door/counts', counts(3, '2026-05-04T10:09:00Z'), 0); // down 7 min
  const d = daySeries(m.sites.get('shop').get('door'));
  assert.deepEqual(d.source, ['window', 'window', 'gap', 'window']);
  assert.deepEqual(d.estimated, [18, 18, null, 18]);
});

test('the signal view draws the configured thresholds', () => {
  const v = signalBars({ bins: [{ from_dbm: -80, to_dbm: -75, devices: null }], thresholds: { visitor_rssi_dbm: -70, inside_rssi_dbm: -60 } });
  assert.deepEqual(v.thresholds.map((t) => [t.label, t.dbm]), [['visitor', -70], ['inside', -60]]);
  assert.equal(v.bins.length, 1);
  assert.deepEqual(signalBars(null), { bins: [], thresholds: [] });
});
