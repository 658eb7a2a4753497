// Purpose: the dashboard in a real browser against the real thing. A real
// mosquitto serves the bundled page from its WebSockets listener's http_dir;
// Debian's chromium (headless, driven by puppeteer-core, never a downloaded
// browser) loads it; three real footfalld replay the bundled real capture
// (two at 30x, frozen by SIGSTOP once the interesting windows are out; one
// as fast as it can, so it ends and goes offline); a real mosquitto_sub
// receives the same messages. The page's numbers are checked against what
// mosquitto_sub received: each sensor's figures, a suppressed value shown as
// "< 3" (never 0), the offline sensor marked offline, the site total over
// the online sensors, the signal view's bars. Saves screenshots and the page's
// size and load time as artifacts (FOOTFALL_ARTIFACTS, the build directory).
//
// Environment: FOOTFALLD, DASHBOARD_DIR (the bundle), SAMPLE (a pcap),
// FOOTFALL_ARTIFACTS, CHROMIUM (default /usr/bin/chromium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

const env = (k, d) => {
  const v = process.env[k] || d;
  if (!v) throw new Error(`${k} is not set`);
  return v;
};
const FOOTFALLD = env('FOOTFALLD');
const DASHBOARD_DIR = env('DASHBOARD_DIR');
const SAMPLE = env('SAMPLE');
const ARTIFACTS = env('FOOTFALL_ARTIFACTS');
const CHROMIUM = env('CHROMIUM', '/usr/bin/chromium');
const MIN_COUNT = 3;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function accepts(port) {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

async function until(what, pred, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const children = [];
function start(cmd, args, opts = {}) {
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  p.out = '';
  p.err = '';
  p.stdout.on('data', (d) => (p.out += d));
  p.stderr.on('data', (d) => (p.err += d));
  p.exited = new Promise((r) => p.on('exit', (code, sig) => r({ code, sig })));
  children.push(p);
  return p;
}

// Messages mosquitto_sub printed (-v: topic, space, payload).
function messages(sub) {
  return sub.out
    .split('\n')
    .filter((l) => l.includes(' '))
    .map((l) => {
      const i = l.indexOf(' ');
      return { topic: l.slice(0, i), payload: l.slice(i + 1) };
    });
}
function countsOf(sub, sensor) {
  return messages(sub)
    .filter((m) => m.topic === `footfall/demo-store/${sensor}/counts`)
    .map((m) => JSON.parse(m.payload));
}
function lastPayload(sub, sensor, kind) {
  const m = messages(sub).filter((x) => x.topic === `footfall/demo-store/${sensor}/${kind}`);
  return m.length ? m[m.length - 1].payload : null;
}

function sensorConfig(dir, port, sensor, speed) {
  const path = join(dir, `${sensor}.toml`);
  writeFileSync(
    path,
    `[sensor]\nsite = "demo-store"\nid = "${sensor}"\n` +
      `[capture]\nsource = "file:${SAMPLE}"\nspeed = ${speed}\n` +
      `[mqtt]\nuri = "tcp://127.0.0.1:${port}"\n` +
      `[state]\ndir = "${join(dir, sensor + '-state')}"\n` +
      `[homeassistant]\nenabled = false\n`,
  );
  return path;
}

// What the page must show for a figure of a counts message.
function expected(path, msg) {
  const v = path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), msg);
  const hidden = Array.isArray(msg.suppressed) && msg.suppressed.includes(path);
  if (path === 'capture_rate') {
    if (v === null) return hidden ? `< ${MIN_COUNT} visits` : 'n/a';
    return `${Math.round(v * 100)} %`;
  }
  if (v === null) return `< ${MIN_COUNT}`;
  return v.toLocaleString('en-US');
}
const FIGURE_PATHS = {
  occupancy: 'occupancy',
  visitors: 'visitors',
  passersby: 'passersby',
  estimated: 'devices.estimated',
  capture: 'capture_rate',
  unique: 'devices.unique',
  probes: 'frames.probe_requests',
};

