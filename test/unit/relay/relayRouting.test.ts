import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { WebSocket } from 'ws';
import { CloseCode } from '../../../src/core/wire/closeCodes';
import { hostIdFromSecret } from '../../../src/core/wire/relayAuth';
import type { RelayServer } from '../../../src/relay/relayServer';
import { connectDevice, connFrame, connectHost, eventually, Inbox, newSecret, startRelay } from './relayTestKit';

describe('RelayServer routing', function () {
  this.timeout(10000);
  let relay: RelayServer;
  let base: string;
  let port: number;
  const sockets: WebSocket[] = [];
  const track = <T extends { inbox: Inbox }>(x: T): T => (sockets.push(x.inbox.ws), x);

  beforeEach(async () => {
    ({ relay, base, port } = await startRelay());
  });
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await relay.close();
  });

  it('routes frames between one host and several devices in both directions', async () => {
    const host = track(await connectHost(base));
    const devices = [];
    for (let i = 0; i < 3; i++) devices.push(track(await connectDevice(base, host)));
    assert.deepEqual(new Set(devices.map((d) => d.conn)).size, 3);
    assert.deepEqual(relay.stats(), { hosts: 1, devices: 3 });
    for (const [i, d] of devices.entries()) {
      const payload = randomBytes(100 + i);
      d.inbox.ws.send(payload);
      const got = await host.inbox.nextBinary();
      assert.equal(got.readUInt32BE(0), d.conn);
      assert.deepEqual(got.subarray(4), payload);
    }
    for (const d of [...devices].reverse()) {
      const payload = randomBytes(64);
      host.inbox.ws.send(connFrame(d.conn, payload));
      assert.deepEqual(await d.inbox.nextBinary(), payload);
    }
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(devices.map((d) => d.inbox.pending), [0, 0, 0], 'a frame reached the wrong device');
  });

  it('forwards empty and maximum-size frames unchanged', async () => {
    const host = track(await connectHost(base));
    const device = track(await connectDevice(base, host));
    for (const size of [0, 70_000]) {
      const payload = randomBytes(size);
      device.inbox.ws.send(payload);
      assert.deepEqual((await host.inbox.nextBinary()).subarray(4), payload);
      host.inbox.ws.send(connFrame(device.conn, payload));
      assert.deepEqual(await device.inbox.nextBinary(), payload);
    }
  });

  it('tells the host when a device closes, and never reuses its conn id', async () => {
    const host = track(await connectHost(base));
    const first = track(await connectDevice(base, host));
    first.inbox.ws.close(1000);
    assert.deepEqual(await host.inbox.nextJson(), { type: 'close', conn: first.conn });
    const second = track(await connectDevice(base, host));
    assert.notEqual(second.conn, first.conn);
    // A late frame for the old conn goes nowhere.
    host.inbox.ws.send(connFrame(first.conn, Buffer.from('late')));
    host.inbox.ws.send(connFrame(second.conn, Buffer.from('now')));
    assert.equal((await second.inbox.nextBinary()).toString(), 'now');
  });

  it('closes a device whose host is offline with hostOffline', async () => {
    const inbox = new Inbox(new WebSocket(`${base}/v1/device/${hostIdFromSecret(newSecret())}`));
    assert.equal((await inbox.closed).code, CloseCode.hostOffline);
  });

  it('closes every device with hostOffline when the host connection drops', async () => {
    const host = track(await connectHost(base));
    const a = track(await connectDevice(base, host));
    const b = track(await connectDevice(base, host));
    host.inbox.ws.terminate();
    assert.equal((await a.inbox.closed).code, CloseCode.hostOffline);
    assert.equal((await b.inbox.closed).code, CloseCode.hostOffline);
    await eventually(() => relay.stats().hosts === 0 && relay.stats().devices === 0);
  });

  it('closes only the device the host names, with the host’s code and reason', async () => {
    const host = track(await connectHost(base));
    const a = track(await connectDevice(base, host));
    const b = track(await connectDevice(base, host));
    host.inbox.ws.send(JSON.stringify({ type: 'close', conn: a.conn, code: CloseCode.revoked, reason: 'revoked' }));
    assert.deepEqual(await a.inbox.closed, { code: CloseCode.revoked, reason: 'revoked' });
    b.inbox.ws.send(Buffer.from('still here'));
    const got = await host.inbox.nextBinary();
    assert.equal(got.readUInt32BE(0), b.conn, 'the host got a close notice for a conn it closed itself');
    assert.equal(got.subarray(4).toString(), 'still here');
  });

  it('closes a host that asks for a close code it may not use with protocolError', async () => {
    const host = track(await connectHost(base));
    const device = track(await connectDevice(base, host));
    host.inbox.ws.send(JSON.stringify({ type: 'close', conn: device.conn, code: 1011, reason: '' }));
    assert.equal((await host.inbox.closed).code, CloseCode.protocolError);
    assert.equal((await device.inbox.closed).code, CloseCode.hostOffline);
  });

  it('refuses devices beyond the per-host limit with tooManyDevices', async () => {
    await relay.close();
    ({ relay, base } = await startRelay({ limits: { maxDevicesPerHost: 2 } }));
    const host = track(await connectHost(base));
    track(await connectDevice(base, host));
    track(await connectDevice(base, host));
    const third = new Inbox(new WebSocket(`${base}/v1/device/${host.hostId}`));
    sockets.push(third.ws);
    assert.equal((await third.closed).code, CloseCode.tooManyDevices);
    assert.equal(relay.stats().devices, 2);
  });

  it('closes a device that sends a frame over maxPayload with 1009', async () => {
    const host = track(await connectHost(base));
    const device = track(await connectDevice(base, host));
    device.inbox.ws.send(randomBytes(70_001));
    assert.equal((await device.inbox.closed).code, CloseCode.tooLarge);
    assert.deepEqual(await host.inbox.nextJson(), { type: 'close', conn: device.conn });
  });

  it('closes a device that sends text with unsupportedData', async () => {
    const host = track(await connectHost(base));
    const device = track(await connectDevice(base, host));
    device.inbox.ws.send('{"type":"hello"}');
    assert.equal((await device.inbox.closed).code, CloseCode.unsupportedData);
    assert.deepEqual(await host.inbox.nextJson(), { type: 'close', conn: device.conn }, 'text leaked to the host');
  });

  it('closes a device that floods with rateLimited, and forwards no more than its burst', async () => {
    await relay.close();
    ({ relay, base } = await startRelay({ limits: { deviceRate: { msgsPerSec: 1, msgsBurst: 20, bytesPerSec: 1e6, bytesBurst: 1e6 } } }));
    const host = track(await connectHost(base));
    const device = track(await connectDevice(base, host));
    for (let i = 0; i < 100; i++) device.inbox.ws.send(Buffer.from([i]));
    assert.equal((await device.inbox.closed).code, CloseCode.rateLimited);
    let forwarded = 0;
    for (;;) {
      const m = await host.inbox.next();
      if ('text' in m) break; // the close notice
      forwarded++;
    }
    // The burst, plus at most a few refilled while the flood was being read (1 msg/s).
    assert.ok(forwarded >= 20 && forwarded <= 25, `forwarded ${forwarded}`);
  });

  it('closes a device that sends too many bytes with rateLimited', async () => {
    await relay.close();
    ({ relay, base } = await startRelay({ limits: { deviceRate: { msgsPerSec: 1000, msgsBurst: 1000, bytesPerSec: 10_000, bytesBurst: 100_000 } } }));
    const host = track(await connectHost(base));
    const device = track(await connectDevice(base, host));
    for (let i = 0; i < 5; i++) device.inbox.ws.send(randomBytes(60_000));
    assert.equal((await device.inbox.closed).code, CloseCode.rateLimited);
  });

  it('closes a host that sends a frame too short to hold a conn id with protocolError', async () => {
    const host = track(await connectHost(base));
    const device = track(await connectDevice(base, host));
    host.inbox.ws.send(Buffer.from([0, 0, 1]));
    assert.equal((await host.inbox.closed).code, CloseCode.protocolError);
    assert.equal((await device.inbox.closed).code, CloseCode.hostOffline);
  });

  it('closes a host that sends a frame over maxPayload plus the header with 1009', async () => {
    const host = track(await connectHost(base));
    const device = track(await connectDevice(base, host));
    host.inbox.ws.send(connFrame(device.conn, randomBytes(70_000)));
    assert.equal((await device.inbox.nextBinary()).length, 70_000);
    host.inbox.ws.send(connFrame(device.conn, randomBytes(70_001)));
    assert.equal((await host.inbox.closed).code, CloseCode.tooLarge);
  });

  it('refuses host upgrades with 503 while too many hosts are still authenticating', async () => {
    await relay.close();
    ({ relay, base } = await startRelay({ limits: { maxPendingHosts: 1 } }));
    const pending = new Inbox(new WebSocket(`${base}/v1/host`));
    sockets.push(pending.ws);
    await pending.next(); // its challenge
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${base}/v1/host`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => {});
    });
    assert.equal(status, 503);
    pending.ws.terminate();
    await eventually(() => relay.stats().hosts === 0);
    track(await connectHost(base)); // the slot is free again
  });

  it('answers upgrades on unknown paths and malformed host ids with 404 before any WebSocket exists', async () => {
    for (const path of ['/v1/nope', '/v1/device/short', `/v1/device/${'a'.repeat(43)}/x`, '/', '/v2/host']) {
      const status = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${base}${path}`);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => reject(new Error(`${path} upgraded`)));
        ws.on('error', () => {});
      });
      assert.equal(status, 404, path);
    }
  });

  it('terminates a peer that stops answering pings', async () => {
    await relay.close();
    ({ relay, base } = await startRelay({ limits: { heartbeatMs: 150 } }));
    const host = track(await connectHost(base));
    const lively = track(await connectDevice(base, host));
    const silent = track(await connectDevice(base, host, { autoPong: false }));
    const closed = await silent.inbox.closed;
    assert.equal(closed.code, 1006, 'a silent peer is cut off, not closed politely');
    assert.deepEqual(await host.inbox.nextJson(), { type: 'close', conn: silent.conn });
    await new Promise((r) => setTimeout(r, 450));
    assert.equal(lively.inbox.ws.readyState, WebSocket.OPEN, 'a peer that answers pings was cut off');
  });

  it('survives a raw TCP client that sends garbage instead of HTTP', async () => {
    await new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.end(randomBytes(2048)));
      s.on('error', () => {});
      s.on('close', () => resolve());
    });
    const host = track(await connectHost(base));
    track(await connectDevice(base, host));
  });
});
