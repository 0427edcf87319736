import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { bytesToBase64url } from '../../src/core/base/bytes';
import { encodePairingUrl } from '../../src/core/pairing/pairingPayload';
import { launchBrowser } from './browser';
import { eventually, PHONE, serveDist, screenshot } from './webuiHarness';

const LAN_HOST = 'walkie-test.lan';

function offerUrl(origin: string, expiresAt: number): string {
  return encodePairingUrl(origin, {
    hostId: bytesToBase64url(randomBytes(32)),
    hostPublicKey: randomBytes(32),
    psk: randomBytes(32),
    expiresAt,
    relayUrl: origin.replace(/^http/, 'ws'),
  });
}

describe('web UI pairing landing on a plain-http LAN origin (Chromium, phone viewport)', () => {
  let browser: Browser;
  let server: { origin: string; close(): Promise<void> };
  let page: Page | undefined;
  before(async () => {
    // A made-up LAN host name: unlike 127.0.0.1 it is not a secure context, so crypto.subtle is absent.
    browser = await launchBrowser([`--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`]);
    const local = await serveDist();
    server = { origin: local.origin.replace('127.0.0.1', LAN_HOST), close: local.close };
  });
  afterEach(async () => {
    await page?.context().close();
    page = undefined;
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(url: string): Promise<Page> {
    const context = await browser.newContext(PHONE);
    page = await context.newPage();
    await page.goto(url);
    return page;
  }

  it('explains that an expired pairing code has expired, and clears the fragment', async () => {
    const p = await open(offerUrl(server.origin, Date.now() - 60_000));
    const error = p.getByTestId('pairing-error');
    await error.waitFor();
    assert.match(await error.innerText(), /expired/i);
    assert.equal(await p.evaluate(() => location.hash), '');
    await screenshot(p, 'pairing-expired');
  });

  for (const [name, fragment] of [
    ['garbage', 'not-a-payload!'],
    ['base64url of something else', bytesToBase64url(new TextEncoder().encode('{"v":1,"h":"x"}'))],
    ['a future pairing version', bytesToBase64url(new TextEncoder().encode('{"v":9}'))],
  ] as const) {
    it(`refuses a pairing link holding ${name} with a clear error`, async () => {
      const p = await open(`${server.origin}/#${fragment}`);
      const error = p.getByTestId('pairing-error');
      await error.waitFor();
      assert.match(await error.innerText(), /not a valid Walkie pairing code|different version/);
      assert.match(await error.innerText(), /Pair a Device/);
      assert.equal(await p.evaluate(() => location.hash), '');
    });
  }

  it('asks a name for this device for a valid offer, with the psk gone from the address bar', async () => {
    const p = await open(offerUrl(server.origin, Date.now() + 300_000));
    await p.getByLabel('Name this device').waitFor();
    assert.equal(await p.evaluate(() => location.hash), '');
    assert.equal(await p.evaluate(() => typeof crypto.subtle), 'undefined', 'the test origin should lack WebCrypto like a LAN origin');
    assert.ok((await p.getByTestId('pair').boundingBox())!.height >= 48);
    await screenshot(p, 'pairing');
  });

  it('reports a failed pairing when the relay cannot be reached, without a page error', async () => {
    const p = await open(offerUrl(server.origin, Date.now() + 300_000));
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    await p.getByLabel('Name this device').fill('Test phone');
    await p.getByTestId('pair').tap();
    const error = p.getByTestId('pairing-error');
    await error.waitFor();
    assert.match(await error.innerText(), /Pairing failed/);
    assert.deepEqual(errors, []);
    assert.equal(await p.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('walkie.host.')).length), 0, 'nothing stored for a failed pairing');
  });

  it('says the code expired when it runs out while the page stands open', async () => {
    const expiresAt = Date.now() + 3000;
    const p = await open(offerUrl(server.origin, expiresAt));
    await p.getByLabel('Name this device').waitFor();
    await p.waitForTimeout(Math.max(0, expiresAt - Date.now()) + 200);
    await p.getByTestId('pair').tap();
    assert.match(await p.getByTestId('pairing-error').innerText(), /expired/);
  });

  it('reconnects by itself with a stored pairing, shows the connection state, and forgets the host on request', async () => {
    const hostId = bytesToBase64url(randomBytes(32));
    const stored = {
      hostId,
      hostPublicKey: bytesToBase64url(randomBytes(32)),
      // The static server does not speak WebSocket: every attempt fails and the client keeps retrying.
      relayUrl: server.origin.replace(/^http/, 'ws'),
      deviceSecretKey: bytesToBase64url(randomBytes(32)),
      hostName: 'dev-laptop',
      deviceName: 'Test phone',
      pairedAt: Date.now(),
    };
    const context = await browser.newContext(PHONE);
    await context.addInitScript((h) => {
      if (sessionStorage.getItem('seeded')) return;
      sessionStorage.setItem('seeded', '1');
      localStorage.setItem(`walkie.host.${h.hostId}`, JSON.stringify(h));
      localStorage.setItem('walkie.lastHost', h.hostId);
    }, stored);
    page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.origin}/`);
    await page.locator('.app').waitFor();
    assert.equal(await page.locator('.brand').innerText(), 'dev-laptop');
    const conn = page.getByTestId('conn');
    await eventually(async () => /Offline since \d{1,2}:\d{2}/.test(await conn.innerText()), 10_000);
    await screenshot(page, 'offline');
    page.once('dialog', (d) => void d.accept());
    await page.getByLabel('Menu').tap();
    await page.getByTestId('forget').tap();
    await page.getByTestId('status').waitFor();
    assert.equal(await page.evaluate((id) => localStorage.getItem(`walkie.host.${id}`), hostId), null);
    assert.deepEqual(errors, []);
  });

  it('shows the welcome page without a fragment or a stored pairing', async () => {
    const p = await open(`${server.origin}/`);
    assert.match(await p.getByTestId('status').innerText(), /Not paired yet/);
  });
});
