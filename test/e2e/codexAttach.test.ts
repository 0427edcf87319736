// Attaching a Codex CLI started BY HAND: the real CLI runs in a node-pty of the test's own (as in a VS Code
// terminal) with Walkie's hooks in its project's .codex/hooks.json, trusted by hash in its config.toml, and
// the hook script built from src/node/attach/hookCli.ts. With a host: no hook review dialog, the session is
// attached and served from the first prompt typed in its terminal on, a device prompt arrives once, a command waits for approval (allow runs it, deny blocks
// it and the model gets the message), the chat comes from the rollout; when the host dies mid-approval the
// command is blocked. Without a host: Codex's own policy decides, and Walkie's hooks block nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ApprovalBroker, type Outcome } from '../../src/core/approvals/approvalBroker';
import { systemClock } from '../../src/core/base/clock';
import { HostService } from '../../src/core/host/hostService';
import type { ApprovalRequest, ChatEvent, HostMessage } from '../../src/core/wire/protocol';
import { codexAttachHookCommand, codexAttachSupport } from '../../src/node/agents/codex/codexAttachInstaller';
import type { AttachedSession, Typer } from '../../src/node/attach/attachedSession';
import { AttachServer } from '../../src/node/attach/attachServer';
import { SessionManager } from '../../src/node/sessions/sessionManager';
import { ancestorPids } from '../../src/node/terminal/processTree';
import { PtyProcess } from '../../src/node/terminal/ptyProcess';
import { plainText } from '../../src/node/terminal/terminalText';
import { codexBin, seedCodexHome, type CodexHome } from '../fixtures/codexEnv';
import { builtHookScript } from '../fixtures/hookScript';
import { startMockOpenAI, toolOutputs, userMessagesWith, type MockOpenAI } from '../fixtures/mockOpenAI';
import { recordingLogger, waitFor } from './agentHarness';

interface HandStarted {
  readonly pty: PtyProcess;
  screen(): string;
  /** Waits for the composer's footer. */
  ready(): Promise<void>;
}

function startByHand(home: CodexHome, project: string): HandStarted {
  const pty = new PtyProcess({ command: codexBin(), args: [], cwd: project, env: home.env, cols: 120, rows: 40 });
  let screen = '';
  pty.onData((d) => (screen += d));
  return {
    pty,
    screen: () => screen,
    ready: async () => {
      const flat = () => plainText(screen).replace(/\s+/g, '');
      await waitFor('the composer', () => flat().includes('forshortcuts') && flat().includes('AskCodex')).catch((e: Error) => {
        throw new Error(`${e.message}; the screen ends with: ${plainText(screen).slice(-1500)}`);
      });
      // Codex draws its hook review dialog (if any) after the composer, once its hooks are loaded.
      await new Promise((r) => setTimeout(r, 1500));
      assert.doesNotMatch(flat(), /Hooksneedreview|neworchanged/, "Codex asked to review Walkie's hooks");
    },
  };
}

