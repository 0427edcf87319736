// A host whose public address changes (a tunnel came up under a new name) tells its connected devices over
// the encrypted channel (feature `relay`), and they connect there from then on (issue 11). Only an address
// set on purpose is announced: the starting loopback origin is not (devices may reach it through a forward).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BridgeClient } from '../../../../src/core/bridge/bridgeClient';
import { systemClock } from '../../../../src/core/base/clock';
import { generateKeyPair } from '../../../../src/core/noise/dh';
import { parsePairingUrl } from '../../../../src/core/pairing/pairingPayload';
import type { HostMessage } from '../../../../src/core/wire/protocol';
import { FileStateStore } from '../../../../src/node/host/fileStateStore';
import { WalkieHost } from '../../../../src/node/host/walkieHost';
import { wsDeviceSocketFactory } from '../../../../src/node/host/wsDeviceSocket';

async function eventually<T>(fn: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A TCP forward to the relay on a port of its own; `sockets` to cut it. */
async function route(relayPort: number): Promise<{ server: net.Server; sockets: Set<net.Socket> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((c) => {
    const up = net.connect(relayPort, '127.0.0.1');
    sockets.add(c).add(up);
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
    c.on('close', () => up.destroy());
    up.on('close', () => c.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, sockets };
}

describe('WalkieHost tells devices where it moved (feature relay)', function () {
  this.timeout(30_000);
  let dir: string;
  let host: WalkieHost;
  let client: BridgeClient;
  let oldRoute: { server: net.Server; sockets: Set<net.Socket> };
  let newRoute: { server: net.Server; sockets: Set<net.Socket> };
  const got: HostMessage[] = [];
  const moved: string[] = [];
  const dialed: string[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-relay-move-'));
    host = await WalkieHost.start({ store: new FileStateStore(dir), relay: { kind: 'embedded', bind: '127.0.0.1' }, hostName: 'moving host' });
    // Two routes to the same relay (TCP forwards on other ports), as a tunnel before and after a restart.
    const relayPort = Number(new URL(host.origin).port);
    oldRoute = await route(relayPort);
    newRoute = await route(relayPort);
    const offer = parsePairingUrl(host.newPairingUrl().url);
    client = new BridgeClient({
      relayUrl: `ws://127.0.0.1:${(oldRoute.server.address() as AddressInfo).port}`,
      hostId: offer.hostId,
      hostPublicKey: offer.hostPublicKey,
      identity: generateKeyPair(),
      pairing: { psk: offer.psk, deviceName: 'roaming phone' },
      connect: (url) => {
        dialed.push(url);
        return wsDeviceSocketFactory(url);
      },
      clock: systemClock,
      backoff: { baseMs: 20, capMs: 50 },
    });
    client.onMessage((m) => got.push(m));
    client.onRelayMoved((url) => moved.push(url));
    client.start();
  });

  after(async () => {
    client?.dispose();
    await host?.close();
    for (const r of [oldRoute, newRoute]) {
      for (const c of r?.sockets ?? []) c.destroy();
      r?.server.close();
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('announces nothing before an address is set on purpose', async () => {
    await eventually(() => (client.state.state === 'online' && got.some((m) => m.type === 'hello' && m.features) ? true : undefined));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(got.some((m) => m.type === 'relay'), false);
    assert.deepEqual(moved, []);
  });

  it('tells the connected device the new address, and the device reconnects there', async () => {
    const port = (newRoute.server.address() as AddressInfo).port;
    host.setPublicOrigin(`http://localhost:${port}`);
    const url = await eventually(() => moved[0]);
    assert.equal(url, `ws://localhost:${port}`);
    // The old route goes away: the device comes back through the new one, still paired.
    const before = dialed.length;
    oldRoute.server.close();
    for (const c of oldRoute.sockets) c.destroy();
    await eventually(() => (dialed.length > before && client.state.state === 'online' ? true : undefined));
    assert.match(dialed.at(-1)!, new RegExp(`^ws://localhost:${port}/v1/device/`));
  });
});
