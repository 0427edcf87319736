import assert from 'node:assert/strict';
import { WIRE_FEATURES } from '../../../../src/core/wire/features';
import { ApprovalBroker } from '../../../../src/core/approvals/approvalBroker';
import { ChatLog } from '../../../../src/core/host/chatLog';
import { ManualClock } from '../../../../src/core/base/clock';
import { Emitter } from '../../../../src/core/base/event';
import { HostService, type PeerConnection, type SessionHandle } from '../../../../src/core/host/hostService';
import { panelPeer } from '../../../../src/vscode/webviews/panelPeer';
import type { HostMessage, SessionInfo } from '../../../../src/core/wire/protocol';
import { describedCall } from '../../../fixtures/describedCall';

class FakeSession implements SessionHandle {
  readonly infoEmitter = new Emitter<SessionInfo>();
  readonly onInfo = this.infoEmitter.event;
  readonly chat: ChatLog;
  readonly prompts: { text: string; clientId: string }[] = [];
  interrupts = 0;
  status: SessionInfo['status'] = 'idle';

  constructor(readonly id: string, clock: ManualClock) {
    this.chat = new ChatLog({ clock });
  }

  info(): SessionInfo {
    return { id: this.id, title: 'proj', agent: 'claude-code', cwd: '/w/proj', status: this.status, since: 0, lastSeq: this.chat.lastSeq };
  }

  prompt(text: string, clientId: string): void {
    this.prompts.push({ text, clientId });
    this.chat.append({ kind: 'user', text, clientId, source: 'device' });
  }

  interrupt(): void {
    this.interrupts++;
  }

  async stop(): Promise<void> {
    this.status = 'ended';
  }
}

function setup() {
  const clock = new ManualClock();
  const broker = new ApprovalBroker({ clock, expiryMs: 60_000 });
  const service = new HostService({ hostName: 'dev-box', broker });
  const session = new FakeSession('s1', clock);
  service.addSession(session);
  const inbox = (id: string, name = id) => {
    const got: HostMessage[] = [];
    const conn = service.connect({ id, name, send: (m) => got.push(m) });
    return { got, conn };
  };
  return { clock, broker, service, session, inbox };
}

const types = (ms: HostMessage[]) => ms.map((m) => m.type);

