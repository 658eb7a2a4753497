// Purpose: footfall's live dashboard in the browser. Connects to the MQTT
// broker over WebSockets (by default the one that served the page, as
// mosquitto's http_dir does), subscribes to <prefix>/#, keeps the model of
// logic.js and draws, per site and per sensor, the status, the figures of the
// last window, the day so far (uPlot), the engagement and the signal view.
import mqtt from 'mqtt';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import {
  BUCKETS,
  FIGURES,
  ageText,
  applyMessage,
  daySeries,
  emptyModel,
  engagementSoFar,
  formatCount,
  formatFigure,
  formatSoFar,
  formatTotal,
  sensorState,
  signalBars,
  siteTotals,
} from './logic.js';

const params = new URLSearchParams(location.search);
const stored = (k) => {
  try {
    return localStorage.getItem('footfall.' + k);
  } catch {
    return null;
  }
};
const defaultBroker = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host || '127.0.0.1:9001'}/mqtt`;
const settings = {
  broker: params.get('broker') || stored('broker') || defaultBroker,
  prefix: params.get('prefix') || stored('prefix') || 'footfall',
  username: params.get('username') || stored('username') || '',
  password: params.get('password') || '',
};

const model = emptyModel();
const views = new Map(); // "site/sensor" -> the sensor's elements
const siteViews = new Map();
let client = null;
const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
};
const slug = (s) => s.replace(/[^A-Za-z0-9_-]/g, '_');

function setConnection(state, text) {
  const c = $('#connection');
  c.dataset.state = state;
  c.textContent = text;
}

function connect() {
  if (client) client.end(true);
  model.sites.clear();
  views.clear();
  siteViews.clear();
  $('#sites').replaceChildren();
  $('#empty').hidden = false;
  setConnection('connecting', `Connecting to ${settings.broker} …`);
  client = mqtt.connect(settings.broker, {
    username: settings.username || undefined,
    password: settings.password || undefined,
    reconnectPeriod: 3000,
    connectTimeout: 8000,
    clientId: 'footfall-dashboard-' + Math.random().toString(16).slice(2, 10),
  });
  client.on('connect', () => {
    setConnection('connected', `Connected to ${settings.broker}, reading ${settings.prefix}/#`);
    client.subscribe(`${settings.prefix}/#`, { qos: 1 });
  });
  client.on('reconnect', () => setConnection('connecting', `Reconnecting to ${settings.broker} …`));
  client.on('close', () => {
    if ($('#connection').dataset.state !== 'error') setConnection('disconnected', `Not connected to ${settings.broker}; retrying`);
  });
  client.on('error', (e) => setConnection('error', `Broker ${settings.broker}: ${e.message}`));
  client.on('message', (topic, payload) => {
    const s = applyMessage(model, settings.prefix, topic, new TextDecoder().decode(payload), Date.now());
    if (s) scheduleRender(s);
  });
}

const dirty = new Set();
let frame = 0;
function scheduleRender(s) {
  dirty.add(s);
  if (!frame) frame = requestAnimationFrame(flush);
}
function flush() {
  frame = 0;
  const sites = new Set();
  for (const s of dirty) {
    renderSensor(s);
    sites.add(s.site);
  }
  dirty.clear();
  for (const site of sites) renderSite(site);
}

function siteView(site) {
  if (siteViews.has(site)) return siteViews.get(site);
  $('#empty').hidden = true;
  const id = 'site-' + slug(site);
  const heading = el('h2', { id: id + '-h', text: site });
  const totals = el('dl', { class: 'figures totals', 'aria-label': `Total of site ${site}` });
  const totalNote = el('p', { class: 'note' });
  const sensors = el('div', { class: 'sensors' });
  const section = el(
    'section',
    { class: 'site', id, 'aria-labelledby': id + '-h', 'data-site': site },
    el('div', { class: 'site-head' }, heading, el('p', { class: 'note', text: 'Site total over its sensors' })),
    totals,
    totalNote,
    sensors,
  );
  const list = $('#sites');
  const after = [...list.children].find((c) => c.dataset.site > site);
  list.insertBefore(section, after || null);
  const v = { section, totals, totalNote, sensors };
  siteViews.set(site, v);
  return v;
}

