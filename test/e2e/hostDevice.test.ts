// The whole product path, as a user drives it: `walkie host -- claude` (the REAL Claude Code CLI against a
// scripted model, offline) with its embedded relay, and a scripted phone: `walkie device --json`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claudeBin, seedClaudeHome, type ClaudeHome } from '../fixtures/claudeEnv';
import { startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { CliProcess, type JsonLine } from './cliProcess';

const FILE_CANARY = 'WALKIE-CANARY-FILE-7f3a91';
const ENV_CANARY = 'WALKIE-CANARY-ENV-c0ffee42';

describe('walkie host + embedded relay + walkie device (real Claude Code CLI)', function () {
  this.timeout(90_000);
  let mock: MockAnthropic;
  let home: ClaudeHome;
  let project: string;
  let scratch: string;
  let host: CliProcess;
  let device: CliProcess;
  let session: string;

  const deviceArgs = () => ['device', '--json', '--state-dir', path.join(scratch, 'device'), '--name', 'test phone'];
  const approvalAfter = (from: number, tool: string) => device.line('approval', (l) => l.tool === tool, from);
  const decide = (a: JsonLine, decision: 'allow' | 'deny', message?: string) =>
    device.send({ type: 'decide', id: a.id, decision, ...(message ? { message } : {}) });
  const assistantSays = (from: number, text: string) =>
    device.line('chat', (l) => (l.event as { kind: string; text?: string }).kind === 'assistant' && String((l.event as { text?: string }).text).includes(text), from);

  before(async () => {
    mock = await startMockAnthropic();
    home = seedClaudeHome(mock.url);
    project = home.projects[0]!;
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-e2e-'));
    fs.writeFileSync(path.join(project, 'secret.txt'), `do not leak ${FILE_CANARY}\n`);
    const pairFile = path.join(scratch, 'pair.txt');
    host = new CliProcess(
      ['host', '--bind', '127.0.0.1', '--pair-file', pairFile, '--state-dir', path.join(scratch, 'host'), '--name', 'e2e box', '--', claudeBin()],
      { cwd: project, env: { ...home.env, WALKIE_TEST_SECRET: ENV_CANARY } },
    );
    const url = await host.waitFor('the pairing file', () => fs.existsSync(pairFile) && fs.readFileSync(pairFile, 'utf8').trim());
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/#[A-Za-z0-9_-]+$/);
    device = new CliProcess([...deviceArgs().slice(0, 1), url, ...deviceArgs().slice(1)]);
  });

  after(async () => {
    await device?.kill();
    await host?.kill();
    await mock?.close();
    home?.dispose();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('pairs, and both sides show the same short authentication string', async () => {
    const paired = await device.line('paired');
    assert.equal(paired.hostName, 'e2e box');
    assert.match(String(paired.sas), /^\S+( \S+){3}$/);
    await host.waitFor('the host to show the SAS', () => host.stderr.includes(String(paired.sas)));
  });

  it('lists the running session', async () => {
    const s = await device.line('session', (l) => ['idle', 'working', 'starting'].includes((l.session as { status: string }).status));
    session = (s.session as { id: string }).id;
    assert.equal((s.session as { cwd: string }).cwd, project);
  });

  it('a prompt from the device reaches the agent; an allowed command runs', async () => {
    const from = device.lines.length;
    device.send({ type: 'prompt', text: `SCENARIO:bash DIR=${project} go` });
    await device.line('chat', (l) => (l.event as { kind: string }).kind === 'user', from);
    const approval = await approvalAfter(from, 'Bash');
    assert.deepEqual(approval.detail, { kind: 'command', command: 'echo hi > out.txt', description: 'Write hi to out.txt' });
    assert.equal(fs.existsSync(path.join(project, 'out.txt')), false, 'the command ran before it was approved');
    decide(approval, 'allow');
    const resolved = await device.line('resolved', (l) => l.id === approval.id, from);
    assert.equal(resolved.resolution, 'allowed');
    assert.equal(resolved.by, 'test phone');
    await assistantSays(from, 'Done: wrote out.txt');
    assert.equal(fs.readFileSync(path.join(project, 'out.txt'), 'utf8').trim(), 'hi');
  });

  it('a denied edit does not happen, and the model receives the message', async () => {
    const from = device.lines.length;
    device.send({ type: 'prompt', session, text: `SCENARIO:write DIR=${project} go` });
    const approval = await approvalAfter(from, 'Write');
    assert.equal((approval.detail as { kind: string }).kind, 'write');
    decide(approval, 'deny', 'not this file, please');
    const resolved = await device.line('resolved', (l) => l.id === approval.id, from);
    assert.equal(resolved.resolution, 'denied');
    await device.waitFor('the model to receive the deny reason', () => JSON.stringify(mock.requests.slice(-3)).includes('not this file, please'));
    assert.equal(fs.existsSync(path.join(project, 'notes.txt')), false);
  });

  it('after the device reconnects, a still-pending approval arrives again and can be answered', async () => {
    const from = device.lines.length;
    device.send({ type: 'prompt', session, text: `SCENARIO:write DIR=${project} again` });
    const first = await approvalAfter(from, 'Write');
    await device.kill();
    // Reconnect without the pairing URL: the saved key (Noise IK).
    device = new CliProcess(deviceArgs());
    await device.line('status', (l) => l.state === 'online');
    const again = await device.line('approval', (l) => l.id === first.id);
    assert.equal(again.inputHash, first.inputHash);
    decide(again, 'allow');
    await device.line('resolved', (l) => l.id === first.id && l.resolution === 'allowed');
    await device.waitFor('notes.txt to be written', () => fs.existsSync(path.join(project, 'notes.txt')));
  });

  it('long and multi-line prompts arrive exactly once', async () => {
    const long = `SCENARIO:text ${'x'.repeat(1980)}`;
    const multi = 'SCENARIO:text first line\nsecond line\nthird line';
    for (const text of [long, multi]) {
      const from = device.lines.length;
      device.send({ type: 'prompt', session, text });
      const echoed = await device.line('chat', (l) => (l.event as { kind: string }).kind === 'user', from);
      assert.equal((echoed.event as { text: string }).text, text);
      await assistantSays(from, 'Hello from the mock model');
      const prompts = mock.requests.filter((r) => JSON.stringify(r.messages ?? []).includes(JSON.stringify(text).slice(1, 40)));
      assert.ok(prompts.length >= 1);
      const users = device.lines.slice(from).filter((l) => l.type === 'chat' && (l.event as { kind: string }).kind === 'user');
      assert.equal(users.length, 1, 'the prompt was echoed more than once');
    }
  });

  it('never sends file contents the agent read or environment variables to the device', async () => {
    const from = device.lines.length;
    device.send({ type: 'prompt', session, text: `SCENARIO:read-canary FILE=${path.join(project, 'secret.txt')}` });
    await assistantSays(from, 'I read the file.');
    // The model did get the file (so the canary was really in play)…
    assert.ok(JSON.stringify(mock.requests).includes(FILE_CANARY));
    // …but nothing the host sent the device ever held it, nor the environment canary.
    assert.equal(device.stdout.includes(FILE_CANARY), false);
    assert.equal(device.stdout.includes(ENV_CANARY), false);
  });

  it('says where the phone must be, and after a restart keeps its address: the paired device comes back by itself', async () => {
    assert.match(host.stderr, /walkie: Only this computer can open this link\.\nwalkie: A phone cannot open this link/);
    const port = /walkie: relay http:\/\/127\.0\.0\.1:(\d+)/.exec(host.stderr)?.[1];
    assert.ok(port);
    await host.kill();
    const from = device.lines.length;
    host = new CliProcess(['host', '--bind', '127.0.0.1', '--state-dir', path.join(scratch, 'host'), '--name', 'e2e box', '--', claudeBin()], { cwd: project, env: home.env });
    await host.waitFor('the relay line', () => /walkie: relay http:\/\/127\.0\.0\.1:(\d+)/.exec(host.stderr)?.[1]);
    assert.equal(/walkie: relay http:\/\/127\.0\.0\.1:(\d+)/.exec(host.stderr)?.[1], port, 'the same port as before');
    await device.line('session', () => true, from, 30_000);
    assert.equal(device.lines.slice(from).some((l) => l.type === 'paired'), false, 'no new pairing');
  });
});
