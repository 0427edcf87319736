// SessionManager: wrapped sessions started for real (the scripted fake agent in a real pty, ./fakeAgent.ts),
// adopted ones played by a small fake, and a real HostService with one peer that sees what a device would.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApprovalBroker } from '../../../../src/core/approvals/approvalBroker';
import { systemClock } from '../../../../src/core/base/clock';
import { Emitter } from '../../../../src/core/base/event';
import { nullLogger } from '../../../../src/core/base/logger';
import { ChatLog } from '../../../../src/core/host/chatLog';
import { HostService } from '../../../../src/core/host/hostService';
import type { HostMessage, SessionInfo } from '../../../../src/core/wire/protocol';
import { AgentLaunchError, ClaudeCodeAdapter } from '../../../../src/node/agents/claude/claudeCode';
import { type ManagedSession, SessionManager, SessionManagerError } from '../../../../src/node/sessions/sessionManager';
import { FakeAgentAdapter, until } from './fakeAgent';

/** A session made elsewhere (as an attached one is): it ends when told to, or when stop() is called. */
class FakeSession implements ManagedSession {
  private readonly infoEmitter = new Emitter<SessionInfo>();
  readonly onInfo = this.infoEmitter.event;
  readonly chat = new ChatLog({ clock: systemClock });
  status: SessionInfo['status'] = 'idle';
  stops = 0;
  disposed = false;
  stopError: Error | undefined;

  constructor(readonly id: string) {}

  info(): SessionInfo {
    return { id: this.id, title: 'fake', agent: 'claude-code', cwd: '/w', status: this.status, since: 0, lastSeq: this.chat.lastSeq };
  }
  prompt(): void {}
  interrupt(): void {}
  async stop(): Promise<void> {
    this.stops++;
    if (this.stopError) throw this.stopError;
    this.end();
  }
  end(): void {
    this.status = 'ended';
    this.infoEmitter.fire(this.info());
  }
  dispose(): void {
    this.disposed = true;
  }
}

const isCode = (code: string) => (e: unknown) => e instanceof SessionManagerError && e.code === code;

