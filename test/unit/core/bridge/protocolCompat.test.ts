import assert from 'node:assert/strict';
import { WIRE_FEATURES } from '../../../../src/core/wire/features';
import { randomBytes } from 'node:crypto';
import { bytesToBase64url } from '../../../../src/core/base/bytes';
import { ManualClock } from '../../../../src/core/base/clock';
import { BACKOFF_BASE_MS, BridgeClient, type ClientStateChange } from '../../../../src/core/bridge/bridgeClient';
import { generateKeyPair } from '../../../../src/core/noise/dh';
import { CloseCode } from '../../../../src/core/wire/closeCodes';
import type { HostMessage } from '../../../../src/core/wire/protocol';
import { Store } from '../../../../webview-ui/state/store';
import { FakeRelay, settle } from './fakeBridgeLinks';
import { testHostStack } from './testHostStack';
import { V1Device, V1Host } from './v1Peers';
import type { V1DeviceMessage, V1HostMessage } from './v1Protocol';

const HASH = 'a'.repeat(64);
const SESSION = { id: 's1', title: 'old', agent: 'claude-code', cwd: '/w', status: 'working', since: 0, lastSeq: 0 } as const;

/** A v1 host with one session: answers sync, echoes prompts once, takes decisions; and says something new. */
function oldHost(relay: FakeRelay, clock: ManualClock) {
  const hostId = bytesToBase64url(new Uint8Array(randomBytes(32)));
  const psk = new Uint8Array(randomBytes(32));
  const chat: V1HostMessage[] = [];
  const decisions: V1DeviceMessage[] = [];
  const typed = new Set<string>();
  const host: V1Host = new V1Host(relay, {
    hostId,
    psk,
    onOpen: (conn) => {
      host.send(conn, { type: 'hello', v: 1, hostName: 'old host', sessions: [{ ...SESSION, lastSeq: chat.length }] });
      // A message type this device has never heard of (a newer host's): it must be ignored, not fatal.
      host.send(conn, { type: 'presence', who: ['laptop'], since: clock.now() });
    },
    onMessage: (conn, m) => {
      if (m.type === 'sync') {
        for (const c of chat) if (c.type === 'chat' && c.seq > m.after) host.send(conn, c);
        host.send(conn, { type: 'synced', session: m.session, seq: chat.length });
      } else if (m.type === 'prompt' && !typed.has(m.clientId)) {
        typed.add(m.clientId);
        say({ kind: 'user', text: m.text, clientId: m.clientId, source: 'device' });
      } else if (m.type === 'decide') {
        decisions.push(m);
        for (const c of host.openConns()) host.send(c, { type: 'resolved', id: m.id, session: 's1', resolution: m.decision === 'allow' ? 'allowed' : 'denied', by: 'phone' });
      }
    },
  });
  const say = (event: Extract<V1HostMessage, { type: 'chat' }>['event']) => {
    const m: V1HostMessage = { type: 'chat', session: 's1', seq: chat.length + 1, at: clock.now(), event };
    chat.push(m);
    for (const c of host.openConns()) host.send(c, m);
  };
  const approve = () => {
    const request = { id: 'apr_1', session: 's1', tool: 'Bash', summary: 'Run npm test', detail: { kind: 'command', command: 'npm test' }, cwd: '/w', risk: { level: 'low', reasons: [] }, inputHash: HASH, createdAt: clock.now(), expiresAt: clock.now() + 60_000 } as const;
    for (const c of host.openConns()) host.send(c, { type: 'approval', request });
  };
  return { host, hostId, psk, decisions, say, approve };
}

/** A new device (the real BridgeClient, its messages applied to the web UI's Store) against `hostPublicKey`. */
function newDevice(relay: FakeRelay, clock: ManualClock, o: { hostId: string; hostPublicKey: Uint8Array; psk: Uint8Array }) {
  const client = new BridgeClient({ relayUrl: 'ws://relay.test', hostId: o.hostId, hostPublicKey: o.hostPublicKey, identity: generateKeyPair(), pairing: { psk: o.psk, deviceName: 'phone' }, connect: relay.connect, clock });
  const store = new Store(clock, { state: 'online', since: clock.now() });
  const got: HostMessage[] = [];
  const states: ClientStateChange[] = [];
  client.onMessage((m) => (got.push(m), store.apply(m)));
  client.onState((s) => states.push(s));
  return { client, store, got, states };
}

