// `walkie host` in a real 80×24 terminal (node-pty) with the REAL Claude Code CLI against the scripted model:
// the person at the computer opens the Walkie screen with Ctrl-], sees the waiting approval and allows it
// there (the device sees it resolved "terminal"), and a device that pairs while the agent's full-screen UI
// runs gets its words shown on the Walkie screen until a key is pressed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PtyProcess } from '../../src/node/terminal/ptyProcess';
import { plainText } from '../../src/node/terminal/terminalText';
import { claudeBin, seedClaudeHome, type ClaudeHome } from '../fixtures/claudeEnv';
import { startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { CLI, CliProcess } from './cliProcess';

describe('walkie host: approving at the computer (Ctrl-]) and readable pairing words (real Claude Code CLI)', function () {
  this.timeout(120_000);
  let mock: MockAnthropic;
  let home: ClaudeHome;
  let project: string;
  let scratch: string;
  let term: PtyProcess;
  let screen = '';
  let device: CliProcess;

  const stateDir = () => path.join(scratch, 'host');
  const until = async (what: string, probe: () => boolean, ms = 30_000) => {
    const end = Date.now() + ms;
    while (!probe()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}\nscreen: ${plainText(screen.slice(-3000))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const screenSince = (from: number) => plainText(screen.slice(from));

  before(async () => {
    mock = await startMockAnthropic();
    home = seedClaudeHome(mock.url);
    project = home.projects[0]!;
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-sessions-console-'));
    const pairFile = path.join(scratch, 'pair.txt');
    term = new PtyProcess({
      command: process.execPath,
      args: [CLI, 'host', '--bind', '127.0.0.1', '--no-keep-awake', '--pair-file', pairFile, '--state-dir', stateDir(), '--name', 'console box', '--', claudeBin()],
      cwd: project,
      env: home.env,
      cols: 80,
      rows: 24,
    });
    term.onData((d) => (screen += d));
    await until('the pairing file', () => fs.existsSync(pairFile) && fs.readFileSync(pairFile, 'utf8').trim().length > 0);
    device = new CliProcess(['device', fs.readFileSync(pairFile, 'utf8').trim(), '--json', '--state-dir', path.join(scratch, 'device'), '--name', 'first phone']);
    await device.line('paired');
    // A device connected: the agent starts by itself.
    await device.line('session', (l) => (l.session as { status: string }).status === 'idle', 0, 60_000);
  });

  after(async () => {
    await device?.kill();
    term?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    term?.kill('SIGKILL');
    await mock?.close();
    home?.dispose();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('shows the words of a device that pairs while the agent runs, until a key is pressed', async () => {
    const pair = new CliProcess(['pair', '--state-dir', stateDir(), '--json'], { env: home.env });
    await new Promise<void>((r) => pair.child.once('exit', () => r()));
    const url = String((JSON.parse(pair.stdout) as { url: string }).url);
    const from = screen.length;
    const second = new CliProcess(['device', url, '--json', '--state-dir', path.join(scratch, 'device2'), '--name', 'second phone']);
    try {
      const paired = await second.line('paired');
      await until('the words on the Walkie screen', () => screenSince(from).includes(`Check that the device shows: ${String(paired.sas)}`));
      // They stay: while the Walkie screen is open the agent's output is held back, even as it answers a prompt.
      const overlayAt = screen.length;
      const asked = device.lines.length;
      device.send({ type: 'prompt', text: 'SCENARIO:text while the words are shown' });
      await device.line('chat', (l) => String((l.event as { text?: string }).text).includes('Hello from the mock model'), asked, 60_000);
      assert.equal(screenSince(overlayAt).includes('Hello from the mock model'), false, 'the agent drew over the words');
      const back = screen.length;
      term.write('x');
      await until("the agent's screen to come back", () => screenSince(back).includes('for shortcuts'));
    } finally {
      await second.kill();
    }
  });

  it('allows a waiting tool call from the Walkie screen: the first answer wins, by "terminal"', async () => {
    const from = device.lines.length;
    device.send({ type: 'prompt', text: `SCENARIO:bash DIR=${project} go` });
    const approval = await device.line('approval', (l) => l.tool === 'Bash', from, 60_000);
    const shown = screen.length;
    term.write('\x1d');
    await until('the approval on the Walkie screen', () => screenSince(shown).includes('echo hi > out.txt') && screenSince(shown).includes('a = allow'));
    assert.equal(fs.existsSync(path.join(project, 'out.txt')), false);
    term.write('a');
    const resolved = await device.line('resolved', (l) => l.id === approval.id, from);
    assert.equal(resolved.resolution, 'allowed');
    assert.equal(resolved.by, 'terminal');
    await device.line('chat', (l) => String((l.event as { text?: string }).text).includes('Done: wrote out.txt'), from, 60_000);
    assert.equal(fs.readFileSync(path.join(project, 'out.txt'), 'utf8').trim(), 'hi');
  });
});
