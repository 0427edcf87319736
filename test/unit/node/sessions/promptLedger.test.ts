import assert from 'node:assert/strict';
import { ManualClock } from '../../../../src/core/base/clock';
import type { ChatEvent } from '../../../../src/core/wire/protocol';
import { PromptLedger, promptKey } from '../../../../src/node/sessions/promptLedger';

const timeoutError = () => new Error('timeout');
const settled = async (p: Promise<void>) => Promise.race([p.then(() => 'resolved', () => 'rejected'), new Promise((r) => setImmediate(() => r('pending')))]);

describe('PromptLedger', () => {
  let clock: ManualClock;
  let chat: ChatEvent[];
  let ledger: PromptLedger;

  beforeEach(() => {
    clock = new ManualClock();
    chat = [];
    ledger = new PromptLedger(clock, (e) => chat.push(e), 3000);
  });

  it('resolves a device prompt when the agent confirms it and names its clientId', async () => {
    const p = ledger.add('c1', 'fix the tests', 10_000, timeoutError);
    assert.equal(await settled(p), 'pending');
    assert.equal(ledger.confirm('fix the tests'), 'c1');
    assert.equal(await settled(p), 'resolved');
  });

  it('treats a repeated clientId as the same prompt, before and after confirmation', async () => {
    const p = ledger.add('c1', 'hi', 10_000, timeoutError);
    assert.equal(ledger.existing('c1'), p);
    ledger.confirm('hi');
    assert.equal(await settled(ledger.existing('c1')!), 'resolved');
    assert.equal(ledger.existing('c2'), undefined);
  });

  it('matches whitespace-insensitively and leaves terminal prompts unattributed', () => {
    ledger.add('c1', 'line one\r\nline two ', 10_000, timeoutError);
    assert.equal(ledger.confirm('something typed in the terminal'), undefined);
    assert.equal(ledger.confirm('line one\nline two'), 'c1');
    assert.equal(promptKey('  a\n\n b\t'), 'a b');
  });

  it('rejects a prompt the agent never confirms', async () => {
    const p = ledger.add('c1', 'hi', 10_000, timeoutError);
    clock.advance(10_000);
    assert.equal(await settled(p), 'rejected');
    assert.equal(ledger.confirm('hi'), undefined);
  });

  it('puts the held event where the transcript repeats the prompt, and drops a late copy after the grace', () => {
    const held: ChatEvent = { kind: 'user', text: 'hi', source: 'device', clientId: 'c1' };
    ledger.expectEcho(['hi', '\n\n<wrapped>hi'], held);
    assert.deepEqual(chat, []);
    assert.equal(ledger.takeEcho('\n\n<wrapped>hi'), held);
    assert.equal(ledger.takeEcho('hi'), undefined);
    ledger.expectEcho(['again'], { kind: 'user', text: 'again', source: 'terminal' });
    clock.advance(3000);
    assert.deepEqual(chat, [{ kind: 'user', text: 'again', source: 'terminal' }]);
    assert.equal(ledger.takeEcho('again'), 'drop');
  });

  it('flushes held events and fails pending prompts when the session ends', async () => {
    const p = ledger.add('c1', 'x', 10_000, timeoutError);
    ledger.expectEcho(['y'], { kind: 'user', text: 'y', source: 'terminal' });
    ledger.flushEchoes();
    ledger.failAll(new Error('ended'));
    assert.equal(chat.length, 1);
    assert.equal(await settled(p), 'rejected');
    assert.equal(clock.pendingTimers, 0);
  });
});