describe('SessionManager', function () {
  this.timeout(20_000);
  let dir: string;
  let broker: ApprovalBroker;
  let service: HostService;
  let manager: SessionManager;
  let sent: HostMessage[];
  let added: string[];
  let removed: string[];

  const sessionMessages = (id: string) => sent.flatMap((m) => (m.type === 'session' && m.session.id === id ? [m.session.status] : []));
  const startFake = () => manager.start({ adapter: new FakeAgentAdapter(path.join(dir, 'fake-1.jsonl')), argv: [], cwd: dir, env: { PATH: process.env.PATH } });

  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-manager-')));
    broker = new ApprovalBroker({ clock: systemClock });
    service = new HostService({ hostName: 'test', broker });
    manager = new SessionManager({ service, broker, clock: systemClock, logger: nullLogger });
    sent = [];
    service.connect({ id: 'phone', name: 'phone', send: (m) => sent.push(m) });
    added = [];
    removed = [];
    manager.onDidAdd((s) => added.push(s.id));
    manager.onDidRemove((s) => removed.push(s.id));
  });
  afterEach(async () => {
    await manager.close();
    service.dispose();
    broker.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts a wrapped agent gated by its broker, serves it to the peers and lists it', async () => {
    const session = await startFake();
    assert.deepEqual(manager.list(), [session]);
    assert.equal(manager.get(session.id), session);
    assert.deepEqual(added, [session.id]);
    assert.deepEqual(service.sessionInfos().map((i) => i.id), [session.id]);
    assert.ok(sessionMessages(session.id).length > 0);
    // A device prompt through the service reaches the agent, and its tool call waits on the manager's broker.
    service.connect({ id: 'phone', name: 'phone', send: (m) => sent.push(m) }).receive({ type: 'prompt', session: session.id, text: 'run TOOL', clientId: 'c-1' });
    await until('the approval on the device', () => sent.some((m) => m.type === 'approval' && m.request.session === session.id));
    assert.equal(broker.pending(session.id).length, 1);
  });

  it('leaves nothing registered when a start fails', async () => {
    // Refused before anything is spawned: a permission-bypassing flag.
    await assert.rejects(manager.start({ adapter: new ClaudeCodeAdapter(), argv: ['--dangerously-skip-permissions'], cwd: dir }), (e: unknown) => e instanceof AgentLaunchError);
    assert.deepEqual(manager.list(), []);
    assert.deepEqual(service.sessionInfos(), []);
    assert.deepEqual(added, []);
    assert.equal(sent.filter((m) => m.type === 'session').length, 0);
  });

  it('stops a started agent: it exits, the devices see it end, and it leaves the service', async () => {
    const session = await startFake();
    await until('the prompt box', () => session.info().status === 'idle');
    await manager.stop(session.id);
    assert.equal(session.info().status, 'ended');
    assert.equal(sessionMessages(session.id).at(-1), 'ended');
    assert.deepEqual(manager.list(), []);
    assert.deepEqual(service.sessionInfos(), []);
    assert.deepEqual(removed, [session.id]);
  });

  it('adopts a session made elsewhere and drops it when it ends by itself, after the devices saw it end', () => {
    const s = manager.adopt(new FakeSession('a-1'));
    assert.deepEqual(manager.list(), [s]);
    assert.deepEqual(sessionMessages('a-1'), ['idle']);
    s.end();
    assert.deepEqual(sessionMessages('a-1'), ['idle', 'ended']);
    assert.deepEqual(manager.list(), []);
    assert.deepEqual(service.sessionInfos(), []);
    assert.deepEqual(removed, ['a-1']);
    assert.equal(s.disposed, true);
    assert.equal(s.stops, 0);
  });

  it('shows an adopted session that has already ended once, and drops it', () => {
    const s = new FakeSession('a-2');
    s.status = 'ended';
    manager.adopt(s);
    assert.deepEqual(sessionMessages('a-2'), ['ended']);
    assert.deepEqual(manager.list(), []);
    assert.deepEqual(added, ['a-2']);
    assert.deepEqual(removed, ['a-2']);
  });

  it('stops one adopted session and keeps the others', async () => {
    const a = manager.adopt(new FakeSession('a-1'));
    const b = manager.adopt(new FakeSession('a-2'));
    await manager.stop('a-1');
    assert.equal(a.stops, 1);
    assert.equal(b.stops, 0);
    assert.deepEqual(manager.list(), [b]);
    assert.deepEqual(service.sessionInfos().map((i) => i.id), ['a-2']);
  });

  it('gives a clear error for a stop of an id it does not serve', async () => {
    await assert.rejects(manager.stop('nope'), (e: unknown) => isCode('SESSIONS_ERR_UNKNOWN')(e) && (e as Error).message.includes('nope'));
  });

  it('refuses a second session with an id it already serves, and keeps the first', () => {
    const first = manager.adopt(new FakeSession('same'));
    const second = new FakeSession('same');
    assert.throws(() => manager.adopt(second), isCode('SESSIONS_ERR_DUPLICATE'));
    assert.deepEqual(manager.list(), [first]);
    assert.equal(second.disposed, false);
    assert.deepEqual(added, ['same']);
  });

  it('takes a session whose stop failed off the service too, stops the others, and reports the failure', async () => {
    const failing = manager.adopt(new FakeSession('a-1'));
    failing.stopError = new Error('would not stop');
    const other = manager.adopt(new FakeSession('a-2'));
    await assert.rejects(manager.stopAll(), /would not stop/);
    assert.equal(other.stops, 1);
    assert.equal(failing.disposed, true);
    assert.deepEqual(manager.list(), []);
    assert.deepEqual(service.sessionInfos(), []);
  });

  it('stops every session when disposed, and takes no more', async () => {
    const a = manager.adopt(new FakeSession('a-1'));
    const wrapped = await startFake();
    manager.dispose();
    await manager.close();
    assert.equal(a.stops, 1);
    assert.equal(wrapped.info().status, 'ended');
    assert.deepEqual(manager.list(), []);
    assert.deepEqual(service.sessionInfos(), []);
    assert.deepEqual(removed.sort(), [a.id, wrapped.id].sort());
    assert.throws(() => manager.adopt(new FakeSession('late')), isCode('SESSIONS_ERR_CLOSED'));
    await assert.rejects(startFake(), isCode('SESSIONS_ERR_CLOSED'));
  });

  it('stops an agent whose start finished after the manager was disposed, and serves nothing', async () => {
    const starting = startFake();
    manager.dispose();
    await assert.rejects(starting, isCode('SESSIONS_ERR_CLOSED'));
    assert.deepEqual(manager.list(), []);
    assert.deepEqual(service.sessionInfos(), []);
    assert.deepEqual(added, []);
  });
});