function figureList(dl, prefixId) {
  const cells = {};
  for (const fig of FIGURES) {
    const id = `${prefixId}-${fig.key}`;
    const dt = el('dt', { id: id + '-l' }, fig.label);
    if (fig.raw) dt.append(el('span', { class: 'raw-tag', text: 'raw' }));
    const dd = el('dd', { 'data-figure': fig.key, 'aria-labelledby': id + '-l' }, '—');
    const box = el('div', { class: fig.raw ? 'figure raw' : 'figure', 'data-key': fig.key }, dt, dd);
    dl.append(box);
    cells[fig.key] = { box, dd };
  }
  return cells;
}

function sensorView(s) {
  const key = `${s.site}/${s.sensor}`;
  if (views.has(key)) return views.get(key);
  const site = siteView(s.site);
  const id = `sensor-${slug(s.site)}-${slug(s.sensor)}`;
  const badge = el('span', { class: 'badge', 'data-state': 'unknown', role: 'status' }, 'unknown');
  const meta = el('p', { class: 'meta' });
  const figures = el('dl', { class: 'figures' });
  const cells = figureList(figures, id);
  const chartBox = el('div', { class: 'chart', role: 'img', 'aria-label': 'Chart of the day so far' });
  const chartNote = el('p', { class: 'note' });
  const engagement = el('table', { class: 'engagement' });
  const signal = el('div', { class: 'signal' });
  const signalNote = el('p', { class: 'note' });
  const article = el(
    'article',
    { class: 'sensor', id, 'aria-labelledby': id + '-h', 'data-site': s.site, 'data-sensor': s.sensor, tabindex: '-1' },
    el('header', { class: 'sensor-head' }, el('h3', { id: id + '-h', text: s.sensor }), badge),
    meta,
    el('p', { class: 'offline-note', text: 'This sensor is offline: the figures below are from its last window and are left out of the site total.' }),
    el('h4', { text: 'Now' }),
    figures,
    el('div', { class: 'panels' },
      el('figure', { class: 'panel day' }, el('figcaption', { text: 'The day so far' }), chartBox, chartNote),
      el('figure', { class: 'panel' }, el('figcaption', { text: 'Engagement: visits closed today, by dwell' }), engagement),
      el('figure', { class: 'panel' }, el('figcaption', { text: 'Signal view: devices by strongest signal' }), signal, signalNote),
    ),
  );
  const sensors = site.sensors;
  const after = [...sensors.children].find((c) => c.dataset.sensor > s.sensor);
  sensors.insertBefore(article, after || null);
  const v = { article, badge, meta, cells, chartBox, chartNote, engagement, signal, signalNote, chart: null };
  views.set(key, v);
  return v;
}

const STATE_TEXT = { online: 'online', offline: 'offline', stale: 'online, no data', unknown: 'status unknown' };

function renderStatus(s, v) {
  const state = sensorState(s, Date.now());
  v.badge.dataset.state = state;
  v.badge.textContent = STATE_TEXT[state];
  v.article.dataset.state = state;
  const parts = [];
  if (s.counts) {
    const w = s.counts.window;
    parts.push(`Last window ${timeText(w.start)}–${timeText(w.end)}${w.partial ? ' (partial)' : ''}, received ${ageText(Date.now() - s.countsAt)}`);
  } else {
    parts.push('No window received yet');
  }
  if (s.buffer) {
    parts.push(`buffer: ${s.buffer.buffered} waiting, ${s.buffer.dropped_total} dropped`);
  }
  v.meta.textContent = parts.join(' · ');
}

