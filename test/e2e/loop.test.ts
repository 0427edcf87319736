// `/loop` in a live session with the REAL Claude Code CLI (offline, scripted model): a device types
// "/loop 1m …" through the HostService like any prompt; Walkie handles it (the agent never sees "/loop") and
// types the prompt alone at every beat while the session is idle.
//
// Time is ACCELERATED, honestly: the loop manager runs on a clock where one real millisecond is 60 clock
// milliseconds (a one-minute interval beats every real second). The agent, its hooks and the session run on
// real time. A turn of the real CLI takes a few real seconds — several clock minutes — so beats that fall
// while the agent is busy are skipped, exactly as they would be.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApprovalBroker } from '../../src/core/approvals/approvalBroker';
import { systemClock, type Clock, type TimerHandle } from '../../src/core/base/clock';
import { HostService } from '../../src/core/host/hostService';
import type { HostMessage } from '../../src/core/wire/protocol';
import { ClaudeCodeAdapter } from '../../src/node/agents/claude/claudeCode';
import { HostSchedules } from '../../src/node/schedule/hostSchedules';
import { SessionManager } from '../../src/node/sessions/sessionManager';
import { claudeBin, seedClaudeHome, type ClaudeHome } from '../fixtures/claudeEnv';
import { contentText, startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { recordingLogger, waitFor } from './agentHarness';

const SPEED = 60;

/** Wall-clock time SPEED times faster than real time, with timers to match. */
function acceleratedClock(): Clock {
  const origin = Date.now();
  return {
    now: () => origin + (Date.now() - origin) * SPEED,
    setTimeout: (fn, ms) => setTimeout(fn, Math.ceil(ms / SPEED)) as unknown as TimerHandle,
    clearTimeout: (h) => clearTimeout(h as unknown as NodeJS.Timeout),
  };
}

describe('/loop in a live session with the real Claude Code CLI', function () {
  this.timeout(90_000);
  let mock: MockAnthropic;
  let home: ClaudeHome;
  let stateDir: string;
  let broker: ApprovalBroker;
  let service: HostService;
  let sessions: SessionManager;
  let schedules: HostSchedules;
  const logs: string[] = [];

  before(async () => {
    mock = await startMockAnthropic();
    home = seedClaudeHome(mock.url);
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-loop-e2e-'));
    const logger = recordingLogger(logs);
    broker = new ApprovalBroker({ clock: systemClock, logger });
    service = new HostService({ hostName: 'loop box', broker, logger });
    sessions = new SessionManager({ service, broker, clock: systemClock, logger });
    schedules = HostSchedules.start({ stateDir, service, sessions, broker, launch: () => ({ adapter: new ClaudeCodeAdapter({ bin: claudeBin() }), argv: [] }), allowDir: () => false, clock: acceleratedClock(), logger });
  });
  after(async () => {
    schedules?.dispose();
    await sessions?.close();
    service?.dispose();
    broker?.dispose();
    await mock?.close();
    home?.dispose();
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('sends the prompt alone, at once and again a minute (of clock time) later, with the phone gone; the phone comes back, lists and cancels it', async () => {
    const session = await sessions.start({ adapter: new ClaudeCodeAdapter({ bin: claudeBin() }), argv: [], cwd: home.projects[0]!, env: home.env });
    const sent: HostMessage[] = [];
    const peer = service.connect({ id: 'phone', name: 'phone', send: (m) => sent.push(m) });
    peer.receive({ type: 'hello', v: 1, features: ['schedules'] });
    await waitFor('the prompt box', () => session.info().status === 'idle');
    peer.receive({ type: 'prompt', session: session.id, text: '/loop 1m SCENARIO:text are we there yet', clientId: 'c-loop' });
    // The device's /loop lands (its clientId echoes) with a notice, and is never typed into the agent.
    const chat = () => session.chat.since(0).map((e) => e.event);
    assert.ok(chat().some((e) => e.kind === 'user' && e.clientId === 'c-loop'));
    assert.ok(chat().some((e) => e.kind === 'notice' && /every 1 minute/.test(e.text)));
    const modelPrompts = () => mock.requests.filter((r) => (r.tools?.length ?? 0) > 0).at(-1)?.messages?.filter((m) => m.role === 'user').map((m) => contentText(m.content)) ?? [];
    // The phone goes away: the loop keeps going on the host.
    peer.dispose();
    await waitFor('the prompt twice at the model', () => modelPrompts().filter((t) => t.includes('are we there yet')).length >= 2, 60_000);
    assert.equal(modelPrompts().some((t) => t.includes('/loop')), false, 'the agent never saw /loop');
    // The phone reconnects and resends its unacknowledged /loop: no second loop.
    const back = service.connect({ id: 'phone', name: 'phone', send: (m) => sent.push(m) });
    back.receive({ type: 'hello', v: 1, features: ['schedules'] });
    back.receive({ type: 'prompt', session: session.id, text: '/loop 1m SCENARIO:text are we there yet', clientId: 'c-loop' });
    const listing = schedules.listing();
    assert.equal(listing.loops.length, 1);
    const loop = listing.loops[0]!;
    assert.equal(loop.session, session.id);
    assert.equal(loop.prompt, 'SCENARIO:text are we there yet');
    assert.equal(loop.intervalMs, 60_000);
    assert.ok(loop.count >= 2);
    // The device sees the listing, and cancels the loop.
    back.receive({ type: 'schedules' });
    assert.ok(sent.some((m) => m.type === 'schedules' && m.listing.loops.length === 1 && m.listing.loops[0]!.count >= 2));
    back.receive({ type: 'loopCancel', id: loop.id });
    assert.equal(schedules.listing().loops.length, 0);
    const countAtCancel = modelPrompts().filter((t) => t.includes('are we there yet')).length;
    await new Promise((r) => setTimeout(r, 3000)); // three more clock minutes
    assert.equal(modelPrompts().filter((t) => t.includes('are we there yet')).length, countAtCancel);
    assert.ok(chat().some((e) => e.kind === 'notice' && e.text === 'Loop cancelled.'));
  });

  it('a device without the schedules feature still gets its /loop handled, but no listing', async () => {
    const session = sessions.list()[0]!;
    const sent: HostMessage[] = [];
    const peer = service.connect({ id: 'old-phone', name: 'old phone', send: (m) => sent.push(m) });
    peer.receive({ type: 'prompt', session: session.id, text: '/loop 0m nope', clientId: 'c-old' });
    assert.ok(session.chat.since(0).some((e) => e.event.kind === 'notice' && /more than zero/.test(e.event.text)));
    peer.receive({ type: 'schedules' });
    assert.equal(sent.some((m) => m.type === 'schedules'), false);
  });
});
