// The web app served from a site the user trusts, not from the relay (issue 9, item 3): `--app-url` makes
// pairing links start there and name the relay in their payload; the relay then serves no code at all and
// only forwards ciphertext. The page limits its own connections to its origin and its paired relays (a
// <meta> CSP, webview-ui/transport/connectPolicy.ts), since a static site's headers cannot know the relay.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { FileStateStore } from '../../src/node/host/fileStateStore';
import { WalkieHost } from '../../src/node/host/walkieHost';
import { RelayServer } from '../../src/relay/relayServer';
import { launchBrowser } from './browser';
import { DIST, PHONE } from './webuiHarness';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.svg': 'image/svg+xml', '.png': 'image/png' };

/** A plain static site (no CSP header, like a simple static host) serving the app under /walkie/. */
function staticSite(log: string[]): http.Server {
  return http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    log.push(pathname);
    const name = pathname === '/walkie/' ? 'index.html' : pathname.startsWith('/walkie/') ? pathname.slice('/walkie/'.length) : '';
    const file = path.join(DIST, name);
    if (!name || name.includes('/') || !fs.existsSync(file)) {
      res.statusCode = 404;
      return res.end('not found');
    }
    res.setHeader('content-type', TYPES[path.extname(name)] ?? 'application/octet-stream');
    res.end(fs.readFileSync(file));
  });
}

describe('the web app served from another origin than the relay (Chromium)', function () {
  this.timeout(60_000);
  let scratch: string;
  let relay: RelayServer;
  let host: WalkieHost;
  let site: http.Server;
  let collector: http.Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let siteOrigin: string;
  const siteLog: string[] = [];
  const stolen: string[] = [];
  let relayOrigin: string;

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-apporigin-'));
    // The relay serves no web app here: any HTTP request for one would be a 404 (and is recorded).
    relay = new RelayServer({ host: '127.0.0.1' });
    const { port } = await relay.start();
    relayOrigin = `http://127.0.0.1:${port}`;
    site = staticSite(siteLog);
    await new Promise<void>((r) => site.listen(0, '127.0.0.2', r));
    siteOrigin = `http://127.0.0.2:${(site.address() as AddressInfo).port}`;
    host = await WalkieHost.start({
      store: new FileStateStore(path.join(scratch, 'state')),
      relay: { kind: 'external', url: relayOrigin },
      hostName: 'static site host',
      appUrl: `${siteOrigin}/walkie/`,
    });
    collector = http.createServer((req, res) => {
      stolen.push(req.url ?? '');
      res.setHeader('access-control-allow-origin', '*');
      res.end('ok');
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    browser = await launchBrowser();
    context = await browser.newContext(PHONE);
    page = await context.newPage();
  });

  after(async () => {
    await context?.close().catch(() => {});
    await browser?.close();
    host?.dispose();
    await relay?.close();
    site?.close();
    collector?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('pairs from a link to the static site, talks to the relay named in the payload, and the relay serves no code', async () => {
    const { url } = host.newPairingUrl();
    assert.ok(url.startsWith(`${siteOrigin}/walkie/#`), url);
    await page.goto(url);
    await page.getByLabel('Name this device').fill('Static phone');
    await page.getByTestId('pair').tap();
    await page.getByTestId('sas').waitFor();
    await page.getByRole('button', { name: 'They match' }).tap();
    await page.locator('[data-testid="conn"].conn-online').waitFor({ timeout: 20_000 });
    assert.equal(host.connectedDevices().length, 1);
    assert.ok(siteLog.includes('/walkie/app.js'));
    const fromRelay = await new Promise<number>((resolve, reject) => http.get(`${relayOrigin}/app.js`, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject));
    assert.equal(fromRelay, 404, 'this relay serves no code at all');
    // Reloaded, the page comes back to the same relay from what it stored.
    await page.reload();
    await page.locator('[data-testid="conn"].conn-online').waitFor({ timeout: 20_000 });
  });

  it('lets the page connect only to its own origin and its paired relay', async () => {
    const other = `127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const result = await page.evaluate(async (other) => {
      const ws = (url: string) =>
        new Promise<string>((resolve) => {
          try {
            const s = new WebSocket(url);
            s.onopen = () => (s.close(), resolve('open'));
            s.onerror = () => resolve('error');
          } catch (e) {
            resolve(`threw ${(e as Error).name}`);
          }
        });
      return {
        otherFetch: await fetch(`http://${other}/fetch`, { method: 'POST', body: 'stolen', mode: 'no-cors' }).then(() => 'sent', () => 'blocked'),
        otherSocket: await ws(`ws://${other}/ws`),
        ownFetch: await fetch('bundle.json').then((r) => String(r.status), () => 'blocked'),
      };
    }, other);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(result.otherFetch, 'blocked');
    assert.notEqual(result.otherSocket, 'open');
    assert.equal(result.ownFetch, '200');
    assert.deepEqual(stolen, []);
  });
});
