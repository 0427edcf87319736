// AgentSession against a scripted fake agent in a real pty (./fakeAgent.ts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApprovalBroker } from '../../../../src/core/approvals/approvalBroker';
import { systemClock } from '../../../../src/core/base/clock';
import { nullLogger } from '../../../../src/core/base/logger';
import type { SessionStatus } from '../../../../src/core/wire/protocol';
import { AgentSession, AgentSessionError } from '../../../../src/node/sessions/agentSession';
import { FakeAgentAdapter, until } from './fakeAgent';

describe('AgentSession (with a scripted fake agent)', function () {
  this.timeout(20_000);
  let dir: string;
  let transcript: string;
  let broker: ApprovalBroker;
  let session: AgentSession | undefined;

  const start = async (mode?: string) => {
    session = await AgentSession.start({ adapter: new FakeAgentAdapter(transcript, mode), argv: [], cwd: dir, broker, clock: systemClock, logger: nullLogger, env: { PATH: process.env.PATH } });
    return session;
  };

  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-session-')));
    transcript = path.join(dir, 'fake-1.jsonl');
    broker = new ApprovalBroker({ clock: systemClock });
  });
  afterEach(async () => {
    await session?.stop();
    session = undefined;
    broker.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('walks starting → idle → working → waiting → working → idle and logs one user event per prompt', async () => {
    const s = await start();
    const statuses: SessionStatus[] = [s.info().status];
    s.onInfo((i) => statuses.push(i.status));
    await s.prompt('run TOOL please', 'c-1');
    await until('an approval', () => broker.pending(s.id).length === 1);
    const [req] = broker.pending(s.id);
    broker.decide(req.id, req.inputHash, 'allow', { kind: 'device', name: 'phone' });
    await until('idle', () => s.info().status === 'idle' && s.chat.lastSeq >= 2);
    assert.deepEqual(statuses, ['starting', 'idle', 'working', 'waiting', 'working', 'idle']);
    const events = s.chat.since(0).map((e) => e.event);
    assert.deepEqual(events, [
      { kind: 'user', text: 'run TOOL please', source: 'device', clientId: 'c-1' },
      { kind: 'assistant', text: 'decision: allow' },
    ]);
    await s.prompt('run TOOL please', 'c-1'); // resent after a reconnect: not typed again
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(broker.pending(s.id).length, 0);
  });

  it('denies tool calls and flags the session when the agent reports bypassPermissions', async () => {
    const s = await start('bypassPermissions');
    await s.prompt('TOOL now');
    await until('the answer', () => s.chat.since(0).some((e) => e.event.kind === 'assistant'));
    assert.equal(s.bypassDetected, true);
    assert.equal(broker.pending().length, 0);
    const kinds = s.chat.since(0).map((e) => (e.event.kind === 'assistant' ? e.event.text : e.event.kind));
    assert.ok(kinds.includes('notice'));
    assert.ok(kinds.includes('decision: deny'));
  });

  it('rebuilds the chat from a transcript that already has history (a restarted host)', async () => {
    fs.writeFileSync(transcript, [JSON.stringify({ type: 'user', uuid: 'h1', message: { role: 'user', content: 'earlier prompt' } }), JSON.stringify({ type: 'assistant', uuid: 'h2', message: { role: 'assistant', content: [{ type: 'text', text: 'earlier answer' }] } })].join('\n') + '\n');
    const s = await start();
    await s.prompt('new prompt', 'c-2');
    await until('the new answer', () => s.chat.since(0).length >= 4);
    const texts = s.chat.since(0).map((e) => ('text' in e.event ? e.event.text : ''));
    assert.deepEqual(texts, ['earlier prompt', 'earlier answer', 'new prompt', 'ok']);
  });

  it('goes idle on an interrupt record (no Stop) after Esc', async () => {
    const s = await start();
    await s.prompt('HANG on');
    await until('the answer', () => s.chat.since(0).some((e) => e.event.kind === 'assistant'));
    assert.equal(s.info().status, 'working');
    s.interrupt();
    await until('idle after the interrupt', () => s.info().status === 'idle');
  });

  it('ends: cancels pending approvals and refuses later prompts', async () => {
    const s = await start();
    await s.prompt('TOOL');
    await until('an approval', () => broker.pending(s.id).length === 1);
    const exited = new Promise<number>((r) => s.onExit(r));
    await s.stop();
    await exited;
    assert.equal(s.info().status, 'ended');
    assert.equal(broker.pending().length, 0);
    await assert.rejects(s.prompt('again'), (e: unknown) => e instanceof AgentSessionError && e.code === 'SESSION_ERR_ENDED');
  });
});
