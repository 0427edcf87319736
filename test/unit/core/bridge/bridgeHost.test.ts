import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BridgeClient, type ClientStateChange } from '../../../../src/core/bridge/bridgeClient';
import { BridgeHost, type ConnectedDevice } from '../../../../src/core/bridge/bridgeHost';
import { bytesToBase64url, concatBytes } from '../../../../src/core/base/bytes';
import { prologueFor } from '../../../../src/core/bridge/channelHandshake';
import { ManualClock } from '../../../../src/core/base/clock';
import { CloseCode } from '../../../../src/core/wire/closeCodes';
import { DeviceRegistry, type RegistryStore } from '../../../../src/core/pairing/deviceRegistry';
import { generateKeyPair, type KeyPair } from '../../../../src/core/noise/dh';
import { HandshakeState } from '../../../../src/core/noise/handshakeState';
import { LOCKOUT_MS, MAX_FAILURES, PairingOffers } from '../../../../src/core/pairing/pairingOffers';
import type { PairingOffer } from '../../../../src/core/pairing/pairingPayload';
import type { DeviceMessage } from '../../../../src/core/wire/protocol';
import { FakeHostApp, FakeRelay, settle } from './fakeBridgeLinks';

const memoryStore = (): RegistryStore & { text?: string } => {
  const s: RegistryStore & { text?: string } = { load: async () => s.text, save: async (t) => void (s.text = t) };
  return s;
};

