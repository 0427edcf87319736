// Real TLS in front of the phone, two ways a user can run it (docs/relay.md):
//  1. `walkie relay --tls-cert --tls-key` with a CA made here by openssl: `walkie device` trusts it through
//     NODE_EXTRA_CA_CERTS, Chromium through an NSS database holding the CA (the Linux user trust store it
//     reads); the relay picks up a renewed certificate without dropping anyone, and keeps the old one when
//     the new pair is broken.
//  2. Debian's `caddy` with its internal CA (`tls internal`) as the TLS reverse proxy in front of a plain
//     `walkie relay --trust-proxy`.
// In both, `walkie host -- claude` (the real Claude Code CLI against the scripted model) pairs and a Bash
// call is approved from the far side.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../browser/browser';
import { eventually, PHONE } from '../browser/webuiHarness';
import { claudeBin, seedClaudeHome, type ClaudeHome } from '../fixtures/claudeEnv';
import { startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { CliProcess } from './cliProcess';
import { pairChromiumAndApprove, pairDeviceAndApprove } from './reachPhones';
import { freePort, makeTestCa, presentedSerial, trustInNssDb, type TestCa } from './relayTlsFixtures';

/** GET over https trusting only `ca`; resolves with the status and body, rejects with the TLS error. */
function httpsGet(url: string, ca: Buffer | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ...(ca ? { ca } : {}), agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

const sameSerial = (a: string, b: string) => a.replace(/^0+/, '').toUpperCase() === b.replace(/^0+/, '').toUpperCase();

describe("walkie relay serving TLS itself (a CA made here, trusted by walkie device and by Chromium's NSS store)", function () {
  this.timeout(180_000);
  let mock: MockAnthropic;
  let home: ClaudeHome;
  let project: string;
  let scratch: string;
  let ca: TestCa;
  let caPem: Buffer;
  let certFile: string;
  let keyFile: string;
  let first: { serial: string };
  let relay: CliProcess;
  let origin: string;
  let port: number;
  const procs: CliProcess[] = [];
  const browsers: Browser[] = [];

  const startHost = (pairFile: string) => {
    fs.rmSync(pairFile, { force: true });
    const h = new CliProcess(['host', '--relay', origin, '--pair-file', pairFile, '--state-dir', path.join(scratch, 'host'), '--name', 'tls box', '--', claudeBin()], {
      cwd: project,
      env: { ...home.env, NODE_EXTRA_CA_CERTS: ca.certFile },
    });
    procs.push(h);
    return h;
  };
  const pairingUrl = (h: CliProcess, pairFile: string) => h.waitFor('the pairing file', () => fs.existsSync(pairFile) && fs.readFileSync(pairFile, 'utf8').trim());

  before(async () => {
    mock = await startMockAnthropic();
    home = seedClaudeHome(mock.url);
    project = home.projects[0]!;
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-reach-tls-'));
    ca = makeTestCa(path.join(scratch, 'ca'));
    caPem = fs.readFileSync(ca.certFile);
    // The relay reads the files at these paths; renewals below replace what is in them.
    const leaf = ca.issue(['127.0.0.1', 'localhost'], 'leaf1');
    first = leaf;
    certFile = path.join(scratch, 'relay.pem');
    keyFile = path.join(scratch, 'relay.key');
    fs.copyFileSync(leaf.certFile, certFile);
    fs.copyFileSync(leaf.keyFile, keyFile);
    relay = new CliProcess(['relay', '--port', '0', '--bind', '127.0.0.1', '--tls-cert', certFile, '--tls-key', keyFile]);
    procs.push(relay);
    origin = (await relay.waitFor('the relay to listen', () => /listening on (https:\/\/127\.0\.0\.1:\d+)\//.exec(relay.stdout)?.[1]));
    port = Number(new URL(origin).port);
  });

  after(async () => {
    for (const b of browsers) await b.close().catch(() => {});
    for (const p of procs.reverse()) await p.kill();
    await mock?.close();
    home?.dispose();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('refuses a bad --tls-cert/--tls-key before listening, with a reason that names the file', async () => {
    const alone = new CliProcess(['relay', '--port', '0', '--tls-cert', certFile]);
    await alone.waitFor('exit', () => alone.exitCode !== undefined);
    assert.equal(alone.exitCode, 2);
    assert.match(alone.stderr, /--tls-cert and --tls-key go together/);
    const other = ca.issue(['127.0.0.1'], 'other');
    const mismatched = new CliProcess(['relay', '--port', '0', '--tls-cert', certFile, '--tls-key', other.keyFile]);
    await mismatched.waitFor('exit', () => mismatched.exitCode !== undefined);
    assert.equal(mismatched.exitCode, 1);
    assert.match(mismatched.stderr, /the key in .*other\.key does not belong to the certificate in .*relay\.pem/);
    assert.doesNotMatch(mismatched.stderr, /BEGIN/);
  });

  it('serves /healthz and /metrics over https to a client that trusts the CA, and nothing to one that does not', async () => {
    assert.deepEqual(await httpsGet(`${origin}/healthz`, caPem), { status: 200, body: '{"ok":true}' });
    const metrics = await httpsGet(`${origin}/metrics`, caPem);
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /^walkie_relay_tls_cert_not_after_seconds \d+$/m);
    assert.match(metrics.body, /^# TYPE walkie_relay_tls_reloads_total counter\nwalkie_relay_tls_reloads_total 0$/m);
    await assert.rejects(httpsGet(`${origin}/healthz`, undefined), (e: NodeJS.ErrnoException) => /UNABLE_TO_VERIFY|SELF_SIGNED|LOCAL_ISSUER/.test(String(e.code)));
  });

  it('walkie host and walkie device trust it through NODE_EXTRA_CA_CERTS: pair, and a command is approved', async () => {
    const pairFile = path.join(scratch, 'pair1.txt');
    const host = startHost(pairFile);
    const url = await pairingUrl(host, pairFile);
    assert.ok(url.startsWith(`${origin}/#`), url);
    await host.waitFor('the route line', () => /Reachable from anywhere through your relay: https:\/\/127\.0\.0\.1/.test(host.stderr));
    await pairDeviceAndApprove(url, path.join(scratch, 'device'), { ...process.env, NODE_EXTRA_CA_CERTS: ca.certFile }, project, { onSpawn: (p) => procs.push(p) });
    const metrics = (await httpsGet(`${origin}/metrics`, caPem)).body;
    assert.match(metrics, /^walkie_relay_hosts 1$/m);
    assert.match(metrics, /^walkie_relay_host_devices 1$/m);
    // Counts only: nothing that names a host or a client.
    const hostId = /host id (\S+)/.exec(host.stderr)?.[1];
    assert.ok(hostId);
    assert.equal(metrics.includes(hostId), false);
    assert.equal(metrics.includes('127.0.0.1'), false);
  });

  it('a renewed certificate is served to new connections without a restart; the paired device stays connected', async () => {
    const device = procs.find((p) => p.child.spawnargs.includes('tls phone'))!;
    const statusesBefore = device.lines.filter((l) => l.type === 'status').length;
    assert.ok(sameSerial(await presentedSerial('127.0.0.1', port, caPem), first.serial));
    const renewed = ca.issue(['127.0.0.1', 'localhost'], 'leaf2');
    // As certbot does it: new files written beside, then moved over the old ones.
    fs.copyFileSync(renewed.keyFile, `${keyFile}.new`);
    fs.copyFileSync(renewed.certFile, `${certFile}.new`);
    fs.renameSync(`${keyFile}.new`, keyFile);
    fs.renameSync(`${certFile}.new`, certFile);
    await relay.waitFor('the reload', () => relay.stderr.includes('TLS certificate reloaded'), 15_000);
    assert.ok(sameSerial(await presentedSerial('127.0.0.1', port, caPem), renewed.serial), 'a new connection still sees the old certificate');
    assert.equal(device.lines.filter((l) => l.type === 'status').length, statusesBefore, 'the device lost its connection');
    // The connection accepted before the renewal still carries traffic.
    const from = device.lines.length;
    device.send({ type: 'prompt', text: 'SCENARIO:text after renewal' });
    await device.line('chat', (l) => (l.event as { kind: string }).kind === 'assistant', from);
    assert.match((await httpsGet(`${origin}/metrics`, caPem)).body, /^walkie_relay_tls_reloads_total 1$/m);

    // A broken pair (a key of another certificate): reported, and the renewed one stays in service.
    const stray = ca.issue(['127.0.0.1'], 'stray');
    fs.copyFileSync(stray.keyFile, keyFile);
    await relay.waitFor('the refusal', () => /the new TLS certificate cannot be used: the key in .*relay\.key does not belong/.test(relay.stderr), 15_000);
    assert.ok(sameSerial(await presentedSerial('127.0.0.1', port, caPem), renewed.serial));
    const metrics = (await httpsGet(`${origin}/metrics`, caPem)).body;
    assert.match(metrics, /^walkie_relay_tls_reload_failures_total 1$/m);
    assert.equal(relay.exitCode, undefined, 'the relay stopped');
    fs.copyFileSync(renewed.keyFile, keyFile);
  });

  it('Chromium trusting the CA in its NSS store opens the pairing link as a secure page, pairs and approves', async () => {
    const chromeHome = path.join(scratch, 'chrome-home');
    trustInNssDb(chromeHome, ca.certFile);
    const untrusting = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, env: { ...process.env, HOME: path.join(scratch, 'chrome-home-empty') } });
    browsers.push(untrusting);
    const trusting = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, env: { ...process.env, HOME: chromeHome } });
    browsers.push(trusting);
    // The restarted host (same state dir, same identity) prints a fresh pairing link.
    await procs.find((p) => p.child.spawnargs.includes('tls box'))!.kill();
    const pairFile = path.join(scratch, 'pair2.txt');
    const host = startHost(pairFile);
    const url = await pairingUrl(host, pairFile);
    const page = await (await untrusting.newContext(PHONE)).newPage();
    await assert.rejects(page.goto(url), /ERR_CERT_AUTHORITY_INVALID/);
    await pairChromiumAndApprove(trusting, url, project, host);
  });
});

describe("Debian's caddy with its internal CA (tls internal) in front of a plain walkie relay", function () {
  this.timeout(120_000);
  let mock: MockAnthropic;
  let home: ClaudeHome;
  let project: string;
  let scratch: string;
  let caddy: ChildProcess | undefined;
  let browser: Browser | undefined;
  const procs: CliProcess[] = [];

  before(async function () {
    mock = await startMockAnthropic();
    home = seedClaudeHome(mock.url);
    project = home.projects[0]!;
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-reach-caddy-'));
  });

  after(async () => {
    await browser?.close().catch(() => {});
    for (const p of procs.reverse()) await p.kill();
    if (caddy && caddy.exitCode === null) {
      const gone = new Promise((r) => caddy!.once('exit', r));
      caddy.kill('SIGTERM');
      await gone;
    }
    await mock?.close();
    home?.dispose();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("walkie device and Chromium pair and approve through caddy; a client without caddy's root is refused", async () => {
    assert.ok(fs.existsSync('/usr/bin/caddy'), 'caddy is not installed: run scripts/setup.sh');
    const relay = new CliProcess(['relay', '--port', '0', '--bind', '127.0.0.1', '--trust-proxy']);
    procs.push(relay);
    const relayPort = Number(await relay.waitFor('the relay', () => /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(relay.stdout)?.[1]));
    const [httpsPort, httpPort] = [await freePort(), await freePort()];
    const data = path.join(scratch, 'caddy-data');
    const caddyfile = path.join(scratch, 'Caddyfile');
    // skip_install_trust: Caddy must not touch the machine's trust store; the test trusts its root itself.
    fs.writeFileSync(caddyfile, `{
\tadmin off
\tskip_install_trust
\tlocal_certs
\thttp_port ${httpPort}
\thttps_port ${httpsPort}
\tdefault_sni 127.0.0.1
\tstorage file_system {
\t\troot ${data}
\t}
}
https://127.0.0.1:${httpsPort} {
\ttls internal
\treverse_proxy 127.0.0.1:${relayPort}
}
`);
    caddy = spawn('/usr/bin/caddy', ['run', '--config', caddyfile, '--adapter', 'caddyfile'], {
      env: { PATH: process.env.PATH, HOME: scratch, XDG_DATA_HOME: path.join(scratch, 'xdg-data'), XDG_CONFIG_HOME: path.join(scratch, 'xdg-config') },
      stdio: 'ignore',
    });
    const root = path.join(data, 'pki', 'authorities', 'local', 'root.crt');
    const origin = `https://127.0.0.1:${httpsPort}`;
    await eventually(async () => fs.existsSync(root) && (await httpsGet(`${origin}/healthz`, fs.readFileSync(root)).catch(() => undefined))?.status === 200, 30_000);
    const caddyRoot = fs.readFileSync(root);
    await assert.rejects(httpsGet(`${origin}/healthz`, undefined));

    const pairFile = path.join(scratch, 'pair.txt');
    const startHost = () => {
      fs.rmSync(pairFile, { force: true });
      const h = new CliProcess(['host', '--relay', origin, '--pair-file', pairFile, '--state-dir', path.join(scratch, 'host'), '--name', 'caddy box', '--', claudeBin()], {
        cwd: project,
        env: { ...home.env, NODE_EXTRA_CA_CERTS: root },
      });
      procs.push(h);
      return h;
    };
    let host = startHost();
    const url = await host.waitFor('the pairing file', () => fs.existsSync(pairFile) && fs.readFileSync(pairFile, 'utf8').trim());
    assert.ok(url.startsWith(`${origin}/#`), url);
    await pairDeviceAndApprove(url, path.join(scratch, 'device'), { ...process.env, NODE_EXTRA_CA_CERTS: root }, project, { onSpawn: (p) => procs.push(p) });
    const metrics = (await httpsGet(`${origin}/metrics`, caddyRoot)).body;
    assert.match(metrics, /^walkie_relay_hosts 1$/m);
    assert.match(metrics, /^walkie_relay_host_devices 1$/m);

    // Chromium, trusting caddy's root (its leaf is signed by an intermediate), pairs with a fresh link.
    await host.kill();
    host = startHost();
    const url2 = await host.waitFor('a fresh pairing file', () => fs.existsSync(pairFile) && fs.readFileSync(pairFile, 'utf8').trim());
    const chromeHome = path.join(scratch, 'chrome-home');
    trustInNssDb(chromeHome, root);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, env: { ...process.env, HOME: chromeHome } });
    await pairChromiumAndApprove(browser, url2, project, host);
  });
});
