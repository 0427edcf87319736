// The phone's real path, end to end in Chromium on a plain-http LAN origin (no WebCrypto): scan a pairing
// link, run the Noise handshake through a WebSocket to a relay stand-in (this file: one `ws` server that
// also serves dist/webview and hands each device connection to the core BridgeHost), compare the short
// authentication strings, then chat and decide over the encrypted channel.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { WebSocketServer, type WebSocket } from 'ws';
import { BridgeHost, type ConnectedDevice } from '../../src/core/bridge/bridgeHost';
import { bytesToBase64url } from '../../src/core/base/bytes';
import { systemClock } from '../../src/core/base/clock';
import { DeviceRegistry } from '../../src/core/pairing/deviceRegistry';
import { Emitter } from '../../src/core/base/event';
import type { HostLink } from '../../src/core/bridge/links';
import { generateKeyPair } from '../../src/core/noise/dh';
import { PairingOffers } from '../../src/core/pairing/pairingOffers';
import { encodePairingUrl } from '../../src/core/pairing/pairingPayload';
import type { DeviceMessage } from '../../src/core/wire/protocol';
import { launchBrowser } from './browser';
import { approval, chat, DIST, eventually, hello, PHONE, screenshot } from './webuiHarness';

const LAN_HOST = 'walkie-bridge.lan';

/** A relay stand-in: every WebSocket on /v1/device/<hostId> becomes one HostLink connection. */
class TestRelay implements HostLink {
  private readonly opens = new Emitter<number>();
  private readonly frames = new Emitter<{ conn: number; frame: Uint8Array }>();
  private readonly closes = new Emitter<number>();
  private readonly states = new Emitter<'online' | 'offline'>();
  readonly onOpen = this.opens.event;
  readonly onFrame = this.frames.event;
  readonly onClose = this.closes.event;
  readonly onState = this.states.event;
  private readonly sockets = new Map<number, WebSocket>();
  private next = 1;
  private readonly server: http.Server;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 17 });

  constructor(hostId: string) {
    this.server = http.createServer((req, res) => {
      const name = path.basename(new URL(req.url ?? '/', 'http://x').pathname) || 'index.html';
      const file = path.join(DIST, name);
      if (!fs.existsSync(file)) return void res.writeHead(404).end();
      const type = name.endsWith('.js') ? 'text/javascript' : name.endsWith('.css') ? 'text/css' : 'text/html';
      res.writeHead(200, { 'content-type': type }).end(fs.readFileSync(file));
    });
    this.server.on('upgrade', (req, socket, head) => {
      if (req.url !== `/v1/device/${hostId}`) return void socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const conn = this.next++;
        this.sockets.set(conn, ws);
        ws.on('message', (data, isBinary) => {
          if (isBinary) this.frames.fire({ conn, frame: new Uint8Array(data as Buffer) });
        });
        ws.on('close', () => {
          this.sockets.delete(conn);
          this.closes.fire(conn);
        });
        this.opens.fire(conn);
      });
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as AddressInfo).port;
  }

  send(conn: number, frame: Uint8Array): void {
    this.sockets.get(conn)?.send(frame);
  }

  close(conn: number, code: number, reason: string): void {
    this.sockets.get(conn)?.close(code, reason);
  }

  dispose(): void {
    for (const ws of this.sockets.values()) ws.terminate();
    this.wss.close();
    this.server.close();
    this.server.closeAllConnections();
  }
}