describe('Protocol compatibility', () => {
  it('serves an old (v1) device page against the new host: it chats and approves, and refuses nothing it is sent', async () => {
    const s = await testHostStack();
    const offer = s.offers.create();
    const old = new V1Device(s.relay, { hostId: s.hostId, hostPublicKey: s.hostKey.publicKey, psk: offer.psk, name: 'old phone' });
    await settle();
    assert.equal(old.online, true);
    assert.equal(old.of('hello').length, 1, 'a v1 hello, without features');

    old.send({ type: 'sync', session: 's1', after: 0 });
    old.send({ type: 'prompt', session: 's1', text: 'run the tests', clientId: 'c-1' });
    s.session.chat.append({ kind: 'assistant', text: 'on it' });
    const { request, outcome } = s.approval();
    old.send({ type: 'decide', id: request.id, inputHash: request.inputHash, decision: 'allow' });
    assert.deepEqual((await outcome).author, { kind: 'device', name: 'old phone' });
    // A decision made in VS Code reaches it as the v1 string it always got, and no `author` it would refuse.
    const panel = s.panel();
    const second = s.approval('npm run lint');
    panel.controller.decide(second.request.id, 'deny');
    old.send({ type: 'prompt', session: 'gone', text: 'x', clientId: 'c-2' });

    assert.deepEqual(old.refused, [], 'the v1 page refused a message of the new host');
    assert.equal(old.online, true);
    assert.deepEqual(s.session.prompts, ['run the tests']);
    assert.deepEqual(old.of('chat').map((m) => m.event.kind), ['user', 'assistant']);
    assert.deepEqual(old.of('resolved').map((m) => [m.resolution, m.by]), [['allowed', 'old phone'], ['denied', 'VS Code']]);
    assert.deepEqual(old.of('error').map((m) => [m.code, m.ref]), [['HOST_ERR_NO_SESSION', 'c-2']]);
  });

  it('runs a new device against an old (v1) host: one refused hello, then v1 — it chats and approves, ignoring a message type it does not know', async () => {
    const relay = new FakeRelay();
    const clock = new ManualClock();
    const old = oldHost(relay, clock);
    const d = newDevice(relay, clock, { hostId: old.hostId, hostPublicKey: old.host.key.publicKey, psk: old.psk });
    d.client.start();
    await settle();
    // The v1 host closed the channel on our hello; the device tells it from a refusal and reconnects.
    assert.deepEqual(old.host.refused.map((m) => (m as { type: string }).type), ['hello']);
    assert.equal(d.states.some((x) => x.state === 'offline' && x.code === CloseCode.badMessage), true);
    clock.advance(BACKOFF_BASE_MS);
    await settle();
    assert.equal(d.client.state.state, 'online');
    assert.equal(d.client.features, undefined, 'no features with a v1 host');

    old.say({ kind: 'assistant', text: 'hello from the past' });
    assert.equal(d.client.send({ type: 'prompt', session: 's1', text: 'go', clientId: 'c-1' }), true);
    old.approve();
    assert.equal(d.store.state.approvals.length, 1);
    d.client.send({ type: 'decide', id: 'apr_1', inputHash: HASH, decision: 'allow' });

    assert.equal(old.host.refused.length, 1, 'nothing after the hello was refused');
    assert.equal(d.client.state.state, 'online');
    assert.equal(relay.urls.length, 2, 'no reconnect after the fallback');
    assert.deepEqual(old.decisions.map((m) => m.type === 'decide' && m.decision), ['allow']);
    assert.equal(d.client.pendingPromptCount, 0, 'the prompt was echoed');
    assert.deepEqual(d.got.filter((m) => m.type === 'chat').map((m) => m.type === 'chat' && m.event.kind), ['assistant', 'user']);
    assert.equal(d.got.some((m) => (m.type as string) === 'presence'), false);
    // No `author` from a v1 host: the page reads the v1 string.
    assert.deepEqual(d.store.state.notices.map((n) => n.text), ['Approved on phone']);
  });

  it('agrees on features between a new device and the new host', async () => {
    const s = await testHostStack();
    const phone = await s.phone('Pixel 8');
    assert.deepEqual([...(phone.client.features ?? [])], [...WIRE_FEATURES]);
    assert.deepEqual(phone.got.filter((m) => m.type === 'hello').map((m) => m.type === 'hello' && m.features), [undefined, [...WIRE_FEATURES]]);
    const { request } = s.approval();
    phone.client.send({ type: 'decide', id: request.id, inputHash: request.inputHash, decision: 'allow' });
    const resolved = phone.got.find((m) => m.type === 'resolved');
    assert.deepEqual(resolved?.type === 'resolved' && [resolved.by, resolved.author], ['Pixel 8', { kind: 'device', name: 'Pixel 8' }]);
  });

  it('lets the VS Code panel announce its features and sync each session once, not once per hello', async () => {
    const s = await testHostStack();
    const panel = s.panel();
    assert.deepEqual([...panel.sent].sort(), ['hello', 'ready', 'sync'], 'one sync for s1, though two hellos came');
    assert.equal(s.service.featuresOf('vscode')?.has('author'), true);
  });

  it('keeps the channel when the device sends a message type the host does not know, and strips unknown fields', async () => {
    const s = await testHostStack();
    const offer = s.offers.create();
    const newer = new V1Device(s.relay, { hostId: s.hostId, hostPublicKey: s.hostKey.publicKey, psk: offer.psk, name: 'newer phone' });
    await settle();
    newer.send({ type: 'reaction', session: 's1', emoji: '+1' });
    newer.send({ type: 'prompt', session: 's1', text: 'still there?', clientId: 'c-9', priority: 'high' });
    assert.equal(newer.online, true);
    assert.equal(newer.closeCode, undefined);
    assert.deepEqual(s.session.prompts, ['still there?']);
  });

  it('keeps the channel when the host sends a message type the device does not know, and strips unknown fields', async () => {
    const relay = new FakeRelay();
    const clock = new ManualClock();
    const old = oldHost(relay, clock);
    const d = newDevice(relay, clock, { hostId: old.hostId, hostPublicKey: old.host.key.publicKey, psk: old.psk });
    d.client.start();
    await settle();
    clock.advance(BACKOFF_BASE_MS);
    await settle();
    const [conn] = old.host.openConns();
    old.host.send(conn!, { type: 'typing', session: 's1' });
    old.host.send(conn!, { type: 'chat', session: 's1', seq: 1, at: 1, event: { kind: 'assistant', text: 'hi', mood: 'cheerful' }, importance: 3 });
    assert.equal(d.client.state.state, 'online');
    assert.equal(relay.urls.length, 2);
    const chat = d.got.filter((m) => m.type === 'chat');
    assert.deepEqual(chat.map((m) => m.type === 'chat' && m.event), [{ kind: 'assistant', text: 'hi' }]);
  });
});
