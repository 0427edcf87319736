import assert from 'node:assert/strict';
import { ChatCursor } from '../../../../src/core/bridge/chatCursor';
import { SYNC_WINDOW } from '../../../../src/core/host/hostService';
import { LEGACY_SYNC_TAIL } from '../../../../src/core/host/legacySync';
import { WIRE_FEATURES } from '../../../../src/core/wire/features';
import type { HostMessage } from '../../../../src/core/wire/protocol';
import { settle } from './fakeBridgeLinks';
import { testHostStack } from './testHostStack';
import { V1Device } from './v1Peers';

type Stack = Awaited<ReturnType<typeof testHostStack>>;

/** The relay's budget for a host link (src/relay/relayLimits.ts DEFAULT_LIMITS.hostRate): messages a second. */
const RELAY_HOST_MSGS_PER_SEC = 3_200;

async function oldDevice(s: Stack, name: string): Promise<V1Device> {
  const offer = s.offers.create();
  const old = new V1Device(s.relay, { hostId: s.hostId, hostPublicKey: s.hostKey.publicKey, psk: offer.psk, name });
  await settle();
  assert.equal(old.online, true);
  return old;
}

/** Runs the clock in 20 ms steps until `done`, recording how many frames the host sent in each step. */
async function runUntil(s: Stack, done: () => boolean, perStep: number[] = []): Promise<void> {
  for (let i = 0; i < 5_000 && !done(); i++) {
    const before = s.relay.hostLink.sent;
    s.clock.advance(20);
    await settle();
    perStep.push(s.relay.hostLink.sent - before);
  }
  assert.ok(done(), 'finished');
}

/** What the old device's chat cursor (the v1 rule: only seq = last + 1 is shown) makes of what it got. */
function shownByOldCursor(received: readonly unknown[]): string[] {
  const cursor = new ChatCursor();
  const shown: string[] = [];
  for (const m of received as HostMessage[]) {
    if (m.type !== 'chat') continue;
    if (cursor.receive(m).deliver && m.event.kind === 'assistant') shown.push(m.event.text);
  }
  return shown;
}

const line = (i: number) => `line ${i}`;
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => line(from + k));