function timeText(iso) {
  const d = new Date(iso);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function renderSensor(s) {
  const v = sensorView(s);
  renderStatus(s, v);
  const k = model.minCount;
  for (const fig of FIGURES) {
    const cell = v.cells[fig.key];
    const present = s.counts && (fig.path.split('.')[0] in s.counts);
    cell.box.hidden = fig.key === 'occupancy' && !present;
    const text = s.counts ? formatFigure(fig, s.counts, k) : '—';
    cell.dd.textContent = text;
    cell.dd.dataset.suppressed = String(text.startsWith('<'));
  }
  renderChart(s, v);
  renderEngagement(s, v, k);
  renderSignal(s, v, k);
}

function renderSite(site) {
  const sv = siteViews.get(site);
  const sensors = model.sites.get(site).values();
  const t = siteTotals(sensors, model.minCount);
  sv.totals.replaceChildren();
  for (const fig of FIGURES) {
    if (!fig.additive) continue;
    if (fig.key === 'occupancy' && !t.figures.occupancy) continue;
    const dt = el('dt', {}, fig.label);
    if (fig.raw) dt.append(el('span', { class: 'raw-tag', text: 'raw' }));
    const text = formatTotal(t.figures[fig.key], model.minCount);
    const dd = el('dd', { 'data-total': fig.key, 'data-suppressed': String(/[<–≥]/.test(text)) }, text);
    sv.totals.append(el('div', { class: fig.raw ? 'figure raw' : 'figure' }, dt, dd));
  }
  sv.totalNote.textContent =
    `${t.sensors} of ${t.of} sensor${t.of === 1 ? '' : 's'} counted (offline ones left out). ` +
    'A range means some sensors published fewer than min_count; one person heard by two sensors counts twice.';
}

const COLORS = { estimated: '#1f5fbf', visitors: '#b3261e', passersby: '#5b6b00', occupancy: '#6a3d9a' };

function renderChart(s, v) {
  const d = daySeries(s);
  const data = [d.x, d.estimated, d.visitors, d.passersby, d.occupancy];
  const width = Math.max(260, v.chartBox.clientWidth || 600);
  if (!v.chart) {
    v.chart = new uPlot(
      {
        width,
        height: 220,
        legend: { live: false },
        cursor: { show: true },
        scales: { x: { time: true } },
        axes: [
          { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.25)' } },
          { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.25)' } },
        ],
        series: [
          {},
          { label: 'Estimated devices', stroke: COLORS.estimated, width: 2, spanGaps: false },
          { label: 'Visitors', stroke: COLORS.visitors, width: 2, spanGaps: false },
          { label: 'Passers-by', stroke: COLORS.passersby, width: 2, dash: [6, 4], spanGaps: false },
          { label: 'Occupancy', stroke: COLORS.occupancy, width: 2, dash: [2, 3], spanGaps: false },
        ],
      },
      data,
      v.chartBox,
    );
    new ResizeObserver(() => {
      const w = v.chartBox.clientWidth;
      if (w > 0 && Math.abs(w - v.chart.width) > 4) v.chart.setSize({ width: w, height: 220 });
    }).observe(v.chartBox);
  } else {
    v.chart.setData(data);
  }
  const slots = d.source.filter((x) => x === 'slot').length;
  const holes = d.source.filter((x) => x === 'gap').length;
  const gaps = d.estimated.filter((x) => x === null).length + d.visitors.filter((x) => x === null).length;
  v.chartBox.setAttribute(
    'aria-label',
    `Chart of the day so far: ${d.x.length - holes} points, estimated devices, visitors and passers-by per window.`,
  );
  v.chartNote.textContent =
    (slots ? `${slots} 15-minute slots before this page opened (peaks), then ` : '') +
    `${d.x.length - slots - holes} windows received.` +
    (gaps ? ` Gaps: fewer than ${model.minCount ?? 'min_count'}.` : '') +
    (s.today && s.today.complete === false ? ' The sensor restarted today: the day starts at its restart.' : '');
}

function renderEngagement(s, v, k) {
  const so = engagementSoFar(s);
  const rows = BUCKETS.map(([key, label]) => {
    const text = formatSoFar(so[key], k);
    return el('tr', {}, el('th', { scope: 'row', text: label }), el('td', { 'data-bucket': key, text }));
  });
  v.engagement.replaceChildren(
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'dwell' }), el('th', { scope: 'col', text: 'visits' }))),
    el('tbody', {}, ...rows),
  );
}

