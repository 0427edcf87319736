// Attaching a Claude Code session started BY HAND: the real CLI runs in a node-pty of the test's own (as in
// a VS Code terminal) with the attach hook installed in its project's .claude/settings.local.json, and the
// hook script built from src/node/attach/hookCli.ts. With a host: prompts typed through the AttachedSession arrive
// once, Bash approvals are routed through the broker (in the CLI's auto mode too), chat events arrive, and a
// session in bypass mode has every tool denied. Without a host: the CLI's own permission prompt shows in the
// terminal (in default, auto and bypass mode) and nothing runs. With a broken install (the hook script
// gone): the tool is blocked.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApprovalBroker, type Outcome } from '../../src/core/approvals/approvalBroker';
import { systemClock } from '../../src/core/base/clock';
import { HostService } from '../../src/core/host/hostService';
import type { ApprovalRequest, ChatEvent, HostMessage } from '../../src/core/wire/protocol';
import { attachHookCommand, installAttachHook } from '../../src/node/agents/claude/claudeAttachInstaller';
import { AttachServer } from '../../src/node/attach/attachServer';
import { SessionManager } from '../../src/node/sessions/sessionManager';
import type { AttachedSession, Typer } from '../../src/node/attach/attachedSession';
import { ancestorPids } from '../../src/node/terminal/processTree';
import { PtyProcess } from '../../src/node/terminal/ptyProcess';
import { BYPASS_REASON } from '../../src/node/sessions/toolGate';
import { plainText } from '../../src/node/terminal/terminalText';
import { claudeBin, seedClaudeHome, type ClaudeHome } from '../fixtures/claudeEnv';
import { contentText, startMockAnthropic, toolResults, type MockAnthropic } from '../fixtures/mockAnthropic';
import { recordingLogger, waitFor } from './agentHarness';
import { builtHookScript } from '../fixtures/hookScript';

interface HandStarted {
  readonly pty: PtyProcess;
  screen(): string;
  /** Waits for the prompt box's footer ("? for shortcuts"; in auto mode "shift+tab to cycle"). */
  ready(): Promise<void>;
}

function startByHand(home: ClaudeHome, project: string, args = ['--permission-mode', 'default']): HandStarted {
  // (Bypass mode as root also needs IS_SANDBOX=1.)
  const env = args.includes('--dangerously-skip-permissions') ? { ...home.env, IS_SANDBOX: '1' } : home.env;
  const pty = new PtyProcess({ command: claudeBin(), args, cwd: project, env, cols: 120, rows: 40 });
  let screen = '';
  pty.onData((d) => (screen += d));
  return {
    pty,
    screen: () => screen,
    ready: async () => {
      await waitFor('the prompt box', () => /for\s*shortcuts|shift\+tab\s*to\s*cycle/.test(plainText(screen))).catch((e: Error) => {
        throw new Error(`${e.message}; the screen ends with: ${plainText(screen).slice(-1500)}`);
      });
    },
  };
}

/** The CLI's own warning dialog for bypass mode: picks "Yes, I accept". */
async function acceptBypassWarning(cli: HandStarted): Promise<void> {
  await waitFor('the bypass warning', () => /Yes,\s*I\s*accept/.test(plainText(cli.screen())));
  cli.pty.write('\x1b[B');
  await new Promise((r) => setTimeout(r, 300));
  cli.pty.write('\r');
}

