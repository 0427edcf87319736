// The relay must learn nothing: with the endpoints running a real Noise IK handshake and SecureChannel
// (src/core), every byte the relay sends or receives is captured by a TCP tap in front of it, and none of
// the plaintext markers may appear in it. A positive control proves the tap would have seen them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { utf8Decode, utf8Encode } from '../../../src/core/base/bytes';
import { generateKeyPair } from '../../../src/core/noise/dh';
import { HandshakeState } from '../../../src/core/noise/handshakeState';
import { SecureChannel } from '../../../src/core/bridge/secureChannel';
import type { RelayServer } from '../../../src/relay/relayServer';
import { connectDevice, connFrame, connectHost, startRelay } from './relayTestKit';

/** A TCP pass-through that records both directions. */
async function tap(targetPort: number) {
  const toRelay: Buffer[] = [];
  const fromRelay: Buffer[] = [];
  const pairs: net.Socket[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    pairs.push(client, upstream);
    client.on('data', (d: Buffer) => (toRelay.push(Buffer.from(d)), upstream.write(d)));
    upstream.on('data', (d: Buffer) => (fromRelay.push(Buffer.from(d)), client.write(d)));
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    captured: () => Buffer.concat([...toRelay, ...fromRelay]),
    forwarded: () => Buffer.concat(fromRelay),
    close: () => new Promise<void>((resolve) => (pairs.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}

describe('RelayServer blindness', function () {
  this.timeout(20000);
  let relay: RelayServer;
  let wire: Awaited<ReturnType<typeof tap>>;
  const logs: string[] = [];

  beforeEach(async () => {
    const log = (m: string): void => void logs.push(m);
    const started = await startRelay({ logger: { trace: log, debug: log, info: log, warn: log, error: log } });
    relay = started.relay;
    wire = await tap(started.port);
  });
  afterEach(async () => {
    await wire.close();
    await relay.close();
  });

  it('forwards only ciphertext when the endpoints run Noise IK: no plaintext marker crosses the relay', async () => {
    const host = await connectHost(wire.base);
    const device = await connectDevice(wire.base, host);
    const hostStatic = generateKeyPair();
    const deviceStatic = generateKeyPair();
    const prologue = utf8Encode('walkie-relay-blindness-test');
    const initiator = new HandshakeState({ pattern: 'IK', initiator: true, prologue, s: deviceStatic, rs: hostStatic.publicKey });
    const responder = new HandshakeState({ pattern: 'IK', initiator: false, prologue, s: hostStatic });
    const markers: string[] = [];
    const marker = (what: string): string => {
      const m = `PLAINTEXT-MARKER-${what}-${randomBytes(6).toString('hex')}`;
      markers.push(m);
      return m;
    };

    // Handshake, with payloads, through the relay.
    device.inbox.ws.send(initiator.writeMessage(utf8Encode(marker('hello-from-device'))));
    const m1 = await host.inbox.nextBinary();
    assert.equal(m1.readUInt32BE(0), device.conn);
    assert.equal(utf8Decode(responder.readMessage(m1.subarray(4))), markers[0]);
    host.inbox.ws.send(connFrame(device.conn, responder.writeMessage(utf8Encode(marker('hello-from-host')))));
    assert.equal(utf8Decode(initiator.readMessage(await device.inbox.nextBinary())), markers[1]);
    const deviceChannel = SecureChannel.fromHandshake(initiator);
    const hostChannel = SecureChannel.fromHandshake(responder);

    // Transport messages both ways: prompts, approvals, a large diff.
    const ciphertexts: Uint8Array[] = [];
    for (let i = 0; i < 20; i++) {
      const up = marker(`prompt-${i}`);
      const upFrame = deviceChannel.encrypt(utf8Encode(up));
      ciphertexts.push(upFrame);
      device.inbox.ws.send(upFrame);
      assert.equal(utf8Decode(hostChannel.decrypt((await host.inbox.nextBinary()).subarray(4))), up);
      const down = marker(`approval-${i}`) + ' '.repeat(i * 1000) + marker(`diff-${i}`);
      const downFrame = hostChannel.encrypt(utf8Encode(down));
      ciphertexts.push(downFrame);
      host.inbox.ws.send(connFrame(device.conn, downFrame));
      assert.equal(utf8Decode(deviceChannel.decrypt(await device.inbox.nextBinary())), down);
    }

    const captured = wire.captured();
    const forwarded = wire.forwarded();
    // The tap saw the traffic: every ciphertext the relay forwarded is in its output verbatim.
    for (const c of ciphertexts) assert.ok(forwarded.includes(Buffer.from(c)), 'the tap missed a forwarded frame');
    for (const m of markers) {
      assert.equal(captured.indexOf(m), -1, `${m} crossed the relay in clear`);
      assert.ok(!logs.some((l) => l.includes(m)), `${m} was logged`);
    }
    // The keys never cross either.
    for (const secret of [hostStatic.secretKey, deviceStatic.secretKey]) assert.equal(captured.indexOf(Buffer.from(secret)), -1);
    host.inbox.ws.close();
    device.inbox.ws.close();
  });

  it('would notice plaintext: an unencrypted marker sent through the same tap is found (positive control)', async () => {
    const host = await connectHost(wire.base);
    const device = await connectDevice(wire.base, host);
    const m = `PLAINTEXT-MARKER-control-${randomBytes(6).toString('hex')}`;
    device.inbox.ws.send(Buffer.from(m));
    await host.inbox.nextBinary();
    assert.notEqual(wire.forwarded().indexOf(m), -1);
    host.inbox.ws.close();
    device.inbox.ws.close();
  });
});
