// The real Codex CLI: a command that asks to leave the sandbox (Codex's own local prompt), an interrupt, an
// MCP tool call and a sub-agent's command.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeMcpServer } from '../fixtures/mcpServer';
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

  // `-m mock-model`: a model Codex has no metadata for gets its MCP and sub-agent tools offered directly
  // (known models find MCP tools through tool_search first); the calls themselves are the same.
  it('holds an MCP tool call like any other: denied, the MCP server never runs it and the model gets the message', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-codex-mcp-'));
    try {
      const server = writeMcpServer(dir);
      h = await startCodexHarness({ mockUrl: mock.url, argv: ['-m', 'mock-model'], userConfig: `[mcp_servers.walkietest]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(server)}]` });
      const harness = h;
      void harness.session.prompt(`SCENARIO:mcp DIR=${harness.project}`);
      const request = await waitFor('the approval', () => harness.approvals[0], 30_000);
      assert.equal(request.tool, 'mcp__walkietest__walkie_marker');
      assert.deepEqual(request.detail, { kind: 'other', input: JSON.stringify({ path: `${harness.project}/mcp.txt` }, null, 2) });
      assert.equal(harness.broker.decide(request.id, request.inputHash, 'deny', { kind: 'device', name: 'phone' }, 'NO-MCP-4410').ok, true);
      await waitFor('the deny reason at the model', () => toolOutputs(mock.requests).some((o) => o.output.includes('NO-MCP-4410')));
      await waitFor('idle', () => harness.session.info().status === 'idle');
      assert.equal(fs.existsSync(path.join(harness.project, 'mcp.txt')), false, 'the MCP tool ran');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("holds a sub-agent's command like the main agent's, and keeps the sub-agent's conversation out of the chat", async () => {
    h = await startCodexHarness({ mockUrl: mock.url, argv: ['-m', 'mock-model'] });
    const harness = h;
    void harness.session.prompt(`SCENARIO:subagent DIR=${harness.project}`);
    const spawn = await waitFor('the spawn approval', () => harness.approvals[0], 30_000);
    assert.equal(spawn.tool, 'spawn_agent');
    assert.match(spawn.detail.kind === 'other' ? spawn.detail.input : '', /from-subagent/, 'the card shows the task');
    assert.equal(harness.broker.decide(spawn.id, spawn.inputHash, 'allow', { kind: 'device', name: 'phone' }).ok, true);
    const command = await waitFor("the sub-agent's command", () => harness.approvals[1], 30_000);
    assert.deepEqual(command.detail, { kind: 'command', command: 'echo hi > out.txt' });
    assert.equal(fs.existsSync(path.join(harness.project, 'out.txt')), false, 'nothing runs before the decision');
    assert.equal(harness.broker.decide(command.id, command.inputHash, 'allow', { kind: 'device', name: 'phone' }).ok, true);
    await waitFor('the final answer', () => harness.chatEvents().some((e) => e.kind === 'assistant' && e.text === 'Done: the sub-agent finished.'), 30_000);
    assert.ok(fs.existsSync(path.join(harness.project, 'out.txt')));
    assert.equal(harness.approvals.length, 2, 'waiting for the sub-agent asks nobody');
    const users = harness.chatEvents().filter((e) => e.kind === 'user');
    assert.deepEqual(users.map((e) => e.kind === 'user' && e.text), [`SCENARIO:subagent DIR=${harness.project}`]);
  });
});
