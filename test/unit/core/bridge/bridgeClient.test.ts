import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DEFAULT_PACING } from '../../../../src/core/base/backoff';
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, BridgeClient, STAGGER, type ClientStateChange } from '../../../../src/core/bridge/bridgeClient';
import { BridgeHost } from '../../../../src/core/bridge/bridgeHost';
import { bytesToBase64url } from '../../../../src/core/base/bytes';
import { ManualClock, type TimerHandle } from '../../../../src/core/base/clock';
import { CloseCode } from '../../../../src/core/wire/closeCodes';
import { DeviceRegistry } from '../../../../src/core/pairing/deviceRegistry';
import { generateKeyPair, nobleX25519 } from '../../../../src/core/noise/dh';
import type { DeviceIdentity, StaticKey } from '../../../../src/core/noise/staticKey';
import { PairingOffers } from '../../../../src/core/pairing/pairingOffers';
import type { HostMessage } from '../../../../src/core/wire/protocol';
import { FakeHostApp, FakeRelay, settle } from './fakeBridgeLinks';

/** A ManualClock that also records every delay it is asked for. */
class RecordingClock extends ManualClock {
  readonly delays: number[] = [];
  override setTimeout(fn: () => void, ms: number): TimerHandle {
    this.delays.push(ms);
    return super.setTimeout(fn, ms);
  }
}