describe('HostService', () => {
  it('greets a peer with hello listing the sessions', () => {
    const { inbox } = setup();
    const { got } = inbox('phone');
    assert.equal(got[0]?.type, 'hello');
    assert.deepEqual(got[0]?.type === 'hello' && got[0].sessions.map((s) => s.id), ['s1']);
  });

  it('broadcasts chat events with their sequence numbers to every peer', () => {
    const { session, inbox } = setup();
    const a = inbox('a');
    const b = inbox('b');
    session.chat.append({ kind: 'assistant', text: 'hi' });
    for (const p of [a, b]) {
      const chat = p.got.filter((m) => m.type === 'chat');
      assert.equal(chat.length, 1);
      assert.equal(chat[0]?.type === 'chat' && chat[0].seq, 1);
    }
  });

  it('hands every prompt, resends included, to its session: exactly once is the session ledger\'s job alone', () => {
    const { session, inbox } = setup();
    const { conn } = inbox('phone');
    for (let i = 0; i < 3; i++) conn.receive({ type: 'prompt', session: 's1', text: 'do it', clientId: 'c-1' });
    conn.receive({ type: 'prompt', session: 's1', text: 'and this', clientId: 'c-2' });
    assert.deepEqual(session.prompts.map((p) => p.clientId), ['c-1', 'c-1', 'c-1', 'c-2']);
  });

  it('refuses a prompt to an ended or unknown session with an error naming it', () => {
    const { session, inbox } = setup();
    const { got, conn } = inbox('phone');
    conn.receive({ type: 'prompt', session: 'nope', text: 'x', clientId: 'c-9' });
    session.status = 'ended';
    conn.receive({ type: 'prompt', session: 's1', text: 'x', clientId: 'c-10' });
    const errors = got.filter((m) => m.type === 'error');
    assert.deepEqual(errors.map((e) => e.type === 'error' && e.code), ['HOST_ERR_NO_SESSION', 'HOST_ERR_SESSION_ENDED']);
    assert.equal(session.prompts.length, 0);
  });

  it('resyncs a reconnecting peer from its last sequence number, then resends pending approvals', () => {
    const { session, broker, inbox } = setup();
    for (const text of ['one', 'two', 'three']) session.chat.append({ kind: 'assistant', text });
    const { request } = broker.request(describedCall({ session: 's1', tool: 'Bash', input: { command: 'ls' }, cwd: '/w/proj' }));
    const { got, conn } = inbox('phone');
    got.length = 0;
    conn.receive({ type: 'sync', session: 's1', after: 1 });
    assert.deepEqual(types(got), ['session', 'chat', 'chat', 'approval', 'synced']);
    assert.deepEqual(got.filter((m) => m.type === 'chat').map((m) => m.type === 'chat' && m.seq), [2, 3]);
    assert.equal(got[3]?.type === 'approval' && got[3].request.id, request.id);
    assert.equal(got[4]?.type === 'synced' && got[4].seq, 3);
  });

  it('routes a decision to the broker with the deciding device as its author; the first wins', async () => {
    const { broker, service, inbox } = setup();
    const { request, outcome } = broker.request(describedCall({ session: 's1', tool: 'Bash', input: { command: 'ls' }, cwd: '/w/proj' }));
    const phone = inbox('phone', 'Pixel');
    // The VS Code panel, connected exactly as walkiePanel.ts connects it.
    const laptop = { got: [] as HostMessage[], conn: undefined as unknown as PeerConnection };
    laptop.conn = service.connect(panelPeer((m) => void (m.type === 'host' && laptop.got.push(m.message))));
    phone.conn.receive({ type: 'decide', id: request.id, inputHash: request.inputHash, decision: 'allow' });
    laptop.conn.receive({ type: 'decide', id: request.id, inputHash: request.inputHash, decision: 'deny' });
    const o = await outcome;
    assert.equal(o.resolution, 'allowed');
    assert.deepEqual([o.by, o.author], ['Pixel', { kind: 'device', name: 'Pixel' }]);
    const resolved = phone.got.find((m) => m.type === 'resolved');
    assert.ok(resolved && resolved.type === 'resolved' && resolved.resolution === 'allowed');
    const late = laptop.got.find((m) => m.type === 'error');
    assert.equal(late?.type === 'error' && late.code, 'BROKER_ERR_RESOLVED');
  });

  it('refuses a decision whose input hash does not match, leaving the request pending', () => {
    const { broker, inbox } = setup();
    const { request } = broker.request(describedCall({ session: 's1', tool: 'Bash', input: { command: 'ls' }, cwd: '/w/proj' }));
    const { got, conn } = inbox('phone');
    conn.receive({ type: 'decide', id: request.id, inputHash: '0'.repeat(64), decision: 'allow' });
    const error = got.find((m) => m.type === 'error');
    assert.equal(error?.type === 'error' && error.code, 'BROKER_ERR_HASH_MISMATCH');
    assert.equal(broker.pending('s1').length, 1);
  });

  it('keeps serving other peers when one peer throws on send', () => {
    const { session, service, inbox } = setup();
    service.connect({ id: 'broken', name: 'broken', send: () => { throw new Error('socket gone'); } });
    const ok = inbox('ok');
    session.chat.append({ kind: 'assistant', text: 'still here' });
    assert.equal(ok.got.filter((m) => m.type === 'chat').length, 1);
  });

  it('greets a peer that announced its features with a hello carrying them, once, and sends it the typed author', () => {
    const { broker, inbox } = setup();
    const { got, conn } = inbox('phone', 'Pixel');
    conn.receive({ type: 'hello', v: 1, features: ['author', 'from-the-future'] });
    conn.receive({ type: 'hello', v: 1, features: ['author'] });
    assert.deepEqual(got.filter((m) => m.type === 'hello').map((m) => m.type === 'hello' && m.features), [undefined, [...WIRE_FEATURES]]);
    const { request } = broker.request(describedCall({ session: 's1', tool: 'Bash', input: { command: 'ls' }, cwd: '/w/proj' }));
    conn.receive({ type: 'decide', id: request.id, inputHash: request.inputHash, decision: 'allow' });
    const resolved = got.find((m) => m.type === 'resolved');
    assert.deepEqual(resolved?.type === 'resolved' && resolved.author, { kind: 'device', name: 'Pixel' });
  });

  it('sends a peer that never announced features only v1 shapes: no features, no author', () => {
    const { broker, inbox } = setup();
    const { got, conn } = inbox('old', 'Old phone');
    const { request } = broker.request(describedCall({ session: 's1', tool: 'Bash', input: { command: 'ls' }, cwd: '/w/proj' }));
    conn.receive({ type: 'decide', id: request.id, inputHash: request.inputHash, decision: 'deny' });
    assert.equal(got.some((m) => 'features' in m || 'author' in m), false);
    assert.deepEqual(got.filter((m) => m.type === 'resolved').map((m) => m.type === 'resolved' && m.by), ['Old phone']);
  });

  it('passes interrupts to the session', () => {
    const { session, inbox } = setup();
    inbox('phone').conn.receive({ type: 'interrupt', session: 's1' });
    assert.equal(session.interrupts, 1);
  });

  it('stops sending to a peer once its connection is disposed', () => {
    const { session, inbox } = setup();
    const p = inbox('phone');
    p.conn.dispose();
    session.chat.append({ kind: 'assistant', text: 'x' });
    assert.equal(p.got.filter((m) => m.type === 'chat').length, 0);
  });
});
