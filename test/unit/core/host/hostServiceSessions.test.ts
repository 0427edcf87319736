// HostService, feature `sessions`: the session list and session control reach only peers that agreed to the
// feature; an older (v1) peer sees exactly what it saw before.
import assert from 'node:assert/strict';
import { ApprovalBroker } from '../../../../src/core/approvals/approvalBroker';
import { ManualClock } from '../../../../src/core/base/clock';
import { Emitter } from '../../../../src/core/base/event';
import { ChatLog } from '../../../../src/core/host/chatLog';
import { HostService, type SessionHandle } from '../../../../src/core/host/hostService';
import { SessionControlError, type SessionControl, type StartRequest } from '../../../../src/core/host/sessionControl';
import { PROTOCOL_VERSION, type HostMessage, type SessionInfo } from '../../../../src/core/wire/protocol';

class FakeSession implements SessionHandle {
  readonly infoEmitter = new Emitter<SessionInfo>();
  readonly onInfo = this.infoEmitter.event;
  readonly chat: ChatLog;
  status: SessionInfo['status'] = 'idle';
  constructor(
    readonly id: string,
    clock: ManualClock,
  ) {
    this.chat = new ChatLog({ clock });
  }
  info(): SessionInfo {
    return { id: this.id, title: 't', agent: 'claude-code', cwd: '/w', status: this.status, since: 5, lastSeq: this.chat.lastSeq };
  }
  prompt(): void {}
  interrupt(): void {}
  async stop(): Promise<void> {}
}

class FakeControl implements SessionControl {
  readonly started: StartRequest[] = [];
  folders = () => ['/w'];
  async listPast(folder: string) {
    if (folder !== '/w') throw new SessionControlError('HOST_ERR_FOLDER_REFUSED', `"${folder}" is outside the folders this computer allows: /w.`);
    return [{ id: 'p1', title: 'old', lastActivity: 1 }];
  }
  async start(r: StartRequest): Promise<SessionInfo> {
    this.started.push(r);
    if (r.folder !== '/w') throw new SessionControlError('HOST_ERR_FOLDER_REFUSED', 'outside');
    return { id: 'new', title: 'n', agent: 'claude-code', cwd: '/w', status: 'starting', since: 0, lastSeq: 0 };
  }
  async stop(): Promise<void> {}
  clear(): void {}
}

function setup() {
  const clock = new ManualClock(1000);
  const broker = new ApprovalBroker({ clock, expiryMs: 60_000 });
  const service = new HostService({ hostName: 'box', broker });
  const session = new FakeSession('s1', clock);
  service.addSession(session);
  const peer = (id: string, features?: string[]) => {
    const got: HostMessage[] = [];
    const conn = service.connect({ id, name: id, send: (m) => got.push(m) });
    if (features) conn.receive({ type: 'hello', v: PROTOCOL_VERSION, features });
    return { got, conn };
  };
  return { clock, service, session, peer };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('HostService (feature sessions)', () => {
  it('sends the session list with pending approvals and last activity to a peer that agreed, and again on changes', () => {
    const { service, session, peer, clock } = setup();
    service.setSessionControl(new FakeControl());
    const { got } = peer('phone', ['sessions']);
    const list = got.find((m) => m.type === 'sessionList');
    assert.ok(list && list.type === 'sessionList');
    assert.deepEqual(list.folders, ['/w']);
    assert.deepEqual(list.sessions.map((s) => [s.id, s.pending, s.lastActivity]), [['s1', 0, 5]]);
    clock.advance(10);
    session.chat.append({ kind: 'assistant', text: 'hi' });
    session.status = 'working';
    session.infoEmitter.fire(session.info());
    const again = got.filter((m) => m.type === 'sessionList').at(-1);
    assert.ok(again && again.type === 'sessionList');
    assert.equal(again.sessions[0]!.status, 'working');
    assert.equal(again.sessions[0]!.lastActivity, 1010);
  });

  it('never sends a v1 peer (no hello) or a peer without the feature any of it, and ignores its requests', async () => {
    const { service, peer } = setup();
    const control = new FakeControl();
    service.setSessionControl(control);
    const v1 = peer('old');
    const other = peer('other', ['author']);
    for (const p of [v1, other]) {
      p.conn.receive({ type: 'listSessions' });
      p.conn.receive({ type: 'startSession', folder: '/w', prompt: 'go', clientId: 'c1' });
      p.conn.receive({ type: 'sync', session: 'gone', after: 0 });
    }
    await flush();
    for (const p of [v1, other]) {
      assert.equal(p.got.some((m) => ['sessionList', 'pastSessions', 'sessionStarted'].includes(m.type)), false);
      // An unknown session is still the v1 error for them.
      assert.ok(p.got.some((m) => m.type === 'error' && m.code === 'HOST_ERR_NO_SESSION'));
    }
    assert.deepEqual(control.started, []);
  });

  it('starts a session for a peer and answers with sessionStarted; a refused folder is an error naming the request', async () => {
    const { service, peer } = setup();
    const control = new FakeControl();
    service.setSessionControl(control);
    const { got, conn } = peer('phone', ['sessions']);
    conn.receive({ type: 'startSession', folder: '/w', prompt: 'do it', clientId: 'c1' });
    conn.receive({ type: 'startSession', folder: '/etc', prompt: 'do it', clientId: 'c2' });
    conn.receive({ type: 'startSession', folder: '/w', clientId: 'c3' });
    conn.receive({ type: 'listPast', folder: '/etc' });
    await flush();
    assert.ok(got.some((m) => m.type === 'sessionStarted' && m.ref === 'c1' && m.session.id === 'new'));
    assert.ok(got.some((m) => m.type === 'error' && m.ref === 'c2' && m.code === 'HOST_ERR_FOLDER_REFUSED' && m.message === 'outside'));
    assert.ok(got.some((m) => m.type === 'error' && m.ref === 'c3' && m.code === 'HOST_ERR_START_FAILED'));
    assert.ok(got.some((m) => m.type === 'error' && m.code === 'HOST_ERR_FOLDER_REFUSED' && /outside the folders/.test(m.message)));
    assert.deepEqual(control.started.map((r) => r.folder), ['/w', '/etc']);
  });

  it('refuses session control on a host without it (VS Code today), with a reason', async () => {
    const { peer } = setup();
    const { got, conn } = peer('phone', ['sessions']);
    conn.receive({ type: 'startSession', folder: '/w', prompt: 'go', clientId: 'c1' });
    await flush();
    assert.ok(got.some((m) => m.type === 'error' && m.ref === 'c1' && m.code === 'HOST_ERR_UNSUPPORTED'));
    const list = got.find((m) => m.type === 'sessionList');
    assert.ok(list && list.type === 'sessionList' && list.folders.length === 0);
  });

  it('answers a sync of an unknown session with an ended placeholder it can show, not an error', () => {
    const { peer } = setup();
    const { got, conn } = peer('phone', ['sessions']);
    conn.receive({ type: 'sync', session: 'gone', after: 3 });
    const s = got.find((m) => m.type === 'session' && m.session.id === 'gone');
    assert.ok(s && s.type === 'session');
    assert.equal(s.session.status, 'ended');
    assert.ok(got.some((m) => m.type === 'synced' && m.session === 'gone'));
    assert.equal(got.some((m) => m.type === 'error'), false);
  });
});