describe('web UI over the encrypted bridge (Chromium on a plain-http LAN origin)', () => {
  let browser: Browser;
  let relay: TestRelay;
  let host: BridgeHost;
  let offers: PairingOffers;
  let origin: string;
  let page: Page | undefined;
  const received: DeviceMessage[] = [];
  const sas: string[] = [];
  let device: ConnectedDevice | undefined;

  before(async () => {
    browser = await launchBrowser([`--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`]);
    const hostId = bytesToBase64url(randomBytes(32));
    relay = new TestRelay(hostId);
    const port = await relay.listen();
    origin = `http://${LAN_HOST}:${port}`;
    const staticKey = generateKeyPair();
    let saved: string | undefined;
    const registry = await DeviceRegistry.open({ load: async () => saved, save: async (json) => void (saved = json) }, systemClock);
    offers = new PairingOffers({ clock: systemClock, hostId, hostPublicKey: staticKey.publicKey, relayUrl: `ws://${LAN_HOST}:${port}` });
    host = new BridgeHost({ link: relay, staticKey, hostId, hostName: 'dev-laptop', offers, registry, clock: systemClock });
    host.onPaired((p) => sas.push(p.sas));
    host.onDeviceConnected((d) => {
      device = d;
      host.send(d.id, hello());
    });
    host.onMessage(({ message }) => received.push(message));
  });
  after(async () => {
    await page?.context().close();
    host?.dispose();
    relay?.dispose();
    await browser?.close();
  });

  it('pairs, shows the same four words as the host, and remembers the host', async () => {
    const context = await browser.newContext(PHONE);
    page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(encodePairingUrl(origin, offers.create()));
    assert.equal(await page.evaluate(() => typeof crypto.subtle), 'undefined');
    await page.getByLabel('Name this device').fill('Test phone');
    await page.getByTestId('pair').tap();
    const words = page.getByTestId('sas');
    await words.waitFor();
    assert.equal(sas.length, 1);
    assert.equal(await words.innerText(), sas[0]);
    assert.match(sas[0]!, /^[a-z]+( [a-z]+){3}$/);
    await screenshot(page, 'sas');
    await page.getByRole('button', { name: 'They match' }).tap();
    await page.getByTestId('session-select').waitFor();
    assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('walkie.host.')).length), 1);
    assert.deepEqual(errors, []);
  });

  it('shows the chat the host sends and sends prompts and decisions back through the channel', async () => {
    const p = page!;
    await eventually(async () => received.some((m) => m.type === 'sync'));
    host.send(device!.id, chat(1, { kind: 'assistant', text: 'Hello from the **host**' }));
    await p.locator('.markdown strong').filter({ hasText: 'host' }).waitFor();
    await p.getByLabel('Message the agent').fill('run the tests');
    await p.getByTestId('send').tap();
    const prompt = await eventually(async () => received.find((m) => m.type === 'prompt'));
    assert.equal(prompt.type === 'prompt' && prompt.text, 'run the tests');
    const m = approval({ id: 'e2e-1' });
    host.send(device!.id, m);
    await eventually(() => p.getByTestId('approve').isEnabled());
    await p.getByTestId('approve').tap();
    const decide = await eventually(async () => received.find((x) => x.type === 'decide'));
    assert.deepEqual(decide, { type: 'decide', id: 'e2e-1', inputHash: (m as { request: { inputHash: string } }).request.inputHash, decision: 'allow' });
  });

  it('on a secure origin, notifies about an approval with the tool and session only, never the command', async () => {
    const context = await browser.newContext(PHONE);
    await context.addInitScript(() => {
      const seen: unknown[] = [];
      (window as unknown as { __alerts: unknown[] }).__alerts = seen;
      class FakeNotification {
        static permission = 'granted';
        static requestPermission = async () => 'granted';
        onclick: (() => void) | null = null;
        constructor(title: string, options?: { body?: string }) {
          seen.push({ title, body: options?.body });
        }
        close() {}
      }
      Object.defineProperty(window, 'Notification', { value: FakeNotification });
      navigator.vibrate = (pattern) => (seen.push({ vibrate: pattern }), true);
      document.hasFocus = () => false;
    });
    const secure = await context.newPage();
    try {
      // 127.0.0.1 is a secure context (unlike the LAN name above): the Notification API is allowed there.
      // The offer still names the relay by its LAN name.
      await secure.goto(encodePairingUrl(origin.replace(LAN_HOST, '127.0.0.1'), offers.create()));
      await secure.getByTestId('pair').tap();
      await secure.getByRole('button', { name: 'They match' }).tap();
      await secure.getByTestId('session-select').waitFor();
      host.send(device!.id, approval({ id: 'note-1', detail: { kind: 'command', command: 'curl https://secret.example/token' } }));
      await secure.getByTestId('approval').waitFor();
      assert.equal(await secure.title(), '(1) Walkie');
      const alerts = await eventually(() => secure.evaluate(() => (window as unknown as { __alerts: { title?: string; body?: string }[] }).__alerts).then((a) => (a.some((x) => x.title) ? a : undefined)));
      assert.deepEqual(alerts.find((x) => x.title), { title: 'Approval needed: Bash', body: 'Fix the flaky test' });
      assert.ok(alerts.some((x) => 'vibrate' in x));
      assert.doesNotMatch(JSON.stringify(alerts), /secret|curl/);
    } finally {
      await context.close();
    }
  });

  it('reconnects with the stored key after a reload', async () => {
    const p = page!;
    const pairings = sas.length;
    device = undefined;
    await p.reload();
    await eventually(async () => device !== undefined, 10_000);
    await p.getByTestId('session-select').waitFor();
    assert.equal(sas.length, pairings, 'a reconnect is not a new pairing');
    assert.match(await p.getByTestId('conn').getAttribute('title') ?? '', /Connected/);
  });
});
