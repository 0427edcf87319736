import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ApprovalBroker } from '../../../../src/core/approvals/approvalBroker';
import { ManualClock } from '../../../../src/core/base/clock';
import { nullLogger } from '../../../../src/core/base/logger';
import type { SessionStatus } from '../../../../src/core/wire/protocol';
import { ClaudeCodeAdapter } from '../../../../src/node/agents/claude/claudeCode';
import { AttachedSession, AttachedSessionError, type ParsedHookEvent } from '../../../../src/node/attach/attachedSession';
import type { TerminalInput } from '../../../../src/node/terminal/terminalInput';

const adapter = new ClaudeCodeAdapter();
const CWD = '/home/dev/proj';
const tick = () => new Promise((r) => setImmediate(r));

function hook(event: string, extra: Record<string, unknown> = {}): ParsedHookEvent {
  // No transcript_path: these tests drive the status and the ledger, not the chat history.
  const ev = adapter.parseHookInput({ session_id: 'cc-1', cwd: CWD, permission_mode: 'default', hook_event_name: event, ...extra });
  assert.notEqual(ev.kind, 'invalid');
  return ev as ParsedHookEvent;
}
const bash = () => hook('PreToolUse', { tool_name: 'Bash', tool_input: { command: 'npm test' }, tool_use_id: 'toolu_1' });

