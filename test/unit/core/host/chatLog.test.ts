import assert from 'node:assert/strict';
import { ChatLog, type ChatEntry } from '../../../../src/core/host/chatLog';
import { ManualClock } from '../../../../src/core/base/clock';
import { ChatEventSchema, LIMITS } from '../../../../src/core/wire/protocol';

describe('ChatLog', () => {
  it('numbers entries from 1 and stamps them with the clock', () => {
    const clock = new ManualClock();
    const log = new ChatLog({ clock });
    assert.equal(log.lastSeq, 0);
    const a = log.append({ kind: 'user', text: 'hi' });
    clock.advance(250);
    const b = log.append({ kind: 'assistant', text: 'hello' });
    assert.deepEqual([a.seq, b.seq], [1, 2]);
    assert.equal(b.at - a.at, 250);
    assert.equal(log.lastSeq, 2);
  });

  it('returns the entries after a seq', () => {
    const log = new ChatLog({ clock: new ManualClock() });
    for (let i = 0; i < 5; i++) log.append({ kind: 'notice', text: `n${i}` });
    assert.deepEqual(log.since(3).map((e) => e.seq), [4, 5]);
    assert.deepEqual(log.since(0).map((e) => e.seq), [1, 2, 3, 4, 5]);
    assert.deepEqual(log.since(5), []);
    assert.deepEqual(log.since(99), []);
    assert.deepEqual(log.since(-7).length, 5);
  });

  it('keeps only the last max entries, and seq keeps counting', () => {
    const log = new ChatLog({ clock: new ManualClock(), max: 10 });
    for (let i = 0; i < 57; i++) log.append({ kind: 'notice', text: `n${i}` });
    const all = log.since(0);
    assert.equal(all.length, 10);
    assert.deepEqual(all.map((e) => e.seq), [48, 49, 50, 51, 52, 53, 54, 55, 56, 57]);
    assert.deepEqual(log.since(55).map((e) => e.seq), [56, 57]);
    assert.equal(log.lastSeq, 57);
  });

  it('fires onAppend with each entry', () => {
    const log = new ChatLog({ clock: new ManualClock() });
    const seen: ChatEntry[] = [];
    log.onAppend((e) => seen.push(e));
    const e = log.append({ kind: 'tool', tool: 'Bash', summary: 'Ran `ls`', status: 'ok', toolUseId: 't1' });
    assert.deepEqual(seen, [e]);
  });

  it('caps oversized events so the device can parse them', () => {
    const log = new ChatLog({ clock: new ManualClock() });
    const e = log.append({ kind: 'assistant', text: 'x'.repeat(LIMITS.text * 2) });
    const t = log.append({ kind: 'tool', tool: 'Bash', summary: 's'.repeat(1000), status: 'running' });
    for (const entry of [e, t]) assert.ok(ChatEventSchema.safeParse(entry.event).success);
  });

  it('refuses a max that is not a positive integer', () => {
    assert.throws(() => new ChatLog({ clock: new ManualClock(), max: 0 }), RangeError);
  });
});
