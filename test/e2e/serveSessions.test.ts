// `walkie serve` as a user drives it: a headless host with an allow-list, the REAL Claude Code CLI against
// the scripted model (offline), and a scripted phone (`walkie device --json`) that starts a session in an
// allowed folder, is refused elsewhere, stops, resumes, and finds the list again after a restart.
// `walkie sessions`, `walkie devices` and `walkie pair` talk to the running serve over its control socket.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claudeBin, seedClaudeHome, type ClaudeHome } from '../fixtures/claudeEnv';
import { startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { CliProcess, type JsonLine } from './cliProcess';

type Info = { id: string; status: string; cwd: string; title: string; pending?: number };
const infoOf = (l: JsonLine) => l.session as Info;
const eventOf = (l: JsonLine) => l.event as { kind: string; text?: string; source?: string };

describe('walkie serve: sessions started, stopped and resumed from a device (real Claude Code CLI)', function () {
  this.timeout(120_000);
  let mock: MockAnthropic;
  let home: ClaudeHome;
  let allowed: string;
  let outside: string;
  let scratch: string;
  let serve: CliProcess;
  let device: CliProcess;
  let first: string;
  let resumed: string;

  const stateDir = () => path.join(scratch, 'host');
  // A stand-in systemd-inhibit on serve's PATH: records its calls, runs what it was given, records its end.
  const awakeLog = () => path.join(scratch, 'keep-awake.log');
  const awakeLines = () => (fs.existsSync(awakeLog()) ? fs.readFileSync(awakeLog(), 'utf8').trim().split('\n') : []);
  const serveEnv = () => ({ ...home.env, PATH: `${path.join(scratch, 'bin')}:${home.env.PATH}`, KEEPAWAKE_LOG: awakeLog() });
  const serveArgs = (pairFile: string) => ['serve', '--bind', '127.0.0.1', '--allow-dir', allowed, '--agent', claudeBin(), '--pair-file', pairFile, '--state-dir', stateDir(), '--name', 'serve box'];
  const startServe = async (pairFile: string) => {
    serve = new CliProcess(serveArgs(pairFile), { cwd: scratch, env: serveEnv() });
    await serve.waitFor('serve to be ready', () => serve.stderr.includes('walkie: ready'));
    return fs.readFileSync(pairFile, 'utf8').trim();
  };
  const control = async (args: string[]) => {
    const p = new CliProcess([...args, '--state-dir', stateDir(), '--json'], { env: home.env });
    await p.waitFor(`walkie ${args[0]} to exit`, () => p.exitCode !== undefined || undefined).catch(() => undefined);
    await new Promise<void>((r) => (p.exitCode !== undefined ? r() : p.child.once('exit', () => r())));
    assert.equal(p.exitCode, 0, p.stderr);
    return JSON.parse(p.stdout) as Record<string, unknown>;
  };
  const assistantIn = (session: string, text: string, from = 0) =>
    device.line('chat', (l) => l.session === session && eventOf(l).kind === 'assistant' && String(eventOf(l).text).includes(text), from, 60_000);

  before(async () => {
    mock = await startMockAnthropic();
    home = seedClaudeHome(mock.url, { projects: 2 });
    [allowed, outside] = home.projects as [string, string];
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-sessions-e2e-'));
    fs.mkdirSync(path.join(scratch, 'bin'));
    fs.writeFileSync(
      path.join(scratch, 'bin', 'systemd-inhibit'),
      '#!/bin/sh\necho "start $*" >> "$KEEPAWAKE_LOG"\nwhile [ "${1#--}" != "$1" ]; do shift; done\n"$@" &\nchild=$!\n' +
        'trap \'echo stopped >> "$KEEPAWAKE_LOG"; kill $child 2>/dev/null; exit 0\' TERM\nwait $child\necho released >> "$KEEPAWAKE_LOG"\n',
      { mode: 0o755 },
    );
    // A link inside the allowed folder that leads outside it.
    fs.symlinkSync(outside, path.join(allowed, 'escape'));
    const url = await startServe(path.join(scratch, 'pair.txt'));
    device = new CliProcess(['device', url, '--json', '--state-dir', path.join(scratch, 'device'), '--name', 'test phone']);
    await device.line('paired');
  });

  after(async () => {
    await device?.kill();
    await serve?.kill();
    await mock?.close();
    home?.dispose();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('starts with no agent running, and tells the device where sessions may start', async () => {
    const list = await device.line('sessionList');
    assert.deepEqual(list.folders, [allowed]);
    assert.deepEqual(list.sessions, []);
  });

  it('starts a session in an allowed folder; its first prompt reaches the model', async () => {
    const from = device.lines.length;
    device.send({ type: 'start', folder: allowed, prompt: 'SCENARIO:text first prompt from the phone' });
    const started = await device.line('sessionStarted', () => true, from, 60_000);
    first = infoOf(started).id;
    assert.equal(infoOf(started).cwd, allowed);
    assert.equal(infoOf(started).title, 'SCENARIO:text first prompt from the phone');
    const user = await device.line('chat', (l) => l.session === first && eventOf(l).kind === 'user', from, 60_000);
    assert.equal(eventOf(user).text, 'SCENARIO:text first prompt from the phone');
    assert.equal(eventOf(user).source, 'device');
    await assistantIn(first, 'Hello from the mock model', from);
    assert.ok(JSON.stringify(mock.requests).includes('first prompt from the phone'), 'the model never got the first prompt');
    await serve.waitFor('serve to log the session', () => serve.stderr.includes(`walkie: session ${first} started in ${allowed}`));
  });

  it('refuses a folder outside the allow-list, through a link or with "..", and says why', async () => {
    const cases: [string, RegExp][] = [
      [outside, /outside the folders this computer allows/],
      [path.join(allowed, 'escape'), /leads to .*outside the folders/],
      [`${allowed}/../${path.basename(outside)}`, /contains "\.\."/],
      ['relative/folder', /not a full path/],
      [path.join(allowed, 'missing'), /does not exist/],
    ];
    for (const [folder, reason] of cases) {
      const from = device.lines.length;
      device.send({ type: 'start', folder, prompt: 'SCENARIO:text should never run' });
      const starting = await device.line('starting', () => true, from);
      const error = await device.line('error', (l) => l.ref === starting.ref, from);
      assert.equal(error.code, 'HOST_ERR_FOLDER_REFUSED', folder);
      assert.match(String(error.message), reason);
    }
    assert.equal(JSON.stringify(mock.requests).includes('should never run'), false);
    assert.equal(device.lines.filter((l) => l.type === 'sessionStarted').length, 1, 'a refused folder started a session');
  });

  it('refuses a first prompt that would run a local command, before anything starts', async () => {
    const from = device.lines.length;
    device.send({ type: 'start', folder: allowed, prompt: '/config' });
    const starting = await device.line('starting', () => true, from);
    const error = await device.line('error', (l) => l.ref === starting.ref, from);
    assert.equal(error.code, 'HOST_ERR_START_FAILED');
    assert.match(String(error.message), /Slash commands cannot be sent from a device/);
  });

  it('`walkie sessions`, `walkie devices` and `walkie pair` ask the running serve', async () => {
    const sessions = await control(['sessions']);
    const row = (sessions.sessions as Info[]).find((s) => s.id === first);
    assert.ok(row, 'the session is not listed');
    assert.equal(row.cwd, allowed);
    assert.equal(row.pending, 0);
    assert.deepEqual(sessions.folders, [allowed]);
    const devices = await control(['devices']);
    assert.deepEqual((devices.devices as { name: string; connected: boolean }[]).map((d) => [d.name, d.connected]), [['test phone', true]]);
    const pair = await control(['pair']);
    assert.match(String(pair.url), /^http:\/\/127\.0\.0\.1:\d+\/#[A-Za-z0-9_-]+$/);
    // Only this user can reach the control socket.
    assert.equal(fs.statSync(path.join(stateDir(), 'control.sock')).mode & 0o777, 0o600);
    assert.equal(fs.statSync(stateDir()).mode & 0o077, 0);
  });

  it('keeps the computer awake while a session waits for an approval, and lets it sleep once it is idle', async () => {
    const starts = () => awakeLines().filter((l) => l.startsWith('start ')).length;
    const before = starts();
    const from = device.lines.length;
    device.send({ type: 'start', folder: allowed, prompt: `SCENARIO:bash DIR=${allowed} go` });
    const approval = await device.line('approval', (l) => l.tool === 'Bash', from, 60_000);
    await device.waitFor('the inhibitor to run', () => starts() > before && awakeLines().at(-1)!.startsWith('start '));
    assert.match(awakeLines().at(-1)!, new RegExp(`--what=sleep:idle --who=Walkie .* tail --pid=${serve.child.pid} -f /dev/null$`));
    assert.match(serve.stderr, /walkie: keeping this computer awake while a session works or waits for an approval/);
    device.send({ type: 'decide', id: approval.id, decision: 'allow' });
    await device.line('session', (l) => infoOf(l).id === approval.session && infoOf(l).status === 'idle', from, 60_000);
    await device.waitFor('the inhibitor to stop', () => awakeLines().at(-1) === 'stopped');
    assert.match(serve.stderr, /walkie: this computer may sleep again/);
  });

  it('stops a session from the device; it stays listed as ended', async () => {
    const from = device.lines.length;
    device.send({ type: 'stop', session: first });
    await device.line('session', (l) => infoOf(l).id === first && infoOf(l).status === 'ended', from, 30_000);
    const list = await device.line('sessionList', (l) => (l.sessions as Info[]).some((s) => s.id === first && s.status === 'ended'), from);
    assert.ok(list);
  });

  it("lists the agent's past sessions of the folder and resumes one with its chat", async () => {
    let from = device.lines.length;
    device.send({ type: 'past', folder: allowed });
    const past = await device.line('pastSessions', () => true, from);
    const pastOne = (past.sessions as { id: string; title: string }[]).find((p) => p.title.includes('first prompt from the phone'));
    assert.ok(pastOne, JSON.stringify(past));
    from = device.lines.length;
    device.send({ type: 'resume', folder: allowed, id: pastOne.id });
    const started = await device.line('sessionStarted', () => true, from, 60_000);
    resumed = infoOf(started).id;
    // The old conversation comes back into the chat (read from the agent's own transcript)…
    await device.line('chat', (l) => l.session === resumed && eventOf(l).kind === 'user' && String(eventOf(l).text).includes('first prompt from the phone'), from, 60_000);
    // …the ended entry it continues leaves the list…
    await device.line('sessionList', (l) => !(l.sessions as Info[]).some((s) => s.id === first), from);
    // …and the model gets the whole conversation with the next prompt.
    await device.line('session', (l) => infoOf(l).id === resumed && infoOf(l).status === 'idle', from, 60_000);
    const before = mock.requests.length;
    const asked = device.lines.length;
    device.send({ type: 'prompt', session: resumed, text: 'SCENARIO:text and a second one' });
    await assistantIn(resumed, 'Hello from the mock model', asked);
    const sent = JSON.stringify(mock.requests.slice(before));
    assert.ok(sent.includes('first prompt from the phone') && sent.includes('and a second one'), 'the resumed session lost its history');
  });

  it('keeps the list, with chat, across a serve restart; a new device sees it too', async () => {
    const devFrom = device.lines.length;
    await serve.kill();
    assert.equal(serve.exitCode, 0, serve.stderr.slice(-1000));
    const saved = JSON.parse(fs.readFileSync(path.join(stateDir(), 'sessions.json'), 'utf8')) as { sessions: { id: string }[] };
    assert.ok(saved.sessions.some((s) => s.id === resumed));
    await startServe(path.join(scratch, 'pair2.txt'));
    const pair = await control(['pair']);
    const phone2 = new CliProcess(['device', String(pair.url), '--json', '--state-dir', path.join(scratch, 'device2'), '--name', 'second phone']);
    try {
      const list = await phone2.line('sessionList', (l) => (l.sessions as Info[]).length > 0);
      const row = (list.sessions as Info[]).find((s) => s.id === resumed);
      assert.ok(row, 'the session is gone after the restart');
      assert.equal(row.status, 'ended');
      // Its chat is rebuilt from the transcript: both prompts and the replies.
      await phone2.line('chat', (l) => l.session === resumed && String(eventOf(l).text).includes('first prompt from the phone'));
      await phone2.line('chat', (l) => l.session === resumed && String(eventOf(l).text).includes('and a second one'));
      await phone2.line('chat', (l) => l.session === resumed && eventOf(l).kind === 'assistant');
      // The first phone reconnects by itself and gets the same list.
      await device.line('sessionList', (l) => (l.sessions as Info[]).some((s) => s.id === resumed && s.status === 'ended'), devFrom, 30_000);
      // A session it knew that is no longer listed (the resumed one replaced it) gets a state it can show.
      const gone = await device.line('session', (l) => infoOf(l).id === first, devFrom, 30_000);
      assert.equal(infoOf(gone).status, 'ended');
      assert.equal(infoOf(gone).title, 'No longer on this computer');
      assert.equal(device.lines.slice(devFrom).some((l) => l.type === 'error' && l.code === 'HOST_ERR_NO_SESSION'), false);
    } finally {
      await phone2.kill();
    }
  });

  it('refuses `walkie serve` without an allowed folder, and a missing one, with a clear error', async () => {
    for (const [args, reason] of [
      [['serve', '--state-dir', path.join(scratch, 'other')], /name at least one folder with --allow-dir/],
      [['serve', '--allow-dir', path.join(scratch, 'nope'), '--state-dir', path.join(scratch, 'other')], /--allow-dir .*nope does not exist/],
    ] as const) {
      const p = new CliProcess([...args]);
      await new Promise<void>((r) => p.child.once('exit', () => r()));
      assert.equal(p.exitCode, 2);
      assert.match(p.stderr, reason);
    }
  });
});
