// The real Claude Code CLI driven through AgentSession: prompts arrive exactly once, Esc interrupts, secrets
// the agent reads never reach the chat or an approval, and every bypass route is refused before spawning.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { ApprovalBroker } from '../../src/core/approvals/approvalBroker';
import { systemClock } from '../../src/core/base/clock';
import { nullLogger } from '../../src/core/base/logger';
import { AgentSession } from '../../src/node/sessions/agentSession';
import { AgentLaunchError, ClaudeCodeAdapter } from '../../src/node/agents/claude/claudeCode';
import { contentText, startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { nextApproval, startHarness, waitFor, type AgentHarness } from './agentHarness';

const userPrompts = (h: AgentHarness) => h.chatEvents().filter((e) => e.kind === 'user');

describe('AgentSession with the real Claude Code CLI: prompts, interrupts and secrets', function () {
  // Typically 5–15 s each; the margin is for a loaded machine.
  this.timeout(45_000);
  let mock: MockAnthropic;
  let h: AgentHarness | undefined;

  before(async () => {
    mock = await startMockAnthropic();
  });
  after(async () => {
    await mock.close();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('delivers a short, a 2,000-character and a multi-line prompt exactly once each', async () => {
    h = await startHarness({ mockUrl: mock.url });
    const harness = h;
    const long = 'L'.repeat(1990) + ' the end';
    const multi = 'first line\nsecond line\n\nfourth line after a blank';
    const prompts = ['hello there', long, multi];
    for (const [i, text] of prompts.entries()) {
      await harness.session.prompt(text, `client-${i}`);
      await waitFor(`idle after prompt ${i + 1}`, () => harness.session.info().status === 'idle');
    }
    // A resent prompt (same clientId, after a reconnect) is not typed again.
    await harness.session.prompt(multi, 'client-2');
    await waitFor('three answers in the chat', () => harness.chatEvents().filter((e) => e.kind === 'assistant').length === 3);
    await new Promise((r) => setTimeout(r, 500));
    const users = userPrompts(harness);
    assert.equal(users.length, 3);
    for (const [i, text] of prompts.entries()) {
      const e = users[i];
      assert.ok(e.kind === 'user');
      assert.equal(e.text, text);
      assert.equal(e.clientId, `client-${i}`);
      assert.equal(e.source, 'device');
    }
    // The model saw each prompt once, whole: the last conversation holds each exactly once.
    const last = mock.requests.filter((r) => (r.tools?.length ?? 0) > 0).at(-1);
    const said = (last?.messages ?? []).filter((m) => m.role === 'user').map((m) => contentText(m.content));
    for (const text of prompts) assert.equal(said.filter((t) => t.includes(text)).length, 1, `prompt of ${text.length} chars`);
  });

  it('interrupts a streaming answer with Esc and goes idle without a Stop', async () => {
    h = await startHarness({ mockUrl: mock.url });
    const harness = h;
    await harness.session.prompt('SCENARIO:slow please');
    assert.equal(harness.session.info().status, 'working');
    await waitFor('streaming text on screen', () => harness.screen().includes('SLOW'));
    harness.session.interrupt();
    await waitFor('idle after the interrupt', () => harness.session.info().status === 'idle', 10_000);
    await waitFor('the interrupt notice', () => harness.chatEvents().some((e) => e.kind === 'notice' && /interrupt/i.test(e.text)));
  });

  it('keeps a file canary (read by the agent) and an environment canary out of every chat event and approval', async () => {
    const fileCanary = `CANARY-FILE-${crypto.randomBytes(8).toString('hex')}`;
    const envCanary = `CANARY-ENV-${crypto.randomBytes(8).toString('hex')}`;
    h = await startHarness({ mockUrl: mock.url, extraEnv: { WALKIE_TEST_CANARY: envCanary } });
    const harness = h;
    const secretFile = path.join(harness.project, 'secret.txt');
    fs.writeFileSync(secretFile, `top secret: ${fileCanary}\n`);
    await harness.session.prompt(`SCENARIO:read-canary FILE=${secretFile} go`);
    await waitFor('idle', () => harness.session.info().status === 'idle');
    await harness.session.prompt(`SCENARIO:full DIR=${harness.project} go`);
    for (let i = 0; i < 3; i++) {
      const r = await nextApproval(harness, i);
      harness.broker.decide(r.id, r.inputHash, 'allow', { kind: 'device', name: 'phone' });
    }
    await waitFor('the final answer', () => harness.chatEvents().some((e) => e.kind === 'assistant' && e.text.includes('Final answer')));
    // The canary really was read: it is in the transcript the chat was built from.
    assert.ok(harness.home.transcripts().some((f) => fs.readFileSync(f, 'utf8').includes(fileCanary)));
    const everything = JSON.stringify([harness.chatEvents(), harness.approvals, harness.outcomes, harness.logs]);
    assert.equal(everything.includes(fileCanary), false);
    assert.equal(everything.includes(envCanary), false);
    assert.ok(harness.chatEvents().some((e) => e.kind === 'tool' && e.tool === 'Read'));
  });
});

describe('AgentSession refuses every permission bypass before spawning anything', () => {
  let dir: string;
  let marker: string;
  let fakeBin: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-refuse-'));
    marker = path.join(dir, 'spawned');
    fakeBin = path.join(dir, 'claude');
    // Any run of this fake CLI leaves a mark; --version answers like 2.1.330.
    fs.writeFileSync(fakeBin, `#!/bin/sh\necho "$@" >> '${marker}'\necho '2.1.330 (Claude Code)'\n`, { mode: 0o755 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const start = (argv: string[], env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin' }) => {
    const broker = new ApprovalBroker({ clock: systemClock });
    return AgentSession.start({ adapter: new ClaudeCodeAdapter({ bin: fakeBin }), argv, cwd: dir, broker, clock: systemClock, logger: nullLogger, env });
  };

  const refusals: Array<[string[], string]> = [
    [['--dangerously-skip-permissions'], 'AGENT_ERR_BYPASS'],
    [['--allow-dangerously-skip-permissions'], 'AGENT_ERR_BYPASS'],
    [['--permission-mode', 'bypassPermissions'], 'AGENT_ERR_BYPASS'],
    [['--permission-mode=bypassPermissions'], 'AGENT_ERR_BYPASS'],
    [['--model', 'x', '--bare'], 'AGENT_ERR_HOOKS_OFF'],
    [['--safe-mode'], 'AGENT_ERR_HOOKS_OFF'],
    [['--settings', '{"disableAllHooks":true}'], 'AGENT_ERR_SETTINGS'],
  ];
  for (const [argv, code] of refusals) {
    it(`refuses ${argv.join(' ')} with ${code}`, async () => {
      await assert.rejects(start(argv), (e: unknown) => e instanceof AgentLaunchError && e.code === code);
      assert.equal(fs.existsSync(marker), false);
    });
  }

  it('refuses a CLI older than 2.1.330 after asking only for its version', async () => {
    fs.writeFileSync(fakeBin, `#!/bin/sh\necho "$@" >> '${marker}'\necho '2.1.329 (Claude Code)'\n`, { mode: 0o755 });
    await assert.rejects(start([]), (e: unknown) => e instanceof AgentLaunchError && e.code === 'AGENT_ERR_VERSION');
    assert.equal(fs.readFileSync(marker, 'utf8'), '--version\n');
  });

  it('refuses a CLI that is not there with AGENT_ERR_NOT_FOUND', async () => {
    fs.rmSync(fakeBin);
    await assert.rejects(start([]), (e: unknown) => e instanceof AgentLaunchError && e.code === 'AGENT_ERR_NOT_FOUND');
  });
});