async function setup() {
  const clock = new ManualClock();
  const relay = new FakeRelay();
  const hostKey = generateKeyPair();
  const hostId = bytesToBase64url(new Uint8Array(randomBytes(32)));
  const offers = new PairingOffers({ clock, hostId, hostPublicKey: hostKey.publicKey, relayUrl: 'ws://relay.test' });
  const registry = await DeviceRegistry.open(memoryStore(), clock);
  const host = new BridgeHost({ link: relay.hostLink, staticKey: hostKey, hostId, hostName: 'dev box', offers, registry, clock });
  const seen = { paired: [] as { device: ConnectedDevice; sas: string }[], connected: [] as string[], disconnected: [] as string[], messages: [] as { device: ConnectedDevice; message: DeviceMessage }[], hellos: [] as string[] };
  host.onPaired((p) => seen.paired.push(p));
  host.onDeviceConnected((d) => seen.connected.push(d.id));
  host.onDeviceDisconnected((d) => seen.disconnected.push(d.id));
  // Every BridgeClient announces its features first (`hello`); the tests below are about the messages after it.
  // It is answered as HostService answers it (here: a host that speaks no features).
  host.onMessage((m) => {
    if (m.message.type !== 'hello') return void seen.messages.push(m);
    seen.hellos.push(m.device.id);
    host.send(m.device.id, { type: 'hello', v: 1, hostName: 'dev box', sessions: [], features: [] });
  });

  /** A BridgeClient: pairing with `offer`, or reconnecting with `identity` alone. */
  const device = async (o: { offer?: PairingOffer; identity?: KeyPair; name?: string; hostIdOverride?: string } = {}) => {
    const identity = o.identity ?? generateKeyPair();
    const client = new BridgeClient({
      relayUrl: 'ws://relay.test',
      hostId: o.hostIdOverride ?? hostId,
      hostPublicKey: hostKey.publicKey,
      identity,
      pairing: o.offer && { psk: o.offer.psk, deviceName: o.name ?? 'phone' },
      connect: relay.connect,
      clock,
    });
    const states: ClientStateChange[] = [];
    const paired: { sas: string; hostName: string }[] = [];
    client.onState((s) => states.push(s));
    client.onPaired((p) => paired.push(p));
    client.start();
    await settle();
    return { client, identity, states, paired, last: () => states[states.length - 1]! };
  };

  /** Pairs a fresh device and returns it online. */
  const pairDevice = async (name = 'phone') => {
    const d = await device({ offer: offers.create(), name });
    assert.equal(d.last().state, 'online');
    return d;
  };

  return { clock, relay, hostKey, hostId, offers, registry, host, seen, device, pairDevice };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** A hand-driven device that runs message 1 itself, for attacks BridgeClient would never make. */
async function rawPairing(s: Setup, psk: Uint8Array) {
  const socket = s.relay.connect(`ws://relay.test/v1/device/${s.hostId}`);
  await settle();
  const hs = new HandshakeState({ pattern: 'IKpsk2', initiator: true, prologue: prologueFor(s.hostId), s: generateKeyPair(), rs: s.hostKey.publicKey, psk });
  const frames: Uint8Array[] = [];
  socket.onFrame((f) => frames.push(f));
  socket.send(concatBytes(Uint8Array.of(1), hs.writeMessage(new TextEncoder().encode('{"v":1,"name":"mallory"}'))));
  return { socket, frames };
}

describe('BridgeHost', () => {
  it('pairs a device with the offer from the QR code, both sides showing the same words', async () => {
    const s = await setup();
    const d = await s.pairDevice('Pixel');
    assert.equal(s.seen.paired.length, 1);
    assert.equal(d.paired.length, 1);
    assert.equal(d.paired[0]!.sas, s.seen.paired[0]!.sas);
    assert.equal(d.paired[0]!.hostName, 'dev box');
    assert.match(d.paired[0]!.sas, /^[a-z]+ [a-z]+ [a-z]+ [a-z]+$/);
    assert.equal(s.seen.paired[0]!.device.name, 'Pixel');
    assert.deepEqual(s.registry.list().map((x) => x.publicKey), [bytesToBase64url(d.identity.publicKey)]);
    assert.deepEqual(s.host.connectedDevices(), [s.seen.paired[0]!.device]);
    assert.equal(s.offers.currentExpiresAt, undefined, 'the offer is used up');
    assert.equal(s.relay.urls[0], `ws://relay.test/v1/device/${s.hostId}`);
  });

  it('reconnects a paired device with IK and without the psk', async () => {
    const s = await setup();
    const first = await s.pairDevice();
    first.client.close();
    const tags: number[] = [];
    s.relay.interceptor = (f, dir) => (dir === 'toHost' && tags.push(f[0]!), f);
    const again = await s.device({ identity: first.identity });
    assert.equal(again.last().state, 'online');
    assert.equal(tags[0], 2, 'the reconnect tag');
    assert.equal(again.paired.length, 0);
    assert.equal(s.seen.paired.length, 1);
    assert.equal(s.seen.connected.length, 2);
  });

  it('refuses a wrong psk, registers nothing and counts the failure', async () => {
    const s = await setup();
    const offer = s.offers.create();
    const d = await s.device({ offer: { ...offer, psk: new Uint8Array(randomBytes(32)) } });
    assert.equal(d.last().state, 'offline');
    assert.equal(d.last().code, CloseCode.handshakeFailed);
    assert.equal(s.registry.list().length, 0);
    assert.equal(s.seen.paired.length, 0);
    // The real offer still works: a failed attempt does not burn it.
    assert.equal((await s.device({ offer })).last().state, 'online');
  });

  it('refuses an expired offer', async () => {
    const s = await setup();
    const offer = s.offers.create(60_000);
    s.clock.advance(60_000);
    const d = await s.device({ offer });
    assert.deepEqual([d.last().state, d.last().code], ['offline', CloseCode.handshakeFailed]);
    assert.equal(s.registry.list().length, 0);
  });

  it('refuses an offer that was already used', async () => {
    const s = await setup();
    const offer = s.offers.create();
    assert.equal((await s.device({ offer })).last().state, 'online');
    const second = await s.device({ offer });
    assert.deepEqual([second.last().state, second.last().code], ['offline', CloseCode.handshakeFailed]);
    assert.equal(s.registry.list().length, 1);
  });

  it('refuses the previous offer once a new one is made', async () => {
    const s = await setup();
    const old = s.offers.create();
    const fresh = s.offers.create();
    assert.equal((await s.device({ offer: old })).last().code, CloseCode.handshakeFailed);
    assert.equal((await s.device({ offer: fresh })).last().state, 'online');
  });

  it('does not register a peer that sends message 1 but cannot confirm the keys (no psk)', async () => {
    const s = await setup();
    s.offers.create();
    const raw = await rawPairing(s, new Uint8Array(randomBytes(32)));
    assert.equal(raw.frames.length, 1, 'message 2 came back');
    raw.socket.send(new Uint8Array(randomBytes(40)));
    assert.equal(raw.socket.closeCode, CloseCode.handshakeFailed);
    assert.equal(s.registry.list().length, 0);
    assert.equal(s.seen.connected.length, 0);
  });

  it('refuses an unknown device key on reconnect, and the device stops retrying', async () => {
    const s = await setup();
    const d = await s.device();
    assert.deepEqual([d.last().state, d.last().code], ['offline', CloseCode.unknownDevice]);
    const sockets = s.relay.urls.length;
    s.clock.advance(10 * 60_000);
    assert.equal(s.relay.urls.length, sockets);
  });

  it('closes a revoked device with CloseCode.revoked and refuses its next handshake', async () => {
    const s = await setup();
    const d = await s.pairDevice();
    const other = await s.pairDevice('tablet');
    const id = s.seen.paired[0]!.device.id;
    assert.equal(s.host.revoke(id), true);
    assert.deepEqual([d.last().state, d.last().code], ['offline', CloseCode.revoked]);
    assert.deepEqual(s.seen.disconnected, [id]);
    assert.equal(other.last().state, 'online');
    const again = await s.device({ identity: d.identity });
    assert.deepEqual([again.last().state, again.last().code], ['offline', CloseCode.unknownDevice]);
    const before = s.relay.urls.length;
    s.clock.advance(10 * 60_000);
    assert.equal(s.relay.urls.length, before, 'a revoked device does not hammer the relay');
  });

  for (const [name, attack] of [
    ['tampered', (f: Uint8Array) => (f[f.length - 1]! ^= 1, f)],
    ['truncated', (f: Uint8Array) => f.subarray(0, f.length - 1)],
    ['garbage', () => new Uint8Array(randomBytes(64))],
  ] as const) {
    it(`closes only the connection that sent a ${name} frame (badFrame); another device carries on`, async () => {
      const s = await setup();
      const victim = await s.pairDevice('victim');
      const bystander = await s.pairDevice('bystander');
      const victimConn = s.relay.openSockets()[0]!.conn;
      s.relay.interceptor = (f, dir, conn) => (dir === 'toHost' && conn === victimConn ? attack(f.slice()) : f);
      victim.client.send({ type: 'interrupt', session: 's1' });
      assert.equal(s.relay.openSockets().find((x) => x.conn === victimConn), undefined);
      assert.equal(victim.states.some((x) => x.code === CloseCode.badFrame), true);
      s.relay.interceptor = undefined;
      bystander.client.send({ type: 'interrupt', session: 's2' });
      assert.deepEqual(s.seen.messages.map((m) => [m.device.name, m.message]), [['bystander', { type: 'interrupt', session: 's2' }]]);
      assert.equal(s.host.send('all', { type: 'synced', session: 's2', seq: 0 }), 1);
    });
  }

  it('closes a connection that replays an earlier frame (badFrame)', async () => {
    const s = await setup();
    const d = await s.pairDevice();
    let captured: Uint8Array | undefined;
    s.relay.interceptor = (f, dir) => (dir === 'toHost' && (captured ??= f.slice()), f);
    d.client.send({ type: 'interrupt', session: 's1' });
    assert.equal(s.seen.messages.length, 1);
    s.relay.interceptor = undefined;
    const socket = s.relay.openSockets()[0]!;
    socket.send(captured!);
    assert.equal(socket.closeCode, CloseCode.badFrame);
    assert.equal(s.seen.messages.length, 1);
  });

  it('closes a connection whose decrypted message is not a protocol message (badMessage)', async () => {
    const s = await setup();
    const d = await s.pairDevice();
    d.client.send({ type: 'prompt', session: '', text: 'x', clientId: 'c' });
    assert.equal(d.states.some((x) => x.code === CloseCode.badMessage), true);
    assert.equal(s.seen.messages.length, 0);
  });

  it('refuses a first frame with an unknown tag, junk after the tag, or no tag at all', async () => {
    const s = await setup();
    s.offers.create();
    for (const junk of [Uint8Array.of(9, 1, 2, 3), concatBytes(Uint8Array.of(1), new Uint8Array(randomBytes(96))), Uint8Array.of(2), new Uint8Array(0)]) {
      const socket = s.relay.connect(`ws://relay.test/v1/device/${s.hostId}`);
      await settle();
      socket.send(junk);
      assert.equal(socket.closeCode, CloseCode.handshakeFailed);
    }
  });

  it('lets the real QR pair after any number of junk pairing handshakes (only attempts past message 1 count)', async () => {
    const s = await setup();
    const offer = s.offers.create(10 * 60_000);
    for (let i = 0; i < MAX_FAILURES * 10; i++) {
      const socket = s.relay.connect(`ws://relay.test/v1/device/${s.hostId}`);
      await settle();
      socket.send(concatBytes(Uint8Array.of(1), new Uint8Array(randomBytes(96 + i))));
      assert.equal(socket.closeCode, CloseCode.handshakeFailed);
    }
    assert.equal(s.offers.lockedOut, false);
    assert.equal((await s.device({ offer })).last().state, 'online');
  });

  it('refuses a device that meant another host id (the prologue binds it)', async () => {
    const s = await setup();
    const d = await s.device({ offer: s.offers.create(), hostIdOverride: bytesToBase64url(new Uint8Array(randomBytes(32))) });
    assert.equal(d.last().code, CloseCode.handshakeFailed);
    assert.equal(s.registry.list().length, 0);
  });

  it(`refuses pairing for a while after ${MAX_FAILURES} failed attempts`, async () => {
    const s = await setup();
    const offer = s.offers.create(10 * 60_000);
    for (let i = 0; i < MAX_FAILURES; i++) await s.device({ offer: { ...offer, psk: new Uint8Array(randomBytes(32)) } });
    const d = await s.device({ offer });
    assert.deepEqual([d.last().state, d.last().code], ['offline', CloseCode.rateLimited]);
    s.clock.advance(LOCKOUT_MS);
    assert.equal((await s.device({ offer })).last().state, 'online');
  });

  it('drops a connection that stalls in the handshake (try again later)', async () => {
    const s = await setup();
    const socket = s.relay.connect(`ws://relay.test/v1/device/${s.hostId}`);
    await settle();
    s.clock.advance(15_000);
    assert.equal(socket.closeCode, CloseCode.tryAgainLater);
  });

  it('sends to one device or to all, and lists connected devices', async () => {
    const s = await setup();
    const a = await s.pairDevice('a');
    const b = await s.pairDevice('b');
    const got: string[] = [];
    a.client.onMessage((m) => got.push(`a:${m.type}`));
    b.client.onMessage((m) => got.push(`b:${m.type}`));
    const [da, db] = s.seen.paired.map((p) => p.device);
    assert.deepEqual(s.host.connectedDevices().map((d) => d.name).sort(), ['a', 'b']);
    assert.equal(s.host.send(da!.id, { type: 'error', code: 'HOST_ERR_NO_SESSION', message: 'm' }), 1);
    assert.equal(s.host.send('all', { type: 'synced', session: 's', seq: 0 }), 2);
    assert.equal(s.host.send('nobody', { type: 'synced', session: 's', seq: 0 }), 0);
    assert.deepEqual(got, ['a:error', 'a:synced', 'b:synced']);
    b.client.close();
    assert.deepEqual(s.seen.disconnected, [db!.id]);
    assert.deepEqual(s.host.connectedDevices().map((d) => d.name), ['a']);
  });

  it('replaces an older live connection of the same device', async () => {
    const s = await setup();
    const d = await s.pairDevice();
    const twin = await s.device({ identity: d.identity });
    assert.equal(twin.last().state, 'online');
    assert.equal(s.host.connectedDevices().length, 1);
    assert.equal(d.states.some((x) => x.code === CloseCode.goingAway), true);
  });

  it('updates lastSeen when a device talks', async () => {
    const s = await setup();
    const d = await s.pairDevice();
    s.clock.advance(5000);
    d.client.send({ type: 'interrupt', session: 's1' });
    assert.equal(s.registry.list()[0]!.lastSeen, s.clock.now());
  });

  it('keeps serving when a listener throws', async () => {
    const s = await setup();
    s.host.onMessage(() => {
      throw new Error('listener bug');
    });
    const d = await s.pairDevice();
    d.client.send({ type: 'interrupt', session: 's1' });
    d.client.send({ type: 'interrupt', session: 's2' });
    assert.equal(s.seen.messages.length, 2);
    assert.equal(d.last().state, 'online');
  });

  it('forgets every connection when the relay link goes offline', async () => {
    const s = await setup();
    await s.pairDevice();
    s.relay.setHostState('offline');
    assert.equal(s.host.connectedDevices().length, 0);
    assert.equal(s.seen.disconnected.length, 1);
  });

  it('works with the app layer on top: hello, sync and prompts', async () => {
    const s = await setup();
    const app = new FakeHostApp(s.host);
    app.append({ kind: 'assistant', text: 'hi' });
    const d = await s.pairDevice();
    const got: string[] = [];
    d.client.onMessage((m) => got.push(m.type === 'chat' ? `chat${m.seq}` : m.type));
    // pairDevice subscribed late: the history arrived already; a new event arrives live.
    app.append({ kind: 'assistant', text: 'again' });
    assert.deepEqual(got, ['chat2']);
    assert.deepEqual([...d.client.lastSeqs], [['s1', 2]]);
  });
});