test('the dashboard shows what the sensors published', { timeout: 150000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-dashboard-'));
  let browser = null;
  try {
    const mqttPort = await freePort();
    const wsPort = await freePort();
    writeFileSync(
      join(dir, 'mosquitto.conf'),
      (process.getuid && process.getuid() === 0 ? 'user root\n' : '') +
        `listener ${mqttPort} 127.0.0.1\nallow_anonymous true\npersistence false\n` +
        `listener ${wsPort}\nprotocol websockets\nbind_interface lo\nhttp_dir ${DASHBOARD_DIR}\n`,
    );
    const broker = start('mosquitto', ['-c', join(dir, 'mosquitto.conf')]);
    await until('mosquitto', async () => (await accepts(mqttPort)) && (await accepts(wsPort)), 10000);
    const sub = start('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(mqttPort), '-q', '1', '-v', '-t', 'footfall/#']);
    await sleep(300);

    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
             '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
             `--user-data-dir=${join(dir, 'chromium')}`],
    });
    const page = await browser.newPage();
    await page.setViewport({ width: 1440, height: 1000 });
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const cdp = await page.createCDPSession();
    await cdp.send('Network.enable');
    let bytes = 0;
    const requests = [];
    cdp.on('Network.loadingFinished', (e) => (bytes += e.encodedDataLength));
    cdp.on('Network.requestWillBeSent', (e) => requests.push(e.request.url));
    const url = `http://127.0.0.1:${wsPort}/`;
    await page.goto(url, { waitUntil: 'load' });
    const loadMs = await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0];
      return Math.round(n.loadEventEnd - n.startTime);
    });
    const pageBytes = bytes;
    await page.waitForSelector('#connection[data-state="connected"]', { timeout: 10000 });
    // Everything came from the broker's http_dir: no CDN.
    // (MQTT.js starts its timer worker from a blob: URL, made in the page.)
    for (const r of requests.filter((u) => !u.startsWith('blob:'))) {
      assert.ok(r.startsWith(`http://127.0.0.1:${wsPort}/`), r);
    }

    const backdoor = start(FOOTFALLD, ['--config', sensorConfig(dir, mqttPort, 'backdoor', 0)]);
    const entrance = start(FOOTFALLD, ['--config', sensorConfig(dir, mqttPort, 'entrance', 30)]);
    const till = start(FOOTFALLD, ['--config', sensorConfig(dir, mqttPort, 'till', 30)]);
    const ended = await backdoor.exited;
    assert.equal(ended.code, 0, backdoor.err);
    // 14 windows: the last ones hide the capture rate and dwell (fewer than 3
    // visitor visits closed). Then both are frozen, still online.
    await until('14 windows of entrance and till', () => countsOf(sub, 'entrance').length >= 14 && countsOf(sub, 'till').length >= 14, 90000);
    entrance.kill('SIGSTOP');
    till.kill('SIGSTOP');
    await sleep(500);
    await until('the offline status of backdoor', () => lastPayload(sub, 'backdoor', 'status') === 'offline', 10000);

    const read = () =>
      page.evaluate(() => {
        const out = {};
        for (const a of document.querySelectorAll('article.sensor')) {
          const f = {};
          for (const dd of a.querySelectorAll('dd[data-figure]')) f[dd.dataset.figure] = dd.textContent;
          out[a.dataset.sensor] = {
            state: a.querySelector('.badge').dataset.state,
            figures: f,
            bars: a.querySelectorAll('.signal svg rect').length,
            suppressed: [...a.querySelectorAll('dd[data-suppressed="true"]')].map((d) => d.dataset.figure),
          };
        }
        const totals = {};
        for (const dd of document.querySelectorAll('dd[data-total]')) totals[dd.dataset.total] = dd.textContent;
        return { sensors: out, totals };
      });

    // The page and mosquitto_sub read the same broker: wait until they agree
    // on every figure, then check each once more with a message.
    const lastOf = (sensor) => countsOf(sub, sensor).at(-1);
    const agrees = (shown) =>
      ['entrance', 'till', 'backdoor'].every((s) =>
        shown.sensors[s] && Object.entries(FIGURE_PATHS).every(([k, p]) => shown.sensors[s].figures[k] === expected(p, lastOf(s))));
    let shown = await read();
    try {
      await until('the page to show the last windows', async () => agrees((shown = await read())), 10000);
    } catch (e) {
      // Fall through to the detailed assertions below.
    }
    for (const s of ['entrance', 'till', 'backdoor']) {
      const msg = lastOf(s);
      for (const [k, p] of Object.entries(FIGURE_PATHS)) {
        assert.equal(shown.sensors[s].figures[k], expected(p, msg), `${s} ${k} (window ${msg.window.start})`);
      }
    }
    // A suppressed value is shown as such (never 0): entrance's last window
    // hides some figure the page shows (its capture rate or dwell here).
    const e = lastOf('entrance');
    const shownPaths = { ...FIGURE_PATHS, dwell: 'dwell_s.p50' };
    const hiddenShown = Object.entries(shownPaths).filter(([, p]) => (e.suppressed || []).includes(p));
    assert.ok(hiddenShown.length > 0, JSON.stringify(e));
    for (const [k] of hiddenShown) {
      assert.ok(shown.sensors.entrance.figures[k].startsWith(`< ${MIN_COUNT}`), `${k}: ${shown.sensors.entrance.figures[k]}`);
      assert.ok(shown.sensors.entrance.suppressed.includes(k), k);
    }
    // The one that ended is offline; the frozen ones are online.
    assert.equal(shown.sensors.backdoor.state, 'offline');
    assert.equal(shown.sensors.entrance.state, 'online');
    assert.equal(shown.sensors.till.state, 'online');
    // The site total: entrance + till (backdoor is offline).
    const t = lastOf('till');
    for (const [k, p] of Object.entries({ estimated: 'devices.estimated', visitors: 'visitors', unique: 'devices.unique', probes: 'frames.probe_requests' })) {
      const a = p.split('.').reduce((o, x) => o[x], e);
      const b = p.split('.').reduce((o, x) => o[x], t);
      if (a !== null && b !== null) assert.equal(shown.totals[k], (a + b).toLocaleString('en-US'), `total ${k}`);
      else assert.match(shown.totals[k], /[<–]/, `total ${k} with a hidden part`);
    }
    // The signal view: one bar per bin that is not empty (hidden ones hatched).
    const signal = JSON.parse(lastPayload(sub, 'entrance', 'signal'));
    assert.equal(signal.schema, 'footfall.signal/1');
    assert.equal(shown.sensors.entrance.bars, signal.bins.filter((b) => b.devices !== 0).length);
    assert.ok(lastPayload(sub, 'entrance', 'today'), 'a retained today message');
    assert.deepEqual(pageErrors, []);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    await page.setViewport({ width: 390, height: 844 }); // (isMobile would reload the page)
    await sleep(300);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-phone.png') });
    const metrics = { url, page_bytes: pageBytes, load_ms: loadMs, requests: requests.length };
    writeFileSync(join(ARTIFACTS, 'dashboard-metrics.json'), JSON.stringify(metrics) + '\n');
    console.log(`dashboard: ${pageBytes} bytes transferred in ${requests.length} requests, loaded in ${loadMs} ms; screenshot ${join(ARTIFACTS, 'dashboard.png')}`);

    for (const p of [entrance, till]) {
      p.kill('SIGCONT');
      p.kill('SIGTERM');
    }
    void broker;
  } finally {
    if (browser) await browser.close().catch(() => {});
    for (const p of children.reverse()) {
      if (p.exitCode === null && p.signalCode === null) {
        p.kill('SIGCONT');
        p.kill('SIGTERM');
        await Promise.race([p.exited, sleep(3000)]);
        if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