describe('AttachedSession', () => {
  let clock: ManualClock;
  let broker: ApprovalBroker;
  let typed: string[];
  let interrupts: number;
  let terminal: TerminalInput | undefined;
  let session: AttachedSession;
  let statuses: SessionStatus[];
  const signal = () => new AbortController().signal;

  beforeEach(() => {
    clock = new ManualClock();
    broker = new ApprovalBroker({ clock, expiryMs: 60_000 });
    typed = [];
    interrupts = 0;
    terminal = {
      paste: async (text) => void typed.push(text),
      interrupt: () => void interrupts++,
    };
    session = new AttachedSession({ agentSessionId: 'cc-1', cwd: CWD, adapter, broker, clock, logger: nullLogger, typer: (pid) => (pid === process.pid ? terminal : undefined) });
    statuses = [];
    session.onInfo((i) => statuses.push(i.status));
  });
  afterEach(() => {
    session.dispose();
    broker.dispose();
  });

  it('types a device prompt once per clientId and resolves when the agent confirms it', async () => {
    await session.handleHook(hook('SessionStart', { source: 'startup' }), process.pid, signal());
    const p1 = session.prompt('run the tests\x1b[201~', 'c-1');
    const p2 = session.prompt('run the tests\x1b[201~', 'c-1');
    await tick();
    assert.deepEqual(typed, ['run the tests[201~']);
    await session.handleHook(hook('UserPromptSubmit', { prompt: 'run the tests[201~' }), process.pid, signal());
    await Promise.all([p1, p2]);
    await session.prompt('run the tests', 'c-1');
    assert.equal(typed.length, 1);
    assert.equal(session.info().status, 'working');
    // With no transcript echo, the held chat event goes out after the grace period, with its clientId.
    clock.advance(3000);
    const users = session.chat.since(0).map((e) => e.event).filter((e) => e.kind === 'user');
    assert.deepEqual(users, [{ kind: 'user', text: 'run the tests[201~', source: 'device', clientId: 'c-1' }]);
  });

  it('refuses a prompt with no terminal to type into (SESSION_ERR_NO_TERMINAL), an empty one, and one after the end', async () => {
    await assert.rejects(session.prompt('hi', 'c-0'), (e: unknown) => e instanceof AttachedSessionError && e.code === 'SESSION_ERR_NO_TERMINAL');
    await session.handleHook(hook('SessionStart'), process.pid, signal());
    terminal = undefined;
    await assert.rejects(session.prompt('hi', 'c-1'), (e: unknown) => e instanceof AttachedSessionError && e.code === 'SESSION_ERR_NO_TERMINAL');
    await assert.rejects(session.prompt(' \x1b ', 'c-2'), (e: unknown) => e instanceof AttachedSessionError && e.code === 'SESSION_ERR_EMPTY_PROMPT');
    await session.handleHook(hook('SessionEnd', { reason: 'exit' }), process.pid, signal());
    await assert.rejects(session.prompt('hi', 'c-3'), (e: unknown) => e instanceof AttachedSessionError && e.code === 'SESSION_ERR_ENDED');
  });

  it('fails a typed prompt the agent never confirms with SESSION_ERR_PROMPT_TIMEOUT', async () => {
    await session.handleHook(hook('SessionStart'), process.pid, signal());
    const p = session.prompt('hello', 'c-1');
    await tick();
    clock.advance(120_000);
    await assert.rejects(p, (e: unknown) => e instanceof AttachedSessionError && e.code === 'SESSION_ERR_PROMPT_TIMEOUT');
  });

  it('goes working → waiting while an approval is pending → working → idle on Stop, and answers with the decision', async () => {
    const answer = session.handleHook(bash(), process.pid, signal());
    await tick();
    const [request] = broker.pending(session.id);
    assert.equal(request.tool, 'Bash');
    assert.equal(session.info().status, 'waiting');
    broker.decide(request.id, request.inputHash, 'deny', { kind: 'device', name: 'phone' }, 'no');
    assert.deepEqual(await answer, { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: 'no' } });
    assert.equal(session.info().status, 'working');
    await session.handleHook(hook('Stop'), process.pid, signal());
    assert.deepEqual(statuses, ['working', 'waiting', 'working', 'idle']);
  });

  it('denies every tool call in bypass mode without asking anyone, and says so in the chat', async () => {
    const ev = adapter.parseHookInput({ session_id: 'cc-1', cwd: CWD, permission_mode: 'bypassPermissions', hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: `${CWD}/a`, content: 'x' } }) as ParsedHookEvent;
    const answer = (await session.handleHook(ev, process.pid, signal())) as { hookSpecificOutput: { permissionDecision: string } };
    assert.equal(answer.hookSpecificOutput.permissionDecision, 'deny');
    assert.equal(session.bypassDetected, true);
    assert.equal(broker.pending().length, 0);
    assert.ok(session.chat.since(0).some((e) => e.event.kind === 'notice' && /bypasses permission checks/.test(e.event.text)));
  });

  it('types nothing while the CLI shows its own permission prompt (Enter would answer it), until it moves on', async () => {
    await session.handleHook(hook('SessionStart'), process.pid, signal());
    await session.handleHook(hook('Notification', { message: 'Claude needs your permission', notification_type: 'permission_prompt' }), process.pid, signal(), 'permission_prompt');
    assert.equal(session.info().status, 'waiting');
    await assert.rejects(session.prompt('yes please', 'c-1'), (e: unknown) => e instanceof AttachedSessionError && e.code === 'SESSION_ERR_LOCAL_PROMPT');
    assert.deepEqual(typed, []);
    assert.ok(session.chat.since(0).some((e) => e.event.kind === 'notice' && /asking for permission in its terminal/.test(e.event.text)));
    // An idle notification does not block typing.
    await session.handleHook(hook('Stop'), process.pid, signal());
    await session.handleHook(hook('Notification', { message: 'waiting', notification_type: 'idle_prompt' }), process.pid, signal(), 'idle_prompt');
    assert.equal(session.info().status, 'idle');
    void session.prompt('now', 'c-2').catch(() => undefined);
    await tick();
    assert.deepEqual(typed, ['now']);
  });

  it('sends an interrupt to the terminal', async () => {
    await session.handleHook(hook('SessionStart'), process.pid, signal());
    session.interrupt();
    assert.equal(interrupts, 1);
  });

  it('ends when the CLI process is gone, cancelling its pending approval', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const answer = session.handleHook(bash(), dead, signal());
    await tick();
    assert.equal(broker.pending(session.id).length, 1);
    clock.advance(2000);
    assert.equal(session.info().status, 'ended');
    assert.equal(broker.pending().length, 0);
    assert.equal(((await answer) as { hookSpecificOutput: { permissionDecision: string } }).hookSpecificOutput.permissionDecision, 'deny');
  });
});
