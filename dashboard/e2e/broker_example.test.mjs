// Purpose: the shipped example mosquitto configuration
// (packaging/mosquitto/footfall-dashboard.conf and footfall.acl) in a real
// mosquitto 2.0.11, ports and paths moved to a private directory: the
// WebSockets listener serves the dashboard from http_dir and speaks MQTT; no
// anonymous client gets in; the dashboard's user reads footfall/# and nothing
// else and cannot write; a sensor's user writes its own topics.
// Environment: DASHBOARD_DIR (the bundle).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';

const here = dirname(fileURLToPath(import.meta.url));
const EXAMPLES = join(here, '../../packaging/mosquitto');
const DASHBOARD_DIR = process.env.DASHBOARD_DIR;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
const accepts = (port) =>
  new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });

function sub(port, user, password, topic, ms) {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-v', '-t', topic, '-W', String(ms / 1000)];
  if (user) args.push('-u', user, '-P', password);
  const r = spawnSync('mosquitto_sub', args, { encoding: 'utf8' });
  return { lines: r.stdout.split('\n').filter(Boolean), status: r.status, err: r.stderr };
}
function pub(port, user, password, topic, message) {
  return spawnSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-u', user, '-P', password,
    '-q', '1', '-r', '-t', topic, '-m', message], { encoding: 'utf8' });
}

test('the example broker configuration serves the page and lets the dashboard read footfall/# only', { timeout: 60000 }, async () => {
  assert.ok(DASHBOARD_DIR, 'DASHBOARD_DIR is not set');
  const dir = mkdtempSync(join(tmpdir(), 'footfall-broker-'));
  let broker = null;
  try {
    const mqttPort = await freePort();
    const wsPort = await freePort();
    let conf = readFileSync(join(EXAMPLES, 'footfall-dashboard.conf'), 'utf8');
    const replace = (from, to) => {
      assert.ok(conf.includes(from), `the example has "${from}"`);
      conf = conf.replaceAll(from, to);
    };
    replace('\nlistener 1883 127.0.0.1\n', `\nlistener ${mqttPort} 127.0.0.1\n`);
    replace('\nlistener 9001\n', `\nlistener ${wsPort}\n`);
    replace('\nhttp_dir /usr/share/footfall/dashboard\n', `\nhttp_dir ${DASHBOARD_DIR}\n`);
    replace('/etc/mosquitto/footfall.passwd', join(dir, 'passwd'));
    replace('/etc/mosquitto/footfall.acl', join(dir, 'acl'));
    assert.match(conf, /\nbind_interface lo\n/);
    writeFileSync(join(dir, 'mosquitto.conf'), (process.getuid() === 0 ? 'user root\n' : '') + conf);
    writeFileSync(join(dir, 'acl'), readFileSync(join(EXAMPLES, 'footfall.acl')));
    writeFileSync(join(dir, 'passwd'), '');
    for (const [u, p] of [['dashboard', 'dash-pw'], ['sensor-door', 'door-pw']]) {
      const r = spawnSync('mosquitto_passwd', ['-b', join(dir, 'passwd'), u, p], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
    broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    broker.stderr.on('data', (d) => (log += d));
    for (let i = 0; !((await accepts(mqttPort)) && (await accepts(wsPort))); i++) {
      assert.ok(i < 100, `mosquitto did not start: ${log}`);
      await sleep(100);
    }

    // The page, from http_dir on the WebSockets listener.
    const page = await fetch(`http://127.0.0.1:${wsPort}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>footfall/);

    // The sensor's user writes its own topics.
    assert.equal(pub(mqttPort, 'sensor-door', 'door-pw', 'footfall/store-7/door/status', 'online').status, 0);
    assert.equal(pub(mqttPort, 'sensor-door', 'door-pw', 'homeassistant/sensor/x/config', '{}').status, 0);
    // The dashboard's user cannot write (mosquitto drops it, 3.1.1 cannot say so).
    pub(mqttPort, 'dashboard', 'dash-pw', 'footfall/store-7/forged/status', 'online');

    const seen = sub(mqttPort, 'dashboard', 'dash-pw', 'footfall/#', 1000).lines;
    assert.deepEqual(seen, ['footfall/store-7/door/status online']);
    assert.deepEqual(sub(mqttPort, 'dashboard', 'dash-pw', 'homeassistant/#', 1000).lines, []);
    // Nobody gets in without a password.
    const anonymous = sub(mqttPort, null, null, 'footfall/#', 1000);
    assert.notEqual(anonymous.status, 0);
    assert.deepEqual(anonymous.lines, []);

    // MQTT over the WebSockets listener, as the page does it.
    const client = mqtt.connect(`ws://127.0.0.1:${wsPort}/mqtt`, { username: 'dashboard', password: 'dash-pw', reconnectPeriod: 0 });
    const got = await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('nothing over WebSockets')), 5000);
      client.on('error', reject);
      client.on('connect', () => client.subscribe('footfall/#'));
      client.on('message', (topic, payload) => {
        clearTimeout(t);
        resolve(`${topic} ${payload}`);
      });
    });
    client.end(true);
    assert.equal(got, 'footfall/store-7/door/status online');
  } finally {
    if (broker) broker.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});
