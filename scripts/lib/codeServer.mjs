// A real VS Code for tests and benchmarks: code-server 4.100.3 (= VS Code 1.100.3, extension host on this
// machine's Node) driven by playwright-core and Debian's Chromium, fully offline.
import { spawn } from 'node:child_process';
import { format } from 'node:util';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CODE_SERVER = path.join(ROOT, 'node_modules/.bin/code-server');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps trying to reach Google's hosts offline.
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', '--disable-quic'];

export async function launchChromium(options = {}) {
  const { chromium } = await import('playwright-core');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/setup.sh`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, ...options });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function waitHttp(url, timeoutMs) {
  const end = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      http.get(url, (res) => { res.resume(); resolve(res.statusCode); }).on('error', () => {
        if (Date.now() > end) reject(new Error(`timed out waiting for ${url}`)); else setTimeout(tick, 100);
      });
    };
    tick();
  });
}

/** A scratch home for code-server: it writes its config and data on every call. */
export function makeSandbox(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `walkie-${name}-`));
  for (const d of ['home', 'data/User', 'ext', 'ws', 'tmp']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.writeFileSync(path.join(dir, 'data/User/settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'security.workspace.trust.enabled': false,
    'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false, 'update.mode': 'none',
    'telemetry.telemetryLevel': 'off', 'workbench.enableExperiments': false,
  }, null, 2));
  return dir;
}

function sandboxEnv(dir, extra) {
  return {
    ...process.env, HOME: path.join(dir, 'home'), XDG_CONFIG_HOME: path.join(dir, 'home/.config'),
    XDG_DATA_HOME: path.join(dir, 'home/.local/share'), TMPDIR: path.join(dir, 'tmp'), ...extra,
  };
}

/** Runs `code-server --install-extension` into the sandbox's extensions folder. */
export function installExtension(dir, vsix) {
  return new Promise((resolve, reject) => {
    const p = spawn(CODE_SERVER, ['--user-data-dir', path.join(dir, 'data'), '--extensions-dir', path.join(dir, 'ext'),
      '--install-extension', vsix], { env: sandboxEnv(dir), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`install-extension failed (${code}): ${out}`))));
  });
}

/**
 * Writes a child's stdout and stderr into one log file. Either pipe may end first (on a loaded machine
 * often stderr), so neither may end the file: it is ended once both have closed. A failing log (disk full)
 * is reported once and never crashes the caller (an unhandled 'error' on a write stream would).
 */
export function pipeOutputToLog(child, logPath) {
  const logFile = fs.createWriteStream(logPath);
  logFile.on('error', (e) => console.error(`codeServer: cannot write ${logPath}: ${e.message}`));
  let open = 2;
  for (const stream of [child.stdout, child.stderr]) {
    stream.pipe(logFile, { end: false });
    stream.once('close', () => { if (--open === 0) logFile.end(); });
  }
  return logFile;
}

/** Starts code-server on a free loopback port; resolves once /healthz answers. */
export async function startCodeServer(dir, { env = {}, logName = 'code-server.log' } = {}) {
  const port = await freePort();
  const cs = spawn(CODE_SERVER, [
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--user-data-dir', path.join(dir, 'data'), '--extensions-dir', path.join(dir, 'ext'),
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--ignore-last-opened',
  ], { env: sandboxEnv(dir, env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  pipeOutputToLog(cs, path.join(dir, logName));
  const stop = () => { try { process.kill(-cs.pid, 'SIGTERM'); } catch { /* already gone */ } };
  try {
    await waitHttp(`http://127.0.0.1:${port}/healthz`, 60000);
  } catch (e) {
    stop();
    throw e;
  }
  return { port, origin: `http://127.0.0.1:${port}`, authority: `127.0.0.1:${port}`, stop, logPath: path.join(dir, logName) };
}

/**
 * One line of the extension host's console, as the workbench hands it to `codeAutomationLog`: the
 * arguments of a console.log call, the first possibly a format string (mocha's reporter writes
 * `console.log('%s%s', indent, title)`), so they are formatted as Node's console would.
 */
export function formatHostLog(args) {
  return format(...(Array.isArray(args) ? args : [args]));
}

/** Opens the workbench on the sandbox's workspace folder; `payload` adds development/test options. */
export function workbenchUrl(server, dir, payload) {
  const q = new URLSearchParams({ folder: path.join(dir, 'ws') });
  if (payload) q.set('payload', JSON.stringify(payload));
  return `${server.origin}/?${q}`;
}
