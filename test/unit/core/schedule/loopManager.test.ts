import assert from 'node:assert/strict';
import { ManualClock } from '../../../../src/core/base/clock';
import { Emitter } from '../../../../src/core/base/event';
import { nullLogger } from '../../../../src/core/base/logger';
import { ChatLog } from '../../../../src/core/host/chatLog';
import type { SessionHandle } from '../../../../src/core/host/hostService';
import { LoopManager } from '../../../../src/core/schedule/loopManager';
import type { SessionInfo } from '../../../../src/core/wire/protocol';
import { SleepClock } from '../../node/schedule/sleepClock';

const MIN = 60_000;

class FakeSession implements SessionHandle {
  readonly onInfo = new Emitter<SessionInfo>().event;
  readonly chat: ChatLog;
  status: SessionInfo['status'] = 'idle';
  prompts: Array<{ text: string; clientId: string }> = [];
  refuse = false;
  constructor(
    readonly id: string,
    clock: ManualClock,
  ) {
    this.chat = new ChatLog({ clock });
  }
  info(): SessionInfo {
    return { id: this.id, title: 't', agent: 'claude-code', cwd: '/w', status: this.status, since: 0, lastSeq: this.chat.lastSeq };
  }
  prompt(text: string, clientId: string): Promise<void> {
    if (this.refuse) return Promise.reject(Object.assign(new Error('Slash commands cannot be sent'), { code: 'SESSION_ERR_PROMPT_REFUSED' }));
    this.prompts.push({ text, clientId });
    return Promise.resolve();
  }
  interrupt(): void {}
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

describe('LoopManager', () => {
  let clock: ManualClock;
  let loops: LoopManager;
  let s: FakeSession;

  beforeEach(() => {
    clock = new ManualClock();
    loops = new LoopManager({ clock, logger: nullLogger });
    s = new FakeSession('s1', clock);
  });
  afterEach(() => loops.dispose());

  it('leaves ordinary prompts to the agent', () => {
    assert.equal(loops.handlePrompt(s, 'check the build', 'c1'), false);
    assert.equal(s.chat.lastSeq, 0);
  });

  it('sends the prompt alone at once and every interval while idle; a busy beat is skipped, not queued', () => {
    assert.equal(loops.handlePrompt(s, '/loop 5m check the deploy', 'c1'), true);
    assert.deepEqual(s.prompts.map((p) => p.text), ['check the deploy']);
    clock.advance(5 * MIN);
    assert.equal(s.prompts.length, 2);
    s.status = 'working';
    clock.advance(5 * MIN); // busy: skipped
    clock.advance(4 * MIN);
    s.status = 'idle';
    assert.equal(s.prompts.length, 2, 'a skipped beat is not sent when the session becomes idle');
    clock.advance(1 * MIN);
    assert.equal(s.prompts.length, 3);
    const [view] = loops.list();
    assert.equal(view!.count, 3);
    assert.equal(view!.skipped, 1);
    assert.equal(new Set(s.prompts.map((p) => p.clientId)).size, 3, 'each beat is a new prompt');
  });

  it('after a sleep sends once on waking (within the 5-minute cap), then keeps to multiples of the interval', () => {
    const sleepy = new SleepClock(1_700_000_000_000);
    const l = new LoopManager({ clock: sleepy, logger: nullLogger });
    const t0 = sleepy.now();
    l.handlePrompt(s, '/loop 10m look', 'c1');
    assert.equal(s.prompts.length, 1);
    sleepy.sleep(92 * MIN); // nine beats slept through
    sleepy.advance(5 * MIN);
    assert.equal(s.prompts.length, 2, 'one prompt for all the missed beats');
    assert.equal(l.list()[0]!.nextAt, t0 + 100 * MIN);
    sleepy.advance(3 * MIN);
    assert.equal(s.prompts.length, 3);
    l.dispose();
  });

  it('answers a bad /loop with a notice and makes no loop; a resent /loop makes no second loop', () => {
    loops.handlePrompt(s, '/loop 5m', 'c1');
    assert.equal(loops.list().length, 0);
    assert.ok(s.chat.since(0).some((e) => e.event.kind === 'notice' && /Say what to repeat/.test(e.event.text)));
    loops.handlePrompt(s, '/loop 5m look', 'c2');
    loops.handlePrompt(s, '/loop 5m look', 'c2');
    assert.equal(loops.list().length, 1);
  });

  it('allows at most 50 loops per session', () => {
    for (let i = 0; i < 50; i++) loops.handlePrompt(s, `/loop 1h look ${i}`, `c${i}`);
    loops.handlePrompt(s, '/loop 1h one too many', 'c50');
    assert.equal(loops.list().length, 50);
    assert.ok(s.chat.since(0).some((e) => e.event.kind === 'notice' && /already has 50 loops/.test(e.event.text)));
    loops.handlePrompt(new FakeSession('s2', clock), '/loop 1h elsewhere', 'x');
    assert.equal(loops.list().length, 51);
  });

  it('ends a loop after 7 days, when cancelled, and with its session', () => {
    loops.handlePrompt(s, '/loop 1d daily look', 'c1');
    clock.advance(7 * 24 * 60 * MIN);
    assert.equal(loops.list().length, 0);
    assert.equal(s.prompts.length, 7);
    assert.ok(s.chat.since(0).some((e) => e.event.kind === 'notice' && /loops last 7 days/.test(e.event.text)));
    loops.handlePrompt(s, '/loop 5m a', 'c2');
    assert.equal(loops.cancel(loops.list()[0]!.id), true);
    assert.equal(loops.cancel('loop-nope'), false);
    loops.handlePrompt(s, '/loop 5m b', 'c3');
    loops.endSession('s1');
    assert.equal(loops.list().length, 0);
    assert.equal(clock.pendingTimers, 0, 'no timer is left when no loop is');
  });

  it('ends a loop whose prompt the agent refuses', async () => {
    s.refuse = true;
    loops.handlePrompt(s, '/loop 5m look', 'c1');
    await new Promise((r) => setImmediate(r));
    assert.equal(loops.list().length, 0);
    assert.ok(s.chat.since(0).some((e) => e.event.kind === 'notice' && /Loop ended: Slash commands/.test(e.event.text)));
  });
});