describe('AttachServer with a Codex CLI started by hand (the real CLI)', function () {
  // Typically 3–8 s each; the margin is for a loaded machine.
  this.timeout(60_000);
  let mock: MockOpenAI;
  const cleanups: Array<() => unknown> = [];

  before(async () => {
    mock = await startMockOpenAI();
  });
  after(async () => {
    await mock.close();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function seed(): { home: CodexHome; project: string } {
    const home = seedCodexHome(mock.url);
    cleanups.push(() => home.dispose());
    const project = home.projects[0];
    const attach = codexAttachSupport(path.join(home.codexHome, 'config.toml'));
    attach.install(project, codexAttachHookCommand(builtHookScript(), process.execPath), { expiryMs: 60_000 });
    return { home, project };
  }

  async function stopCli(cli: HandStarted): Promise<void> {
    if (cli.pty.exited !== undefined) return;
    const exited = new Promise((r) => cli.pty.onExit(r));
    // As when its terminal closes.
    cli.pty.kill('SIGHUP');
    const t = setTimeout(() => cli.pty.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }

  async function startHost(home: CodexHome, project: string) {
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
    // The test's stand-in for VS Code: the terminal whose process is the CLI or one of its ancestors.
    const typer: Typer = (pid) => {
      const pty = terminal.cli?.pty;
      if (!pty || (pty.pid !== pid && !ancestorPids(pid).includes(pty.pid))) return undefined;
      return { paste: (text) => pty.paste(text), interrupt: () => pty.interrupt() };
    };
    const sessions = new SessionManager({ service, broker, clock: systemClock, logger });
    cleanups.push(() => sessions.close());
    const attach = await AttachServer.start({ workspaces: [project], sessions, broker, clock: systemClock, logger, typer, registryDir: path.join(home.home, '.walkie', 'attach') });
    cleanups.push(() => attach.close());
    const attached: AttachedSession[] = [];
    attach.onSessionAttached((s) => attached.push(s));
    return { logs, broker, approvals, outcomes, service, sent, terminal, attach, attached };
  }

  it('attaches the session with no hook review, types a device prompt once, holds each command (allow runs, deny blocks) and streams the chat', async () => {
    const { home, project } = seed();
    const { logs, broker, approvals, outcomes, service, sent, terminal, attached } = await startHost(home, project);
    const cli = startByHand(home, project);
    terminal.cli = cli;
    cleanups.push(() => stopCli(cli));
    await cli.ready();
    const session = await firstPromptAtTerminal(cli, attached);
    assert.equal(session.info().agent, 'codex');
    assert.ok(sent.some((m) => m.type === 'session' && m.session.id === session.id && m.session.agent === 'codex'));
    assert.ok(chatEvents(session).some((e) => e.kind === 'notice' && e.text === 'Attached to a Codex CLI session started in a terminal.'));

    // A device prompt, resent with the same clientId (a reconnect): typed once.
    const marker = `attached-${Date.now()}`;
    const prompt = { type: 'prompt', session: session.id, text: `SCENARIO:shell DIR=${project} ${marker}`, clientId: 'c-1' } as const;
    service.connect({ id: 'phone-1', name: 'phone', send: (m) => sent.push(m) }).receive(prompt);
    const first = await waitFor('the command approval', () => approvals[0]);
    service.connect({ id: 'phone-1', name: 'phone', send: (m) => sent.push(m) }).receive(prompt);
    assert.equal(first.session, session.id);
    assert.deepEqual(first.detail, { kind: 'command', command: 'echo hi > out.txt' });
    assert.equal(fs.existsSync(path.join(project, 'out.txt')), false, 'nothing runs before the decision');
    assert.equal(session.info().status, 'waiting');
    assert.equal(broker.decide(first.id, first.inputHash, 'allow', { kind: 'device', name: 'phone' }).ok, true);
    await waitFor('out.txt', () => fs.existsSync(path.join(project, 'out.txt')));
    await waitFor('idle after Stop', () => session.info().status === 'idle');
    await waitFor('the answer in the chat', () => chatEvents(session).some((e) => e.kind === 'assistant' && e.text === 'Done: ran the command.'));
    assert.equal(userMessagesWith(mock.requests, marker).length, 1, 'the model got the prompt once');

    // A patch, denied with a message: no file, and the model gets the message.
    await session.prompt(`SCENARIO:patch-add DIR=${project}`, 'c-2');
    const second = await waitFor('the patch approval', () => approvals[1]);
    assert.equal(second.tool, 'apply_patch');
    broker.decide(second.id, second.inputHash, 'deny', { kind: 'device', name: 'phone' }, 'NOT-THIS-8812');
    await waitFor('the denial at the model', () => toolOutputs(mock.requests).some((o) => o.output.includes('NOT-THIS-8812')));
    await waitFor('idle', () => session.info().status === 'idle');
    assert.equal(fs.existsSync(path.join(project, 'notes.txt')), false);
    assert.deepEqual(outcomes.map((o) => o.resolution), ['allowed', 'denied']);
    await waitFor('all prompts in the chat', () => chatEvents(session).filter((e) => e.kind === 'user').length === 3);
    assert.deepEqual(chatEvents(session).filter((e) => e.kind === 'user').map((e) => e.kind === 'user' && [e.clientId, e.source]), [[undefined, 'terminal'], ['c-1', 'device'], ['c-2', 'device']]);
    assert.equal(logs.some((l) => l.includes('echo hi')), false, 'a tool input was logged');

    // The CLI exits: the session ends.
    assert.equal(session.claudePid, cli.pty.pid, 'the session follows the terminal UI, not the child process that runs hooks');
    await stopCli(cli);
    await waitFor('ended', () => session.info().status === 'ended', 15_000);
  });

  it('blocks the command when the host dies while its approval is pending', async () => {
    const { home, project } = seed();
    const { approvals, terminal, attached, attach } = await startHost(home, project);
    const cli = startByHand(home, project);
    terminal.cli = cli;
    cleanups.push(() => stopCli(cli));
    await cli.ready();
    const session = await firstPromptAtTerminal(cli, attached);
    void session.prompt(`SCENARIO:shell DIR=${project} host-dies`, 'c-1').catch(() => undefined);
    await waitFor('the approval', () => approvals[0]);
    await attach.close();
    await waitFor('the block at the model', () => toolOutputs(mock.requests).some((o) => o.output.includes('Walkie blocked this tool call')), 20_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(fs.existsSync(path.join(project, 'out.txt')), false, 'the command ran');
  });

  it('without a running host, leaves the decision to Codex\'s own policy: no review dialog, nothing waits, nothing is blocked', async () => {
    const { home, project } = seed();
    const cli = startByHand(home, project);
    cleanups.push(() => stopCli(cli));
    await cli.ready();
    const from = mock.requests.length;
    await cli.pty.paste(`SCENARIO:shell DIR=${project} no-host`);
    // Codex's default (on-request, workspace-write sandbox) runs a sandboxed command without asking.
    await waitFor('out.txt', () => fs.existsSync(path.join(project, 'out.txt')), 20_000);
    await waitFor('the output at the model', () => toolOutputs(mock.requests.slice(from)).length > 0);
    assert.equal(toolOutputs(mock.requests.slice(from)).some((o) => o.output.includes('Walkie blocked')), false);
  });
});

/**
 * Measured on 0.171.0: Codex fires SessionStart when its first turn starts, not at launch, so a hand-started
 * Codex reaches Walkie with the first prompt typed in its terminal.
 */
async function firstPromptAtTerminal(cli: HandStarted, attached: AttachedSession[]): Promise<AttachedSession> {
  await cli.pty.paste('SCENARIO:text hello from the terminal');
  const session = await waitFor('the attached session', () => attached[0]);
  await waitFor('the terminal prompt in the chat', () => chatEvents(session).some((e) => e.kind === 'user' && e.source === 'terminal' && e.text.includes('hello from the terminal')));
  await waitFor('idle after the first turn', () => session.info().status === 'idle');
  return session;
}

function chatEvents(s: AttachedSession): ChatEvent[] {
  return s.chat.since(0).map((e) => e.event);
}