describe('AttachServer with a Claude Code started by hand (the real CLI)', function () {
  // Typically 10–20 s each; the margin is for a loaded machine.
  this.timeout(60_000);
  let mock: MockAnthropic;
  let hookJs: string;
  let scratchDir: string;
  const cleanups: Array<() => unknown> = [];

  before(async () => {
    mock = await startMockAnthropic();
    scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-attach-scratch-'));
    hookJs = builtHookScript();
  });
  after(async () => {
    await mock.close();
    fs.rmSync(scratchDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function seed(hookScript = hookJs): { home: ClaudeHome; project: string } {
    const home = seedClaudeHome(mock.url);
    cleanups.push(() => home.dispose());
    const project = home.projects[0];
    installAttachHook(project, attachHookCommand(hookScript, process.execPath), { expiryMs: 60_000 });
    return { home, project };
  }

  async function stopCli(cli: HandStarted): Promise<void> {
    if (cli.pty.exited !== undefined) return;
    const exited = new Promise((r) => cli.pty.onExit(r));
    cli.pty.kill('SIGHUP');
    const t = setTimeout(() => cli.pty.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }

  /** A host for `project`: broker, HostService with one peer, and an AttachServer whose typer is the CLI's pty. */
  async function startHost(home: ClaudeHome, project: string) {
    const logs: string[] = [];
    const logger = recordingLogger(logs);
    const broker = new ApprovalBroker({ clock: systemClock, expiryMs: 60_000, logger });
    cleanups.push(() => broker.dispose());
    const approvals: ApprovalRequest[] = [];
    const outcomes: Outcome[] = [];
    broker.onRequest((r) => approvals.push(r));
    broker.onResolved(({ outcome }) => outcomes.push(outcome));
    const service = new HostService({ hostName: 'test', broker, logger });
    cleanups.push(() => service.dispose());
    const sent: HostMessage[] = [];
    service.connect({ id: 'phone-1', name: 'phone', send: (m) => sent.push(m) });

    const terminal: { cli?: HandStarted } = {};
    const typerPids: number[] = [];
    // The test's stand-in for VS Code: the terminal whose process is the CLI or one of its ancestors.
    const typer: Typer = (claudePid) => {
      typerPids.push(claudePid);
      const pty = terminal.cli?.pty;
      if (!pty || (pty.pid !== claudePid && !ancestorPids(claudePid).includes(pty.pid))) return undefined;
      return { paste: (text) => pty.paste(text), interrupt: () => pty.interrupt() };
    };
    const sessions = new SessionManager({ service, broker, clock: systemClock, logger });
    cleanups.push(() => sessions.close());
    const attach = await AttachServer.start({ workspaces: [project], sessions, broker, clock: systemClock, logger, typer, registryDir: path.join(home.home, '.walkie', 'attach') });
    cleanups.push(() => attach.close());
    const attached: AttachedSession[] = [];
    // Served by the SessionManager already; the test keeps its own list.
    attach.onSessionAttached((s) => attached.push(s));
    return { logs, broker, approvals, outcomes, service, sent, terminal, typerPids, attach, attached };
  }

  it('attaches the session, types a device prompt once, routes Bash approvals (allow runs, deny blocks) and streams the chat', async () => {
    const { home, project } = seed();
    const { logs, broker, approvals, outcomes, service, sent, terminal, typerPids, attached } = await startHost(home, project);

    const started = startByHand(home, project);
    terminal.cli = started;
    cleanups.push(() => stopCli(started));
    await started.ready();
    // SessionStart attached it (before any prompt).
    const session = await waitFor('the attached session', () => attached[0]);
    assert.equal(session.info().status, 'idle');
    assert.ok(sent.some((m) => m.type === 'session' && m.session.id === session.id));

    // A device prompt, resent (same clientId) as after a reconnect: typed once.
    service.connect({ id: 'phone-1', name: 'phone', send: (m) => sent.push(m) }).receive({ type: 'prompt', session: session.id, text: `SCENARIO:bash DIR=${project} go`, clientId: 'c-1' });
    const first = await waitFor('the Bash approval', () => approvals[0]);
    service.connect({ id: 'phone-1', name: 'phone', send: (m) => sent.push(m) }).receive({ type: 'prompt', session: session.id, text: `SCENARIO:bash DIR=${project} go`, clientId: 'c-1' });
    assert.equal(first.tool, 'Bash');
    assert.equal(first.session, session.id);
    assert.equal(first.detail.kind, 'command');
    assert.equal(session.info().status, 'waiting');
    assert.ok(typerPids.length > 0 && typerPids.every((p) => p === started.pty.pid || ancestorPids(p).includes(started.pty.pid)));
    assert.deepEqual(broker.decide(first.id, first.inputHash, 'allow', { kind: 'device', name: 'phone' }).ok, true);
    await waitFor('out.txt', () => fs.existsSync(path.join(project, 'out.txt')));
    await waitFor('idle after Stop', () => session.info().status === 'idle');
    await waitFor('the answer in the chat', () => chatEvents(session).some((e) => e.kind === 'assistant' && e.text.includes('Done: wrote out.txt')));

    // A second Bash call, denied with a message: it does not run and the model gets the message.
    fs.rmSync(path.join(project, 'out.txt'));
    await session.prompt(`SCENARIO:bash DIR=${project} again`, 'c-2');
    const second = await waitFor('the second approval', () => approvals[1]);
    broker.decide(second.id, second.inputHash, 'deny', { kind: 'device', name: 'phone' }, 'Not this time');
    await waitFor('the denial in a tool result', () => toolResults(mock.requests).find((r) => r.content.includes('Not this time')));
    await waitFor('idle', () => session.info().status === 'idle');
    assert.equal(fs.existsSync(path.join(project, 'out.txt')), false);

    // Each prompt reached the model once, and the chat holds each once, with the device's clientId.
    const last = mock.requests.filter((r) => (r.tools?.length ?? 0) > 0).at(-1);
    const said = (last?.messages ?? []).filter((m) => m.role === 'user').map((m) => contentText(m.content));
    assert.equal(said.filter((t) => t.includes('SCENARIO:bash') && t.includes(' go')).length, 1);
    await waitFor('both prompts in the chat', () => chatEvents(session).filter((e) => e.kind === 'user').length === 2);
    const users = chatEvents(session).filter((e) => e.kind === 'user');
    assert.deepEqual(users.map((e) => e.kind === 'user' && [e.clientId, e.source]), [['c-1', 'device'], ['c-2', 'device']]);
    // (The transcript is flushed a little late: wait for the tool results to land in it.)
    await waitFor('the allowed tool ran ok', () => chatEvents(session).some((e) => e.kind === 'tool' && e.status === 'ok'));
    await waitFor('the denied tool', () => chatEvents(session).some((e) => e.kind === 'tool' && e.status === 'denied'));
    assert.ok(sent.some((m) => m.type === 'chat' && m.session === session.id && m.event.kind === 'assistant'));
    assert.deepEqual(outcomes.map((o) => o.resolution), ['allowed', 'denied']);
    // Nothing the hooks carried was logged.
    assert.equal(logs.some((l) => l.includes('echo hi')), false);

    // Security (issue 9): a device's "!cmd" reaches the attached CLI's model as text, not its bash mode, and
    // a slash command is refused with a message for that device.
    const phone = service.connect({ id: 'phone-2', name: 'phone', send: (m) => sent.push(m) });
    phone.receive({ type: 'prompt', session: session.id, text: '!touch pwned-attached', clientId: 'c-3' });
    await waitFor('the "!" prompt in the chat', () => chatEvents(session).some((e) => e.kind === 'user' && e.clientId === 'c-3'));
    await waitFor('idle', () => session.info().status === 'idle');
    assert.equal(fs.existsSync(path.join(project, 'pwned-attached')), false);
    phone.receive({ type: 'prompt', session: session.id, text: '/config', clientId: 'c-4' });
    const refusal = await waitFor('the refusal', () => sent.find((m) => m.type === 'error' && m.ref === 'c-4'));
    assert.ok(refusal.type === 'error' && refusal.code === 'HOST_ERR_PROMPT_REFUSED' && /Slash commands cannot be sent from a device/.test(refusal.message));

    // The CLI exits: the session ends.
    await stopCli(started);
    await waitFor('ended', () => session.info().status === 'ended', 15_000);
  });

  it('routes Bash from a session in the CLI\'s auto mode too, and an interrupt from the device cancels the approval (nothing runs)', async () => {
    const { home, project } = seed();
    const { broker, approvals, outcomes, terminal, attached } = await startHost(home, project);
    const started = startByHand(home, project, []);
    terminal.cli = started;
    cleanups.push(() => stopCli(started));
    await started.ready();
    const session = await waitFor('the attached session', () => attached[0]);
    await session.prompt(`SCENARIO:bash DIR=${project} go`, 'c-1');
    const request = await waitFor('the Bash approval', () => approvals[0]);
    assert.equal(request.tool, 'Bash');
    session.interrupt();
    await waitFor('the cancellation', () => outcomes[0]);
    assert.equal(outcomes[0].resolution, 'cancelled');
    assert.equal(broker.decide(request.id, request.inputHash, 'allow', { kind: 'device', name: 'phone' }).ok, false);
    await waitFor('idle after the interrupt', () => session.info().status === 'idle', 15_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(fs.existsSync(path.join(project, 'out.txt')), false);
  });

  it('denies every tool call of a session started in bypass mode and flags it, asking nobody', async () => {
    const { home, project } = seed();
    const { approvals, terminal, attached } = await startHost(home, project);
    const started = startByHand(home, project, ['--dangerously-skip-permissions']);
    terminal.cli = started;
    cleanups.push(() => stopCli(started));
    await acceptBypassWarning(started);
    await started.ready();
    const session = await waitFor('the attached session', () => attached[0]);
    const from = mock.requests.length;
    await session.prompt(`SCENARIO:bash DIR=${project} go`, 'c-1');
    await waitFor('the bypass reason in a tool result', () => toolResults(mock.requests.slice(from)).find((r) => r.content.includes(BYPASS_REASON)));
    assert.equal(session.bypassDetected, true);
    assert.equal(approvals.length, 0);
    assert.equal(fs.existsSync(path.join(project, 'out.txt')), false);
  });

  // 2.1.330's own default (no flag) is `auto`, which runs tools without asking, and bypass mode skips every
  // prompt: the hook's "ask" must still make the CLI prompt in both.
  for (const [mode, args] of [['default', ['--permission-mode', 'default']], ['auto (no flag)', []], ['bypassPermissions', ['--dangerously-skip-permissions']]] as const) {
    it(`without a running host, a tool call is not allowed silently in ${mode} mode: the local permission prompt shows and nothing runs`, async () => {
      const { home, project } = seed();
      assert.equal(fs.existsSync(path.join(home.home, '.walkie')), false);
      const from = mock.requests.length;
      const cli = startByHand(home, project, [...args]);
      cleanups.push(() => stopCli(cli));
      if (mode === 'bypassPermissions') await acceptBypassWarning(cli);
      await cli.ready();
      await cli.pty.paste(`SCENARIO:bash DIR=${project} go`);
      await waitFor('the local permission prompt', () => /Do\s*you\s*want\s*to\s*proceed/.test(plainText(cli.screen()))).catch((e: Error) => {
        throw new Error(`${e.message}; the screen ends with: ${plainText(cli.screen()).slice(-1500)}`);
      });
      // (The terminal's screen text loses some spaces.)
      assert.match(plainText(cli.screen()), /Walkie\s*is\s*not\s*running/);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(fs.existsSync(path.join(project, 'out.txt')), false);
      // Esc rejects at the prompt: the command never runs.
      cli.pty.interrupt();
      await waitFor('the rejection in the transcript', () => home.transcripts().some((f) => fs.readFileSync(f, 'utf8').includes('[Request interrupted by user for tool use]')), 20_000);
      assert.equal(toolResults(mock.requests.slice(from)).some((r) => r.is_error !== true), false);
      assert.equal(fs.existsSync(path.join(project, 'out.txt')), false);
    });
  }

  it('blocks the tool (onFailure: block) when the installed hook cannot run, even in auto mode', async () => {
    const { home, project } = seed(path.join(scratchDir, 'gone', 'hook.js'));
    const cli = startByHand(home, project, []);
    cleanups.push(() => stopCli(cli));
    await cli.ready();
    const from = mock.requests.length;
    await cli.pty.paste(`SCENARIO:bash DIR=${project} go`);
    await waitFor('a blocked tool result', () => toolResults(mock.requests.slice(from)).find((r) => r.is_error === true), 20_000);
    assert.equal(fs.existsSync(path.join(project, 'out.txt')), false);
  });
});

function chatEvents(s: AttachedSession): ChatEvent[] {
  return s.chat.since(0).map((e) => e.event);
}