async function setup() {
  const clock = new RecordingClock();
  const relay = new FakeRelay();
  const hostKey = generateKeyPair();
  const hostId = bytesToBase64url(new Uint8Array(randomBytes(32)));
  const offers = new PairingOffers({ clock, hostId, hostPublicKey: hostKey.publicKey, relayUrl: 'ws://relay.test' });
  const registry = await DeviceRegistry.open({ load: async () => undefined, save: async () => undefined }, clock);
  const host = new BridgeHost({ link: relay.hostLink, staticKey: hostKey, hostId, hostName: 'dev box', offers, registry, clock });
  const app = new FakeHostApp(host);

  const client = (identity: DeviceIdentity = generateKeyPair(), pair = true) => {
    const offer = pair ? offers.create() : undefined;
    const c = new BridgeClient({
      relayUrl: 'ws://relay.test',
      hostId,
      hostPublicKey: hostKey.publicKey,
      identity,
      pairing: offer && { psk: offer.psk, deviceName: 'phone' },
      connect: relay.connect,
      clock,
    });
    const got: HostMessage[] = [];
    const states: ClientStateChange[] = [];
    const paired: string[] = [];
    c.onMessage((m) => got.push(m));
    c.onState((s) => states.push(s));
    c.onPaired((p) => paired.push(p.sas));
    return { c, identity, got, states, paired, chatSeqs: () => got.flatMap((m) => (m.type === 'chat' ? [m.seq] : [])) };
  };

  /** Lets the backoff timer just armed (the last timer) fire, and the new socket open. */
  const reconnect = async () => {
    clock.advance(clock.delays.at(-1)!);
    await settle();
  };

  return { clock, relay, host, app, offers, client, reconnect, hostKey, hostId };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A sealed key like the phone's WebCrypto one: DH answers later, and the secret stays in this closure. */
function sealedKey(fail = false): StaticKey & { calls: number } {
  const secret = generateKeyPair();
  const key = {
    publicKey: secret.publicKey,
    calls: 0,
    async dh(pub: Uint8Array): Promise<Uint8Array> {
      key.calls++;
      await new Promise((r) => setImmediate(r));
      if (fail) throw new Error('the key is gone');
      return nobleX25519.getSharedSecret(secret.secretKey, pub);
    },
  };
  return key;
}

/** Each sealed DH waits a turn of the event loop: let both of a handshake's run. */
async function settleSealed(): Promise<void> {
  for (let i = 0; i < 6; i++) await settle();
}

describe('BridgeClient', () => {
  it('pairs and reconnects with a sealed device key whose DH is asynchronous', async () => {
    const s = await setup();
    const key = sealedKey();
    const d = s.client(key);
    d.c.start();
    await settleSealed();
    assert.equal(d.states.at(-1)!.state, 'online');
    assert.equal(d.paired.length, 1);
    assert.equal(key.calls, 2, 'ss for message 1, se for message 2');
    s.relay.drop(s.relay.openSockets()[0]!.conn);
    s.app.append({ kind: 'assistant', text: 'while away' });
    await s.reconnect();
    await settleSealed();
    assert.equal(d.states.at(-1)!.state, 'online', 'came back with IK under the same sealed key');
    assert.equal(key.calls, 4);
    assert.deepEqual(d.chatSeqs(), [1]);
  });

  it('drops the attempt and retries later when the sealed key fails', async () => {
    const s = await setup();
    const d = s.client(sealedKey(true));
    d.c.start();
    await settleSealed();
    assert.equal(d.states.at(-1)!.state, 'offline');
    assert.equal(d.states.at(-1)!.reason, 'device key failed');
    assert.equal(d.c.stopped, false, 'a retry is scheduled');
    assert.equal(s.relay.openSockets().length, 0);
  });

  it('syncs the history on first connect and then takes live events', async () => {
    const s = await setup();
    for (let i = 0; i < 3; i++) s.app.append({ kind: 'assistant', text: `m${i}` });
    const d = s.client();
    d.c.start();
    await settle();
    s.app.append({ kind: 'assistant', text: 'live' });
    assert.deepEqual(d.chatSeqs(), [1, 2, 3, 4]);
    assert.equal(d.got[0]!.type, 'hello');
  });

  it('resyncs after a dropped socket with no loss and no duplicate', async () => {
    const s = await setup();
    const d = s.client();
    d.c.start();
    await settle();
    s.app.append({ kind: 'assistant', text: 'a' });
    s.app.append({ kind: 'assistant', text: 'b' });
    s.relay.drop(s.relay.openSockets()[0]!.conn);
    assert.equal(d.states.at(-1)!.state, 'offline');
    for (let i = 0; i < 4; i++) s.app.append({ kind: 'assistant', text: `missed ${i}` });
    await s.reconnect();
    assert.equal(d.states.at(-1)!.state, 'online');
    s.app.append({ kind: 'assistant', text: 'after' });
    assert.deepEqual(d.chatSeqs(), range(1, 7));
    assert.deepEqual(d.paired.length, 1, 'paired once; the reconnect used IK');
  });

  it('drops a chat event it already has, and asks for a sync when it sees a gap', async () => {
    const s = await setup();
    const d = s.client();
    d.c.start();
    await settle();
    s.app.append({ kind: 'assistant', text: 'one' });
    // A duplicate of seq 1, then seq 3 while seq 2 was lost on the way.
    s.host.send('all', { type: 'chat', session: 's1', seq: 1, at: 1, event: { kind: 'assistant', text: 'one' } });
    s.app.log.push({ seq: 2, at: 1, event: { kind: 'assistant', text: 'lost' } });
    const syncsBefore = s.app.received.filter((r) => r.message.type === 'sync').length;
    s.app.append({ kind: 'assistant', text: 'three' });
    assert.deepEqual(d.chatSeqs(), [1, 2, 3]);
    assert.equal(s.app.received.filter((r) => r.message.type === 'sync').length, syncsBefore + 1);
    assert.deepEqual([...d.c.lastSeqs], [['s1', 3]]);
  });

  it('keeps a prompt until the host echoes it, and it arrives exactly once across a reconnect', async () => {
    const s = await setup();
    const d = s.client();
    d.c.start();
    await settle();
    // The prompt reaches the host, but the connection dies before the echo gets back.
    s.relay.interceptor = (f, dir) => (dir === 'toDevice' ? undefined : f);
    d.c.send({ type: 'prompt', session: 's1', text: 'run the tests', clientId: 'p1' });
    assert.deepEqual(s.app.typed, ['run the tests']);
    s.relay.drop(s.relay.openSockets()[0]!.conn);
    s.relay.interceptor = undefined;
    assert.equal(d.c.pendingPromptCount, 1);
    await s.reconnect();
    assert.equal(d.c.pendingPromptCount, 0, 'the echo arrived with the sync');
    assert.deepEqual(s.app.typed, ['run the tests'], 'typed once: the host deduped the resend');
    const echoes = d.got.filter((m) => m.type === 'chat' && m.event.kind === 'user');
    assert.equal(echoes.length, 1);
    assert.equal(s.app.received.filter((r) => r.message.type === 'prompt').length, 2, 'it was resent');
  });

  it('resends a prompt the host never got', async () => {
    const s = await setup();
    const d = s.client();
    d.c.start();
    await settle();
    s.relay.interceptor = (f, dir) => (dir === 'toHost' ? undefined : f);
    d.c.send({ type: 'prompt', session: 's1', text: 'hello', clientId: 'p2' });
    s.relay.drop(s.relay.openSockets()[0]!.conn);
    s.relay.interceptor = undefined;
    assert.deepEqual(s.app.typed, []);
    await s.reconnect();
    assert.deepEqual(s.app.typed, ['hello']);
    assert.equal(d.c.pendingPromptCount, 0);
  });

  it('stops resending a prompt the host refused (error with its clientId)', async () => {
    const s = await setup();
    const d = s.client();
    d.c.start();
    await settle();
    s.relay.interceptor = (f, dir) => (dir === 'toHost' ? undefined : f);
    d.c.send({ type: 'prompt', session: 's1', text: 'too late', clientId: 'p9' });
    s.relay.interceptor = undefined;
    s.host.send('all', { type: 'error', code: 'HOST_ERR_SESSION_ENDED', message: 'ended', ref: 'p9' });
    assert.equal(d.c.pendingPromptCount, 0);
    s.relay.drop(s.relay.openSockets()[0]!.conn);
    await s.reconnect();
    assert.deepEqual(s.app.typed, []);
  });

  it('holds a prompt made while offline and sends it once online', async () => {
    const s = await setup();
    const d = s.client();
    assert.equal(d.c.send({ type: 'prompt', session: 's1', text: 'queued', clientId: 'p3' }), true);
    assert.equal(d.c.send({ type: 'interrupt', session: 's1' }), false, 'other messages are not queued');
    d.c.start();
    await settle();
    assert.deepEqual(s.app.typed, ['queued']);
  });

  it('backs off with full jitter, at most a second early in an outage, exponentially after, and resets once online', async () => {
    const s = await setup();
    const d = s.client();
    d.c.start();
    await settle();
    s.relay.reachable = false;
    s.relay.drop(s.relay.openSockets()[0]!.conn);
    // After each failed attempt the last timer armed is the backoff; wait exactly that long each time.
    const backoffs = [s.clock.delays.at(-1)!];
    for (let n = 1; n < 14; n++) {
      s.clock.advance(backoffs.at(-1)!);
      await settle();
      backoffs.push(s.clock.delays.at(-1)!);
    }
    assert.equal(s.relay.urls.length, 14, 'one attempt per backoff');
    backoffs.forEach((ms, n) => assert.ok(Number.isInteger(ms) && ms >= 0 && ms <= Math.min(DEFAULT_PACING.fastCapMs, BACKOFF_BASE_MS * 2 ** n), `attempt ${n}: ${ms}`));
    assert.ok(new Set(backoffs).size > 6, 'jittered');
    // Past the fast window the delays grow towards the cap.
    s.clock.advance(DEFAULT_PACING.fastForMs);
    await settle();
    const later: number[] = [];
    for (let n = 0; n < 8; n++) {
      later.push(s.clock.delays.at(-1)!);
      s.clock.advance(later.at(-1)!);
      await settle();
    }
    later.forEach((ms) => assert.ok(ms <= BACKOFF_CAP_MS, `${ms}`));
    assert.ok(later.some((ms) => ms > BACKOFF_BASE_MS * 4), 'grows');
    s.relay.reachable = true;
    await s.reconnect();
    assert.equal(d.states.at(-1)!.state, 'online');
    s.relay.reachable = false;
    s.relay.drop(s.relay.openSockets()[0]!.conn);
    assert.ok(s.clock.delays.at(-1)! <= BACKOFF_BASE_MS, 'reset after online');
  });

  it('joins a swallowed attempt with another after about a second; only the first answered confirms, so the host holds one channel', async () => {
    const s = await setup();
    const d = s.client();
    d.c.start();
    await settle();
    assert.equal(d.states.at(-1)!.state, 'online');
    const registered: string[] = [];
    s.host.onDeviceConnected((x) => registered.push(x.id));
    // The network swallows the next attempt: its socket does not open.
    s.relay.holdOpens = true;
    s.relay.drop(s.relay.openSockets()[0]!.conn);
    await s.reconnect();
    const first = s.relay.openSockets().at(-1)!;
    assert.equal(d.c.state.state, 'connecting');
    s.clock.advance(STAGGER.delayMs * 1.25);
    await settle();
    assert.equal(s.relay.openSockets().length, 2, 'a second attempt beside the first');
    const second = s.relay.openSockets().at(-1)!;
    // The network comes back: both open and reach the host, whose answers are held to race them.
    const held: { conn: number; frame: Uint8Array }[] = [];
    s.relay.interceptor = (frame, dir, conn) => (dir === 'toDevice' ? void held.push({ conn, frame }) : frame);
    s.relay.releaseOpens();
    await settle();
    assert.equal(held.length, 2, 'both attempts got an answer');
    // Both answers arrive, the second attempt's first: it wins, and the first is closed before it confirms.
    s.relay.interceptor = undefined;
    for (const h of held.filter((x) => x.conn === second.conn).concat(held.filter((x) => x.conn === first.conn))) s.relay.deliver('toDevice', h.conn, h.frame);
    await settle();
    assert.equal(d.c.state.state, 'online');
    assert.equal(first.closeCode, CloseCode.normal);
    assert.deepEqual(s.relay.openSockets(), [second]);
    assert.equal(registered.length, 1, 'the host registered the device once');
    assert.equal(s.host.connectedDevices().length, 1);
    // At most STAGGER.max in flight, however long the network stays silent.
    s.relay.holdOpens = true;
    s.relay.drop(second.conn);
    await s.reconnect();
    let most = 0;
    for (let i = 0; i < 12; i++) {
      s.clock.advance(STAGGER.delayMs * 0.5);
      await settle();
      most = Math.max(most, s.relay.openSockets().length);
    }
    assert.equal(most, STAGGER.max);
  });

  it('where sockets open one at a time (a browser), replaces a stuck attempt instead, waiting twice as long each time', async () => {
    const s = await setup();
    const identity = generateKeyPair();
    const paired = s.client(identity);
    paired.c.start();
    await settle();
    paired.c.dispose();
    const c = new BridgeClient({ relayUrl: 'ws://relay.test', hostId: s.hostId, hostPublicKey: s.hostKey.publicKey, identity, connect: s.relay.connect, clock: s.clock, opensOneAtATime: true });
    s.relay.holdOpens = true;
    c.start();
    await settle();
    const started: number[] = [s.clock.now()];
    for (let t = 0; t < 4_000; t += 50) {
      s.clock.advance(50);
      await settle();
      if (s.relay.urls.length > started.length + 1) started.push(s.clock.now());
      assert.ok(s.relay.openSockets().length <= 1, 'one attempt at a time');
    }
    const gaps = started.slice(1).map((t, i) => t - started[i]!);
    assert.ok(gaps.length >= 2, `replaced: ${gaps.join(', ')}`);
    assert.ok(gaps[0]! <= STAGGER.delayMs * 1.25 + 50 && gaps[1]! >= STAGGER.delayMs * 2 * 0.75, `doubling: ${gaps.join(', ')}`);
    // The network is back: the current attempt opens and the device is online.
    s.relay.releaseOpens();
    await settle();
    assert.equal(c.state.state, 'online');
    c.dispose();
  });

  it('does not overlap attempts while pairing (the one-time key is good for one handshake)', async () => {
    const s = await setup();
    const d = s.client();
    s.relay.holdOpens = true;
    d.c.start();
    await settle();
    s.clock.advance(STAGGER.delayMs * 3);
    await settle();
    assert.equal(s.relay.urls.length, 1);
  });

  it('stops for good when the host refuses the pairing', async () => {
    const s = await setup();
    const d = s.client();
    s.offers.create(); // invalidates the client's offer
    d.c.start();
    await settle();
    assert.deepEqual([d.states.at(-1)!.state, d.states.at(-1)!.code], ['offline', CloseCode.handshakeFailed]);
    const sockets = s.relay.urls.length;
    s.clock.advance(10 * BACKOFF_CAP_MS);
    await settle();
    assert.equal(s.relay.urls.length, sockets);
  });

  it('retries when the host does not answer the handshake in time', async () => {
    const s = await setup();
    const d = s.client();
    s.relay.interceptor = (f, dir) => (dir === 'toDevice' ? undefined : f);
    d.c.start();
    await settle();
    s.clock.advance(15_000);
    assert.ok(d.states.some((x) => x.state === 'offline' && x.code === CloseCode.tryAgainLater));
    s.relay.interceptor = undefined;
    // The first backoff is at most BACKOFF_BASE_MS (it may even have fired already, at 0 ms).
    s.clock.advance(BACKOFF_BASE_MS);
    await settle();
    assert.equal(s.relay.urls.length, 2);
    assert.equal(d.states.at(-1)!.state, 'online', 'the offer was not used up by the failed attempt');
  });

  it('closes a connection whose host sends a message that does not parse, and reconnects', async () => {
    const s = await setup();
    const d = s.client();
    d.c.start();
    await settle();
    s.host.send('all', { type: 'chat', session: '', seq: 1, at: 1, event: { kind: 'assistant', text: 'x' } });
    assert.equal(d.states.at(-1)!.code, CloseCode.badMessage);
    await s.reconnect();
    assert.equal(d.states.at(-1)!.state, 'online');
  });

  it('goes offline for good on close(), without reconnecting', async () => {
    const s = await setup();
    const d = s.client();
    d.c.start();
    await settle();
    d.c.close();
    assert.deepEqual([d.states.at(-1)!.state, d.states.at(-1)!.code], ['offline', CloseCode.normal]);
    await s.reconnect();
    assert.equal(s.relay.urls.length, 1);
    assert.equal(s.host.connectedDevices().length, 0);
  });
});
