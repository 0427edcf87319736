// SessionManager with a history (a long-lived host, `walkie serve`): an ended session stays listed with its
// chat under the same id until cleared, and a new manager on the same history lists it again, its chat
// rebuilt from the agent's transcript through the adapter's reader.
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
import type { SessionInfo } from '../../../../src/core/wire/protocol';
import { ClaudeCodeAdapter } from '../../../../src/node/agents/claude/claudeCode';
import { SessionHistory } from '../../../../src/node/sessions/sessionHistory';
import { type ManagedSession, SessionManager } from '../../../../src/node/sessions/sessionManager';

class FakeSession implements ManagedSession {
  private readonly infoEmitter = new Emitter<SessionInfo>();
  readonly onInfo = this.infoEmitter.event;
  readonly chat = new ChatLog({ clock: systemClock });
  status: SessionInfo['status'] = 'idle';
  constructor(
    readonly id: string,
    readonly transcriptPath?: string,
    readonly agentSessionId?: string,
  ) {}
  info(): SessionInfo {
    return { id: this.id, title: 'fake', agent: 'claude-code', cwd: '/w', status: this.status, since: 0, lastSeq: this.chat.lastSeq };
  }
  prompt(): void {}
  interrupt(): void {}
  async stop(): Promise<void> {
    this.status = 'ended';
    this.infoEmitter.fire(this.info());
  }
  dispose(): void {}
}

describe('SessionManager with a history', () => {
  let dir: string;
  const make = () => {
    const broker = new ApprovalBroker({ clock: systemClock });
    const service = new HostService({ hostName: 'h', broker });
    const history = SessionHistory.open(path.join(dir, 'sessions.json'), nullLogger);
    return { service, history, manager: new SessionManager({ service, broker, clock: systemClock, logger: nullLogger, history }) };
  };
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-sessions-hist-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps an ended session listed with its chat, under the same id, until it is cleared', async () => {
    const { service, manager } = make();
    const s = manager.adopt(new FakeSession('a1'));
    s.chat.append({ kind: 'assistant', text: 'hello' });
    await manager.stop('a1');
    const listed = service.sessionList();
    assert.deepEqual(listed.map((x) => [x.id, x.status, x.lastSeq]), [['a1', 'ended', 1]]);
    assert.equal(manager.get('a1')!.chat.since(0)[0]!.event.kind, 'assistant');
    assert.throws(() => manager.clear('nope'), /no session/);
    manager.clear('a1');
    assert.deepEqual(service.sessionList(), []);
  });

  it('never lists the service without a session while it is replaced by its ended state', async () => {
    const { service, manager } = make();
    const lists: string[][] = [];
    const conn = service.connect({ id: 'p', name: 'p', send: (m) => m.type === 'sessionList' && lists.push(m.sessions.map((x) => x.id)) });
    conn.receive({ type: 'hello', v: 1, features: ['sessions'] });
    manager.adopt(new FakeSession('c1'));
    await manager.stop('c1');
    assert.ok(lists.length >= 2);
    assert.deepEqual(lists.slice(1).filter((l) => !l.includes('c1')), [], JSON.stringify(lists));
  });

  it('lists remembered sessions again after a restart, with the chat read back from the transcript', async () => {
    const transcript = path.join(dir, 'abc.jsonl');
    fs.writeFileSync(
      transcript,
      [
        JSON.stringify({ type: 'user', uuid: 'u1', message: { role: 'user', content: 'fix the tests' } }),
        'not json',
        JSON.stringify({ type: 'assistant', uuid: 'u2', message: { role: 'assistant', content: [{ type: 'text', text: 'Fixed.' }] } }),
      ].join('\n') + '\n',
    );
    const first = make();
    first.manager.adopt(new FakeSession('b1', transcript, '0b5e3c0c-8a43-4d1e-9d0e-000000000001'));
    await first.manager.close();
    const second = make();
    second.manager.restore(() => new ClaudeCodeAdapter());
    const s = second.manager.get('b1');
    assert.ok(s, 'not listed after the restart');
    assert.equal(s.info().status, 'ended');
    assert.deepEqual(
      s.chat.since(0).map((e) => [e.event.kind, (e.event as { text?: string }).text]),
      [
        ['user', 'fix the tests'],
        ['assistant', 'Fixed.'],
      ],
    );
  });

  it('sets a corrupt history file aside and starts with an empty list', () => {
    fs.writeFileSync(path.join(dir, 'sessions.json'), '{"v":1,"sessions":[{"id":5}]}');
    const { manager } = make();
    manager.restore(() => new ClaudeCodeAdapter());
    assert.deepEqual(manager.list(), []);
    assert.ok(fs.existsSync(path.join(dir, 'sessions.json.corrupt')));
  });
});
