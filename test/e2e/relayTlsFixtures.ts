// Test certificates made with the machine's `openssl` (a throw-away CA and leaf certificates it signs), an
// NSS database that trusts that CA (what Chromium on Linux reads as the user's trust store), a probe that
// tells which certificate a TLS server presents to a new connection, and the two "phones" of the reach tests
// (`walkie device` and Chromium) pairing and approving one command.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import type { Browser } from 'playwright-core';
import { eventually, PHONE } from '../browser/webuiHarness';
import { CliProcess } from './cliProcess';

export interface TestCa {
  readonly dir: string;
  /** The CA certificate (PEM file): what NODE_EXTRA_CA_CERTS and the NSS database get. */
  readonly certFile: string;
  /** Issues a leaf for `names` (DNS names or IPv4 addresses); returns its certificate and key files. */
  issue(names: readonly string[], label: string): { certFile: string; keyFile: string; serial: string };
}

const openssl = (args: string[], cwd: string): void => void execFileSync('openssl', args, { cwd, stdio: 'pipe' });

/** A fresh CA (P-256, valid for a day) in `dir`. */
export function makeTestCa(dir: string, name = 'Walkie Test CA'): TestCa {
  fs.mkdirSync(dir, { recursive: true });
  const certFile = path.join(dir, 'ca.pem');
  const keyFile = path.join(dir, 'ca.key');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${name}`, '-keyout', keyFile, '-out', certFile,
    '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return {
    dir,
    certFile,
    issue(names, label) {
      const leafKey = path.join(dir, `${label}.key`);
      const csr = path.join(dir, `${label}.csr`);
      const leafCert = path.join(dir, `${label}.pem`);
      const ext = path.join(dir, `${label}.ext`);
      const san = names.map((n) => (/^\d+\.\d+\.\d+\.\d+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
      fs.writeFileSync(ext, `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
      openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${names[0]}`, '-keyout', leafKey, '-out', csr], dir);
      openssl(['x509', '-req', '-in', csr, '-CA', certFile, '-CAkey', keyFile, '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', leafCert], dir);
      const serial = new crypto.X509Certificate(fs.readFileSync(leafCert)).serialNumber;
      return { certFile: leafCert, keyFile: leafKey, serial };
    },
  };
}

/**
 * An NSS database under `home`/.pki/nssdb trusting `caFile` to identify web sites ("C,,"): Chromium on
 * Linux reads it as the user's trust store, so a Chromium started with HOME=`home` trusts that CA — and
 * nothing else beyond what it trusts anyway.
 */
export function trustInNssDb(home: string, caFile: string): void {
  const db = path.join(home, '.pki', 'nssdb');
  fs.mkdirSync(db, { recursive: true });
  execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password'], { stdio: 'pipe' });
  execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', 'walkie-test-ca', '-t', 'C,,', '-i', caFile], { stdio: 'pipe' });
}

/** The serial number of the certificate a new TLS connection to host:port is shown (verified against `ca`). */
export function presentedSerial(host: string, port: number, ca: Buffer, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, ca, ...(servername ? { servername } : {}) }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial);
    });
    socket.on('error', reject);
  });
}

/** A TCP port free on 127.0.0.1 right now (for tools that cannot be told to pick one, like caddy). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Pairs `walkie device` with the URL and approves one Bash call; returns the device, still connected. */
export async function pairDeviceAndApprove(url: string, stateDir: string, env: NodeJS.ProcessEnv, project: string, o: { name?: string; prefix?: string[]; onSpawn?: (p: CliProcess) => void } = {}): Promise<CliProcess> {
  const device = new CliProcess(['device', url, '--json', '--state-dir', stateDir, '--name', o.name ?? 'tls phone'], { env, prefix: o.prefix });
  o.onSpawn?.(device);
  await device.line('paired');
  await device.line('session');
  const from = device.lines.length;
  device.send({ type: 'prompt', text: `SCENARIO:bash DIR=${project} go` });
  const approval = await device.line('approval', (l) => l.tool === 'Bash', from);
  assert.equal(fs.existsSync(path.join(project, 'out.txt')), false, 'the command ran before it was approved');
  device.send({ type: 'decide', id: approval.id, decision: 'allow' });
  await device.line('resolved', (l) => l.id === approval.id && l.resolution === 'allowed', from);
  await device.waitFor('out.txt', () => fs.existsSync(path.join(project, 'out.txt')));
  fs.rmSync(path.join(project, 'out.txt'));
  return device;
}

/** Chromium pairs at `url` (at a phone viewport) and approves one Bash call. */
export async function pairChromiumAndApprove(browser: Browser, url: string, project: string, host: CliProcess, o: { secure?: boolean } = {}): Promise<void> {
  const context = await browser.newContext(PHONE);
  try {
    const page = await context.newPage();
    await page.goto(url);
    assert.equal(await page.evaluate(() => window.isSecureContext), o.secure ?? true, 'secure context');
    await page.getByLabel('Name this device').fill('Chromium');
    await page.getByTestId('pair').tap();
    const words = await page.getByTestId('sas').innerText();
    await host.waitFor('the host to show the same words', () => host.stderr.includes(words));
    await page.getByRole('button', { name: 'They match' }).tap();
    await page.getByTestId('session-select').waitFor();
    await page.getByLabel('Message the agent').fill(`SCENARIO:bash DIR=${project} go`);
    await page.getByTestId('send').tap();
    const card = page.getByTestId('approval');
    await card.waitFor({ timeout: 45_000 });
    await eventually(async () => (await card.innerText()).includes('echo hi > out.txt'), 20_000);
    assert.equal(fs.existsSync(path.join(project, 'out.txt')), false);
    await eventually(() => page.getByTestId('approve').isEnabled());
    await page.getByTestId('approve').tap();
    await page.getByText('Done: wrote out.txt').waitFor({ timeout: 30_000 });
    assert.equal(fs.readFileSync(path.join(project, 'out.txt'), 'utf8').trim(), 'hi');
    fs.rmSync(path.join(project, 'out.txt'));
  } finally {
    await context.close().catch(() => {});
  }
}

