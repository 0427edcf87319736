// SessionCore on hook calls alone (no pty, no transcript): what a submitted prompt becomes in the chat.
import assert from 'node:assert/strict';
import { ApprovalBroker } from '../../../../src/core/approvals/approvalBroker';
import { ManualClock } from '../../../../src/core/base/clock';
import { nullLogger } from '../../../../src/core/base/logger';
import { ClaudeCodeAdapter } from '../../../../src/node/agents/claude/claudeCode';
import { SessionCore, type ParsedHookEvent } from '../../../../src/node/sessions/sessionCore';

describe('SessionCore', () => {
  const adapter = new ClaudeCodeAdapter();
  let clock: ManualClock;
  let broker: ApprovalBroker;
  let core: SessionCore;

  beforeEach(() => {
    clock = new ManualClock();
    broker = new ApprovalBroker({ clock });
    core = new SessionCore(
      { adapter, cwd: '/w', broker, clock, logger: nullLogger },
      { status: 'idle', title: 't', launch: 'wrapped', logName: 'session', error: (code, message) => Object.assign(new Error(message), { code }) },
    );
  });
  afterEach(() => {
    core.cleanup();
    broker.dispose();
  });

  const submit = async (prompt: string) => {
    const ev = adapter.parseHookInput({ session_id: 'a', transcript_path: '/nonexistent/t.txt', cwd: '/w', hook_event_name: 'UserPromptSubmit', prompt, permission_mode: 'default' });
    assert.notEqual(ev.kind, 'invalid');
    await core.answer(ev as ParsedHookEvent, new AbortController().signal);
    clock.advance(10_000); // past the wait for the transcript's copy
  };
  const users = () => core.chat.since(0).flatMap((e) => (e.event.kind === 'user' ? [e.event] : []));

  it('shows a prompt typed at the terminal as typed there', async () => {
    await submit('fix the tests');
    assert.deepEqual(users().map((u) => [u.text, u.source]), [['fix the tests', 'terminal']]);
    assert.equal(core.status, 'working');
  });

  it('types a prompt once per clientId however often it is resent, and confirms every resend with the first', async () => {
    let typed = 0;
    const send = () => core.prompt('do it', 'c-1', () => () => void typed++);
    const first = send();
    const again = send();
    await new Promise((r) => setImmediate(r));
    await submit('do it');
    await Promise.all([first, again, send()]);
    assert.equal(typed, 1);
    assert.deepEqual(users().map((u) => [u.text, u.clientId, u.source]), [['do it', 'c-1', 'device']]);
  });

  it('never shows a background task notification as typed in the terminal (its result and paths stay on the host)', async () => {
    await submit('<task-notification>\n<task-id>b1</task-id>\n<output-file>/tmp/claude-0/tasks/b1.output</output-file>\n<result>SECRET RESULT</result>\n</task-notification>');
    assert.deepEqual(users(), []);
    assert.equal(JSON.stringify(core.chat.since(0)).includes('SECRET RESULT'), false);
    assert.equal(core.status, 'working');
  });
});