function renderSignal(s, v, k) {
  const { bins, thresholds } = signalBars(s.signal);
  if (!bins.length) {
    v.signal.replaceChildren(el('p', { class: 'note', text: s.signal ? 'No device in the last hour.' : 'No signal view yet.' }));
    v.signalNote.textContent = '';
    return;
  }
  const W = 440;
  const H = 200;
  const pad = { l: 26, r: 6, t: 20, b: 38 };
  const lo = Math.min(bins[0].from_dbm, ...thresholds.map((t) => t.dbm)) - 5;
  const hi = Math.max(bins[bins.length - 1].to_dbm, ...thresholds.map((t) => t.dbm)) + 5;
  const max = Math.max(k || 1, ...bins.map((b) => b.devices || 0));
  const xs = (dbm) => pad.l + ((dbm - lo) / (hi - lo)) * (W - pad.l - pad.r);
  const ys = (n) => H - pad.b - (n / max) * (H - pad.t - pad.b);
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('role', 'img');
  const hiddenBins = bins.filter((b) => b.devices === null).length;
  svg.setAttribute(
    'aria-label',
    `Devices by strongest signal, ${bins[0].from_dbm} to ${bins[bins.length - 1].to_dbm} dBm; ` +
      thresholds.map((t) => `${t.label} threshold ${t.dbm} dBm`).join(', '),
  );
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [a, val] of Object.entries(attrs)) e.setAttribute(a, val);
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  add('line', { x1: pad.l, x2: W - pad.r, y1: H - pad.b, y2: H - pad.b, class: 'axis' });
  for (let dbm = Math.ceil(lo / 10) * 10; dbm <= hi; dbm += 10) {
    if (dbm % 20 === 0 || hi - lo <= 60) {
      add('text', { x: xs(dbm), y: H - pad.b + 16, 'text-anchor': 'middle', class: 'tick' }, String(dbm));
    }
  }
  add('text', { x: W - pad.r, y: H - 5, 'text-anchor': 'end', class: 'tick' }, 'dBm (stronger →)');
  add('text', { x: 2, y: ys(max) + 4, class: 'tick' }, String(max));
  add('text', { x: 2, y: H - pad.b, class: 'tick' }, '0');
  for (const b of bins) {
    const x = xs(b.from_dbm) + 1;
    const w = Math.max(2, xs(b.to_dbm) - xs(b.from_dbm) - 2);
    if (b.devices === null) {
      const h = H - pad.b - ys((k || 3) - 1);
      add('rect', { x, y: H - pad.b - h, width: w, height: h, class: 'bar hidden-bar' });
      add('text', { x: x + w / 2, y: H - pad.b - h - 3, 'text-anchor': 'middle', class: 'tick' }, formatCount(null, k));
    } else if (b.devices > 0) {
      add('rect', { x, y: ys(b.devices), width: w, height: H - pad.b - ys(b.devices), class: 'bar' });
    }
  }
  // Thresholds at the same signal share one line and one label.
  const at = new Map();
  for (const t of thresholds) at.set(t.dbm, [...(at.get(t.dbm) || []), t.label]);
  let row = 0;
  for (const [dbm, labels] of at) {
    add('line', { x1: xs(dbm), x2: xs(dbm), y1: pad.t - 6, y2: H - pad.b, class: 'threshold ' + labels[0] });
    add('text', { x: xs(dbm) + 3, y: pad.t + 14 * row++, class: 'tick threshold-label' }, `${labels.join(' = ')} ${dbm}`);
  }
  const table = el(
    'table',
    { class: 'sr-only' },
    el('caption', { text: 'Devices by strongest signal' }),
    el('tbody', {}, ...bins.map((b) => el('tr', {}, el('th', { scope: 'row', text: `${b.from_dbm} to ${b.to_dbm} dBm` }), el('td', { text: formatCount(b.devices, k) })))),
  );
  v.signal.replaceChildren(svg, table);
  const span = s.signal.span ? `${timeText(s.signal.span.start)}–${timeText(s.signal.span.end)}: ` : '';
  v.signalNote.textContent =
    span +
    'left of the visitor line: heard from the street; right: close enough to count as a visitor.' +
    (hiddenBins ? ` Hatched: fewer than ${k ?? 'min_count'} devices.` : '');
}

// Ages and the stale state move with the clock.
setInterval(() => {
  for (const sensors of model.sites.values()) for (const s of sensors.values()) renderStatus(s, sensorView(s));
}, 1000);

function initForm() {
  const form = $('#settings-form');
  for (const k of ['broker', 'prefix', 'username', 'password']) form.elements[k].value = settings[k];
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    for (const k of ['broker', 'prefix', 'username', 'password']) settings[k] = form.elements[k].value.trim();
    try {
      for (const k of ['broker', 'prefix', 'username']) localStorage.setItem('footfall.' + k, settings[k]);
    } catch {
      /* private mode: not kept */
    }
    connect();
  });
}

initForm();
connect();
