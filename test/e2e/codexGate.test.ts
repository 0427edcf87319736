// The real Codex CLI (0.171.0), offline against a scripted Responses API, gated at its hooks: every shell
// command and every patch waits for a decision made here through the ApprovalBroker, and every way around
// the gate fails closed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AgentLaunchError } from '../../src/node/agents/agentLaunchError';
import { CodexCliAdapter } from '../../src/node/agents/codex/codexCli';
import { ApprovalBroker } from '../../src/core/approvals/approvalBroker';
import { systemClock } from '../../src/core/base/clock';
import { nullLogger } from '../../src/core/base/logger';
import { AgentSession } from '../../src/node/sessions/agentSession';
import { HookServer } from '../../src/node/sessions/hookServer';
import { codexBin, seedCodexHome } from '../fixtures/codexEnv';
import { startMockOpenAI, toolOutputs, userMessagesWith, type MockOpenAI } from '../fixtures/mockOpenAI';
import { waitFor } from './agentHarness';
import { startCodexHarness, type CodexHarness } from './codexHarness';

describe('AgentSession with the real Codex CLI: the approval gate', function () {
  this.timeout(60_000);
  let mock: MockOpenAI;
  let h: CodexHarness | undefined;

  before(async () => {
    mock = await startMockOpenAI();
  });
  after(async () => {
    await mock.close();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('holds a shell command until it is allowed, then runs it; the device prompt reaches the model exactly once and the chat comes from the rollout', async () => {
    h = await startCodexHarness({ mockUrl: mock.url });
    const harness = h;
    const marker = `allow-${Date.now()}`;
    const prompted = harness.session.prompt(`SCENARIO:shell DIR=${harness.project} ${marker}`, 'client-allow');
    const request = await waitFor('the approval', () => harness.approvals[0]);
    assert.equal(request.tool, 'Bash');
    assert.deepEqual(request.detail, { kind: 'command', command: 'echo hi > out.txt' });
    assert.equal(fs.existsSync(path.join(harness.project, 'out.txt')), false, 'nothing runs before the decision');
    assert.equal(harness.session.info().status, 'waiting');
    assert.equal(harness.session.info().agent, 'codex');
    assert.equal(harness.broker.decide(request.id, request.inputHash, 'allow', { kind: 'device', name: 'phone' }).ok, true);
    await prompted;
    await waitFor('out.txt', () => fs.existsSync(path.join(harness.project, 'out.txt')));
    await waitFor('the final answer in chat', () => harness.chatEvents().some((e) => e.kind === 'assistant' && e.text === 'Done: ran the command.'));
    const chat = harness.chatEvents();
    assert.equal(chat.filter((e) => e.kind === 'user' && e.text.includes(marker)).length, 1, 'the prompt shows once in chat');
    assert.ok(chat.some((e) => e.kind === 'tool' && e.tool === 'Bash' && e.status === 'ok'));
    assert.equal(userMessagesWith(mock.requests, marker).length, 1, 'the model got the prompt once');
  });

  it('blocks a denied patch (no file appears) and the model gets the device message', async () => {
    h = await startCodexHarness({ mockUrl: mock.url });
    const harness = h;
    void harness.session.prompt(`SCENARIO:patch-add DIR=${harness.project}`);
    const request = await waitFor('the approval', () => harness.approvals[0]);
    assert.equal(request.tool, 'apply_patch');
    assert.deepEqual(request.detail, { kind: 'write', file: 'notes.txt', content: 'hello from mock\nline2' });
    assert.equal(harness.broker.decide(request.id, request.inputHash, 'deny', { kind: 'device', name: 'phone' }, 'NOPE-7731 not this file').ok, true);
    await waitFor('the deny reason at the model', () => toolOutputs(mock.requests).some((o) => o.output.includes('NOPE-7731 not this file')));
    await waitFor('the turn to end', () => harness.session.info().status === 'idle');
    assert.equal(fs.existsSync(path.join(harness.project, 'notes.txt')), false);
  });

  it('denies a command nobody decided on in time (expiry)', async () => {
    h = await startCodexHarness({ mockUrl: mock.url, expiryMs: 1500 });
    const harness = h;
    void harness.session.prompt(`SCENARIO:shell DIR=${harness.project} expiry`);
    await waitFor('the approval', () => harness.approvals[0]);
    await waitFor('the expiry at the model', () => toolOutputs(mock.requests).some((o) => o.output.includes('No answer from Walkie within 2 seconds')));
    await waitFor('the turn to end', () => harness.session.info().status === 'idle');
    assert.equal(fs.existsSync(path.join(harness.project, 'out.txt')), false);
    assert.equal(harness.outcomes[0]?.outcome.resolution, 'expired');
  });

  it('blocks the command when the host dies while the approval is pending (fail closed)', async () => {
    const hookServer = await HookServer.listen();
    h = await startCodexHarness({ mockUrl: mock.url, hookServer });
    const harness = h;
    void harness.session.prompt(`SCENARIO:shell DIR=${harness.project} host-dies`);
    await waitFor('the approval', () => harness.approvals[0]);
    // Every connection drops, and the port stops answering: what a killed host looks like to the hook.
    await hookServer.close();
    await waitFor('the block at the model', () => toolOutputs(mock.requests).some((o) => o.output.includes('Walkie blocked this tool call')));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(fs.existsSync(path.join(harness.project, 'out.txt')), false, 'the command did not run');
  });

  it('refuses every bypass route before spawning anything', async () => {
    const routes: string[][] = [
      ['--dangerously-bypass-approvals-and-sandbox'],
      ['--yolo'],
      ['--approve-for-me'],
      ['--dangerously-bypass-hook-trust'],
      ['-a', 'never'],
      ['--ask-for-approval=never'],
      ['--sandbox', 'danger-full-access'],
      ['-s', 'danger-full-access'],
      ['-c', 'approval_policy="never"'],
      ['-c', 'sandbox_mode="danger-full-access"'],
      ['-c', 'features.hooks=false'],
      ['-c', 'hooks.PreToolUse=[]'],
      ['--config=bypass_hook_trust=true'],
      ['--disable', 'hooks'],
      ['--remote', 'ws://127.0.0.1:1'],
      ['exec', 'hello'],
    ];
    const home = seedCodexHome(mock.url);
    const broker = new ApprovalBroker({ clock: systemClock });
    const before = mock.requests.length;
    try {
      for (const argv of routes) {
        await assert.rejects(
          AgentSession.start({ adapter: new CodexCliAdapter({ bin: codexBin() }), argv, cwd: home.projects[0], broker, clock: systemClock, logger: nullLogger, env: home.env }),
          (e: unknown) => e instanceof AgentLaunchError && /^AGENT_ERR_/.test(e.code),
          argv.join(' '),
        );
      }
      assert.equal(mock.requests.length, before, 'no Codex process reached the model');
      assert.deepEqual(home.rollouts(), [], 'no Codex session was started');
    } finally {
      broker.dispose();
      home.dispose();
    }
  });
});
