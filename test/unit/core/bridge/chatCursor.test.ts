import assert from 'node:assert/strict';
import { ChatCursor, MAX_PENDING_PROMPTS } from '../../../../src/core/bridge/chatCursor';
import type { HostMessage, SessionInfo } from '../../../../src/core/wire/protocol';

const chat = (seq: number, session = 's1'): HostMessage => ({ type: 'chat', session, seq, at: 1, event: { kind: 'assistant', text: `m${seq}` } });
const info = (id: string): SessionInfo => ({ id, title: id, agent: 'claude', cwd: '/', status: 'working', since: 0, lastSeq: 0 });

describe('ChatCursor', () => {
  it('delivers each chat event once and in order, dropping duplicates', () => {
    const c = new ChatCursor();
    assert.deepEqual([1, 2, 2, 1, 3].map((n) => c.receive(chat(n)).deliver), [true, true, false, false, true]);
    assert.deepEqual([...c.lastSeqs], [['s1', 3]]);
  });

  it('answers a gap with one sync from the last delivered seq until the sync is answered', () => {
    const c = new ChatCursor();
    c.receive(chat(1));
    assert.deepEqual(c.receive(chat(3)), { deliver: false, send: [{ type: 'sync', session: 's1', after: 1 }] });
    assert.deepEqual(c.receive(chat(4)), { deliver: false, send: [] });
    assert.equal(c.receive(chat(2)).deliver, true);
    c.receive({ type: 'synced', session: 's1', seq: 4 });
    assert.deepEqual(c.receive(chat(9)).send, [{ type: 'sync', session: 's1', after: 2 }]);
  });

  it('syncs each session once per connection: known ones on connect, new ones when first heard of', () => {
    const c = new ChatCursor();
    assert.deepEqual(c.receive({ type: 'hello', v: 1, hostName: 'h', sessions: [info('a')] }).send, [{ type: 'sync', session: 'a', after: 0 }]);
    c.receive(chat(1, 'a'));
    assert.deepEqual(c.receive({ type: 'session', session: info('a') }).send, []);
    assert.deepEqual(c.receive({ type: 'session', session: info('b') }).send, [{ type: 'sync', session: 'b', after: 0 }]);
    assert.deepEqual(c.connected(), [
      { type: 'sync', session: 'a', after: 1 },
      { type: 'sync', session: 'b', after: 0 },
    ]);
    assert.deepEqual(c.receive({ type: 'hello', v: 1, hostName: 'h', sessions: [info('a'), info('b')] }).send, []);
  });

  it('holds prompts until echoed or refused, and resends them after the syncs on connect', () => {
    const c = new ChatCursor();
    c.receive(chat(1));
    c.hold({ type: 'prompt', session: 's1', text: 'x', clientId: 'p1' });
    c.hold({ type: 'prompt', session: 's1', text: 'y', clientId: 'p2' });
    assert.deepEqual(c.connected().map((m) => m.type), ['sync', 'prompt', 'prompt']);
    // The echo clears it even when the event itself is a duplicate.
    c.receive({ type: 'chat', session: 's1', seq: 1, at: 1, event: { kind: 'user', text: 'x', clientId: 'p1' } });
    c.receive({ type: 'error', code: 'HOST_ERR_SESSION_ENDED', message: 'ended', ref: 'p2' });
    assert.equal(c.pendingPromptCount, 0);
  });

  it(`holds at most ${MAX_PENDING_PROMPTS} prompts`, () => {
    const c = new ChatCursor();
    for (let i = 0; i < MAX_PENDING_PROMPTS; i++) assert.equal(c.hold({ type: 'prompt', session: 's', text: 't', clientId: `p${i}` }), true);
    assert.equal(c.hold({ type: 'prompt', session: 's', text: 't', clientId: 'one more' }), false);
    assert.equal(c.hold({ type: 'prompt', session: 's', text: 't', clientId: 'p0' }), true, 'a resend of a held prompt is fine');
  });
});
