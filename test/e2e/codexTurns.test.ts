// The real Codex CLI: a command that asks to leave the sandbox (Codex's own local prompt) and an interrupt.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startMockOpenAI, toolOutputs, type MockOpenAI } from '../fixtures/mockOpenAI';
import { waitFor } from './agentHarness';
import { startCodexHarness, type CodexHarness } from './codexHarness';

describe('The real Codex CLI: local prompts and interrupts', function () {
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

  it('answers the local prompt of an escalated command with the decision already made, so nothing waits in the terminal', async () => {
    h = await startCodexHarness({ mockUrl: mock.url });
    const harness = h;
    void harness.session.prompt(`SCENARIO:escalate DIR=${harness.project}`);
    const request = await waitFor('the approval', () => harness.approvals[0]);
    assert.equal(request.tool, 'Bash');
    assert.equal(harness.broker.decide(request.id, request.inputHash, 'allow', { kind: 'device', name: 'phone' }).ok, true);
    await waitFor('esc.txt', () => fs.existsSync(path.join(harness.project, 'esc.txt')), 20_000);
    await waitFor('the turn to end', () => harness.session.info().status === 'idle');
    assert.equal(harness.approvals.length, 1, 'one approval for one command');
  });

  it('gives an approved command no terminal, so the model cannot type into it later without an approval', async () => {
    h = await startCodexHarness({ mockUrl: mock.url });
    const harness = h;
    void harness.session.prompt(`SCENARIO:stdin DIR=${harness.project}`);
    const request = await waitFor('the approval', () => harness.approvals[0]);
    assert.deepEqual(request.detail, { kind: 'command', command: 'cat > typed.txt' });
    assert.equal(harness.broker.decide(request.id, request.inputHash, 'allow', { kind: 'device', name: 'phone' }).ok, true);
    await waitFor('the final answer', () => harness.chatEvents().some((e) => e.kind === 'assistant' && e.text === 'Done: typed.'));
    // Measured without Walkie's `--disable unified_exec_tty`: write_stdin typed this into the file, no hook.
    const typed = path.join(harness.project, 'typed.txt');
    assert.ok(!fs.existsSync(typed) || !fs.readFileSync(typed, 'utf8').includes('typed-by-model'));
    assert.ok(toolOutputs(mock.requests).some((o) => o.output.includes('TTY execution is disabled')));
  });

  it('interrupts a turn with Esc: the chat says so and the session is idle again', async () => {
    h = await startCodexHarness({ mockUrl: mock.url });
    const harness = h;
    void harness.session.prompt('SCENARIO:slow');
    await waitFor('the turn to start', () => harness.session.info().status === 'working');
    await new Promise((r) => setTimeout(r, 1000));
    harness.session.interrupt();
    await waitFor('the interrupt notice', () => harness.chatEvents().some((e) => e.kind === 'notice' && e.text === 'Interrupted'));
    await waitFor('idle', () => harness.session.info().status === 'idle');
  });
});
