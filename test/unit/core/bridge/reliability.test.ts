import assert from 'node:assert/strict';
import { DEFAULT_PACING } from '../../../../src/core/base/backoff';
import { ManualClock } from '../../../../src/core/base/clock';
import { BridgeClient, HEARTBEAT, PROBE_MS } from '../../../../src/core/bridge/bridgeClient';
import { DEVICE_DEAD_AFTER_MS } from '../../../../src/core/bridge/bridgeHost';
import { SYNC_WINDOW } from '../../../../src/core/host/hostService';
import { generateKeyPair } from '../../../../src/core/noise/dh';
import { CloseCode } from '../../../../src/core/wire/closeCodes';
import type { HostMessage } from '../../../../src/core/wire/protocol';
import { Store } from '../../../../webview-ui/state/store';
import { settle } from './fakeBridgeLinks';
import { testHostStack } from './testHostStack';
import { V1Device } from './v1Peers';

/** Lets the clock run `ms` in steps, settling the fake relay between them (sockets open in microtasks). */
async function run(s: Awaited<ReturnType<typeof testHostStack>>, ms: number, step = 250): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    s.clock.advance(Math.min(step, ms - t));
    await settle();
  }
}

describe('Reliability: heartbeat, reconnects and resyncs (issue 17)', () => {
  it('notices a silently dropped channel within the heartbeat bound and comes back on its own', async () => {
    const s = await testHostStack();
    const phone = await s.phone();
    const states: string[] = [];
    phone.client.onState((x) => states.push(`${x.state}${x.code ? ` ${x.code}` : ''}`));
    // Black-hole the live connection both ways: nothing is delivered, nothing is closed.
    const dead = s.relay.openSockets()[0]!.conn;
    s.relay.interceptor = (f, _dir, conn) => (conn === dead ? undefined : f);
    await run(s, HEARTBEAT.deadAfterMs + HEARTBEAT.intervalMs);
    assert.ok(states.includes(`offline ${CloseCode.tryAgainLater}`), `declared dead: ${states.join(', ')}`);
    await run(s, DEFAULT_PACING.fastCapMs + 500);
    assert.equal(phone.client.state.state, 'online', 'back on a new connection');
    s.session.chat.append({ kind: 'assistant', text: 'after the drop' });
    assert.deepEqual(phone.store.state.chats.s1?.map((c) => c.event.kind === 'assistant' && c.event.text), ['after the drop']);
  });

  it('drops a device that agreed to the heartbeat and then went silent (the host side)', async () => {
    const s = await testHostStack();
    const offer = s.offers.create();
    // A device that speaks `ping` but never sends one: to the host it looks like a phone whose network died.
    const quiet = new BridgeClient({
      relayUrl: 'ws://relay.test',
      hostId: s.hostId,
      hostPublicKey: s.hostKey.publicKey,
      identity: generateKeyPair(),
      pairing: { psk: offer.psk, deviceName: 'quiet' },
      connect: s.relay.connect,
      clock: s.clock,
      heartbeat: { intervalMs: 3_600_000, deadAfterMs: 3_600_000 },
    });
    const codes: (number | undefined)[] = [];
    quiet.onState((x) => codes.push(x.code));
    quiet.start();
    await settle();
    assert.equal(s.bridge.connectedDevices().length, 1);
    await run(s, DEVICE_DEAD_AFTER_MS * 1.3, 1000);
    assert.ok(codes.includes(CloseCode.tryAgainLater), `closed by the host: ${codes.join(', ')}`);
  });

  it('keeps an old (v1) device that never pings connected however long it is quiet', async () => {
    const s = await testHostStack();
    const offer = s.offers.create();
    const old = new V1Device(s.relay, { hostId: s.hostId, hostPublicKey: s.hostKey.publicKey, psk: offer.psk, name: 'old phone' });
    await settle();
    await run(s, DEVICE_DEAD_AFTER_MS * 3, 5000);
    assert.equal(old.online, true);
    old.send({ type: 'sync', session: 's1', after: 0 });
    assert.equal(old.refused.length, 0, 'no new message or field reached it');
    assert.equal(old.received.at(-1)?.type, 'synced');
  });

  it('probes a live channel on reconnectNow() and replaces it when the host does not answer', async () => {
    const s = await testHostStack();
    const phone = await s.phone();
    const dead = s.relay.openSockets()[0]!.conn;
    s.relay.interceptor = (f, _dir, conn) => (conn === dead ? undefined : f);
    phone.client.reconnectNow();
    await run(s, PROBE_MS + 100, 100);
    assert.notEqual(s.relay.openSockets()[0]?.conn, dead);
    await run(s, DEFAULT_PACING.fastCapMs + 200, 100);
    assert.equal(phone.client.state.state, 'online');
    // A live channel that answers stays as it is.
    const live = s.relay.openSockets()[0]!.conn;
    phone.client.reconnectNow();
    await run(s, PROBE_MS * 2, 100);
    assert.equal(s.relay.openSockets()[0]!.conn, live);
  });

  it('retries at once on reconnectNow() while waiting, with the backoff reset, and says when the next try is', async () => {
    const s = await testHostStack();
    const phone = await s.phone();
    s.relay.reachable = false;
    s.relay.drop(s.relay.openSockets()[0]!.conn);
    await settle();
    const offline = phone.client.state;
    assert.equal(offline.state, 'offline');
    assert.ok(offline.retryAt !== undefined && offline.retryAt >= s.clock.now() && offline.retryAt <= s.clock.now() + DEFAULT_PACING.fastCapMs, 'next attempt time');
    s.relay.reachable = true;
    const attempts = s.relay.urls.length;
    phone.client.reconnectNow();
    await settle();
    assert.equal(s.relay.urls.length, attempts + 1, 'an attempt at once, without waiting for the timer');
    assert.equal(phone.client.state.state, 'online');
  });

  it('after a resync a phone shows exactly the host’s pending approvals (answered, expired or cancelled while away go)', async () => {
    const s = await testHostStack();
    const phone = await s.phone();
    const answered = s.approval('npm test');
    const expires = s.approval('npm run lint');
    const stays = s.approval('npm run build');
    assert.equal(phone.store.state.approvals.length, 3);
    // The phone loses its connection without hearing anything more.
    s.relay.reachable = false;
    s.relay.drop(s.relay.openSockets()[0]!.conn);
    await settle();
    s.broker.decide(answered.request.id, answered.request.inputHash, 'allow', { kind: 'vscode' });
    s.broker.cancel(expires.request.id, { kind: 'walkie' });
    const fresh = s.approval('git push');
    s.relay.reachable = true;
    phone.client.reconnectNow();
    await settle();
    assert.equal(phone.client.state.state, 'online');
    const pending = s.broker.pending('s1').map((r) => r.id).sort();
    assert.deepEqual(phone.store.state.approvals.map((a) => a.request.id).sort(), pending);
    assert.deepEqual(pending, [stays.request.id, fresh.request.id].sort());
  });

  it('gives a fresh phone the last events of a 5,100-event session in a few frames, and older ones on demand', async () => {
    const s = await testHostStack();
    for (let i = 1; i <= 5100; i++) s.session.chat.append({ kind: 'assistant', text: `event ${i} `.repeat(8) });
    const before = s.relay.hostLink.sent;
    const phone = await s.phone();
    const items = phone.store.state.chats.s1 ?? [];
    assert.equal(items.length, SYNC_WINDOW, 'a non-empty thread: the window');
    assert.equal(items.at(-1)!.seq, 5100);
    assert.equal(phone.store.state.older.s1, true, 'older events can be loaded');
    const frames = s.relay.hostLink.sent - before;
    assert.ok(frames < 20, `sync in ${frames} frames`);
    // Scrolling up asks for the page before.
    phone.client.send({ type: 'history', session: 's1', before: items[0]!.seq, limit: 200 });
    const held = phone.store.state.chats.s1!;
    assert.equal(held.length, SYNC_WINDOW + 200);
    assert.deepEqual([held[0]!.seq, held.at(-1)!.seq], [5100 - SYNC_WINDOW - 199, 5100]);
    // Live events after the sync still arrive in order.
    s.session.chat.append({ kind: 'assistant', text: 'live' });
    assert.equal(phone.store.state.chats.s1!.at(-1)!.seq, 5101);
  });

  it('replaces a stale stretch of thread with the window after a long absence (no hole in the middle)', async () => {
    const s = await testHostStack();
    const phone = await s.phone();
    s.session.chat.append({ kind: 'assistant', text: 'before' });
    s.relay.reachable = false;
    s.relay.drop(s.relay.openSockets()[0]!.conn);
    await settle();
    for (let i = 0; i < SYNC_WINDOW + 50; i++) s.session.chat.append({ kind: 'assistant', text: `while away ${i}` });
    s.relay.reachable = true;
    phone.client.reconnectNow();
    await settle();
    const seqs = phone.store.state.chats.s1!.map((c) => c.seq);
    assert.equal(seqs.length, SYNC_WINDOW);
    assert.ok(seqs.every((q, i) => i === 0 || q === seqs[i - 1]! + 1), 'continuous');
    assert.equal(phone.store.state.older.s1, true);
  });

  it('syncs four devices at once within a handful of frames each', async () => {
    const s = await testHostStack();
    const phones = [];
    for (const name of ['a', 'b', 'c', 'd']) phones.push(await s.phone(name));
    s.relay.reachable = false;
    for (const socket of s.relay.openSockets()) s.relay.drop(socket.conn);
    await settle();
    for (let i = 1; i <= 4900; i++) s.session.chat.append({ kind: 'assistant', text: `line ${i}` });
    s.relay.reachable = true;
    const before = s.relay.hostLink.sent;
    for (const p of phones) p.client.reconnectNow();
    await settle();
    for (const p of phones) assert.equal(p.store.state.chats.s1?.length, SYNC_WINDOW);
    const frames = s.relay.hostLink.sent - before;
    // Before windowed sync: 4 × 4,900 frames, which the relay's host budget (3,200 msg/s) cut off with 4008.
    assert.ok(frames < 4 * 20, `${frames} frames`);
  });

  it('shows an old host’s sync as before (no windowing, nothing dropped)', () => {
    const store = new Store(new ManualClock(), { state: 'online', since: 0 });
    const m: HostMessage[] = [
      { type: 'chat', session: 's1', seq: 1, at: 0, event: { kind: 'assistant', text: 'a' } },
      { type: 'synced', session: 's1', seq: 1 },
    ];
    for (const x of m) store.apply(x);
    assert.equal(store.state.chats.s1?.length, 1);
    assert.equal(store.state.older.s1, undefined);
  });
});