describe('The sync of an old (v1) device on a long session (issue 17)', () => {
  it('gives an old device on a 10,000-event session the newest events as a run its cursor shows, in order, and keeps it connected', async () => {
    const s = await testHostStack();
    for (let i = 1; i <= 10_000; i++) s.session.chat.append({ kind: 'assistant', text: line(i) });
    const old = await oldDevice(s, 'old phone');
    old.send({ type: 'sync', session: 's1', after: 0 });
    await runUntil(s, () => old.of('synced').length === 1);
    assert.deepEqual(old.refused, [], 'nothing it cannot parse');
    assert.equal(old.online, true);
    const chats = old.of('chat');
    assert.equal(chats.length, LEGACY_SYNC_TAIL);
    // Numbered to follow its cursor (0) without a hole; the texts are the newest events, oldest first.
    assert.deepEqual(chats.map((c) => c.seq), Array.from({ length: LEGACY_SYNC_TAIL }, (_, k) => k + 1));
    assert.deepEqual(shownByOldCursor(old.received), lines(10_001 - LEGACY_SYNC_TAIL, 10_000));
    assert.equal(old.of('synced')[0]!.seq, LEGACY_SYNC_TAIL);

    // Live events follow in the same numbering, and a resync after another long stretch continues it.
    s.session.chat.append({ kind: 'assistant', text: line(10_001) });
    await runUntil(s, () => old.of('chat').length === LEGACY_SYNC_TAIL + 1);
    for (let i = 10_002; i <= 10_500; i++) s.session.chat.append({ kind: 'assistant', text: line(i) });
    await runUntil(s, () => old.of('chat').length === LEGACY_SYNC_TAIL + 500);
    assert.deepEqual(shownByOldCursor(old.received), lines(10_001 - LEGACY_SYNC_TAIL, 10_500));
    // Reconnected with everything: nothing again, and `synced` in its numbering.
    const last = old.of('chat').at(-1)!.seq;
    old.send({ type: 'sync', session: 's1', after: last });
    await runUntil(s, () => old.of('synced').length === 2);
    assert.equal(old.of('synced')[1]!.seq, last);
    assert.equal(old.of('chat').length, LEGACY_SYNC_TAIL + 500);
    // Back after missing 300 (more than the tail): the newest ones, numbered to follow its cursor.
    old.send({ type: 'sync', session: 's1', after: last - 300 });
    await runUntil(s, () => old.of('synced').length === 3);
    const resent = old.of('chat').slice(LEGACY_SYNC_TAIL + 500);
    assert.deepEqual(resent.map((c) => c.seq), Array.from({ length: LEGACY_SYNC_TAIL }, (_, k) => last - 300 + 1 + k));
    assert.deepEqual(resent.map((c) => c.event.kind === 'assistant' && c.event.text), lines(10_501 - LEGACY_SYNC_TAIL, 10_500));
    assert.equal(old.of('synced')[2]!.seq, resent.at(-1)!.seq);

    // A current phone on the same host is unaffected: the windowed sync in the host's own numbering.
    const phone = await s.phone();
    await runUntil(s, () => phone.store.state.chats.s1?.at(-1)?.seq === 10_500);
    assert.equal(phone.store.state.chats.s1!.length, SYNC_WINDOW);
    assert.equal(phone.store.state.chats.s1![0]!.seq, 10_501 - SYNC_WINDOW);
  });

  it('gives a page from before `window` (its hello lists other features) the same tail, and keeps its features', async () => {
    const s = await testHostStack();
    for (let i = 1; i <= 10_000; i++) s.session.chat.append({ kind: 'assistant', text: line(i) });
    const got: HostMessage[] = [];
    const features = WIRE_FEATURES.filter((f) => f !== 'window' && f !== 'reconcile');
    const peer = s.service.connect({ id: 'pre-window phone', name: 'pre-window phone', send: (m) => got.push(m) });
    peer.receive({ type: 'hello', v: 1, features: [...features] });
    peer.receive({ type: 'sync', session: 's1', after: 0 });
    await runUntil(s, () => got.some((m) => m.type === 'synced'));
    assert.equal(got.filter((m) => m.type === 'chats').length, 0, 'no batches: it does not know them');
    assert.deepEqual(shownByOldCursor(got), lines(10_001 - LEGACY_SYNC_TAIL, 10_000));
    assert.ok(got.some((m) => m.type === 'hello' && m.features?.includes('ping')), 'its other features are on');
    peer.dispose();
  });

  it('paces four old devices syncing 10,000 events at once within the relay’s budget for the host, and each gets its tail', async () => {
    const s = await testHostStack();
    for (let i = 1; i <= 10_000; i++) s.session.chat.append({ kind: 'assistant', text: line(i) });
    const olds: V1Device[] = [];
    for (const name of ['a', 'b', 'c', 'd']) olds.push(await oldDevice(s, name));
    const phone = await s.phone();
    const perStep: number[] = [];
    // Frames sent at once (the fake relay answers the sync requests synchronously) count in the first step.
    const before = s.relay.hostLink.sent;
    for (const old of olds) old.send({ type: 'sync', session: 's1', after: 0 });
    await settle();
    perStep.push(s.relay.hostLink.sent - before);
    await runUntil(s, () => olds.every((o) => o.of('synced').length === 1), perStep);
    // No second of it sent more than the relay lets a host send in a second (50 steps of 20 ms).
    for (let i = 0; i < perStep.length; i++) {
      const second = perStep.slice(i, i + 50).reduce((a, b) => a + b, 0);
      assert.ok(second <= RELAY_HOST_MSGS_PER_SEC, `${second} frames in the second from step ${i}`);
    }
    for (const old of olds) {
      assert.equal(old.online, true);
      assert.deepEqual(shownByOldCursor(old.received), lines(10_001 - LEGACY_SYNC_TAIL, 10_000));
    }
    assert.equal(phone.client.state.state, 'online', 'an unrelated device stayed connected');
  });
});
