// Scheduled sessions as a user drives them: `walkie schedule add|list|run-now` (the CLI, as child processes),
// `walkie host -- claude` (the REAL Claude Code CLI against the scripted model, offline) running the schedules
// of its state folder, and a scripted phone (`walkie device --json`) that sees the run's session, approves its
// Bash call and reads the run's result in the schedules listing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claudeBin, seedClaudeHome, type ClaudeHome } from '../fixtures/claudeEnv';
import { contentText, startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { CliProcess, type JsonLine } from './cliProcess';

/** Runs `walkie …` to its end. */
async function walkie(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number | null | undefined; stdout: string; stderr: string }> {
  const p = new CliProcess(args, { env });
  await p.waitFor('exit', () => p.exitCode !== undefined, 20_000).catch(() => undefined);
  return { code: p.exitCode, stdout: p.stdout, stderr: p.stderr };
}

describe('walkie schedule add|list|rm (CLI)', function () {
  this.timeout(60_000);
  let stateDir: string;
  let project: string;

  beforeEach(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-schedules-cli-'));
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-schedules-proj-'));
  });
  afterEach(() => {
    fs.rmSync(stateDir, { recursive: true, force: true });
    fs.rmSync(project, { recursive: true, force: true });
  });

  it('refuses a bad cron expression: exits non-zero, says what is wrong, saves nothing', async () => {
    const r = await walkie(['schedule', 'add', '--state-dir', stateDir, '--dir', project, '--cron', '0 25 * * 1-5', '--prompt', 'check the build']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /"0 25 \* \* 1-5" is not a valid cron expression: .*hour/);
    assert.match(r.stderr, /nothing was saved/);
    assert.equal(fs.existsSync(path.join(stateDir, 'schedules.json')), false);
    const tz = await walkie(['schedule', 'add', '--state-dir', stateDir, '--dir', project, '--every', 'daily', '--at', '08:00', '--tz', 'Mars/Olympus', '--prompt', 'x']);
    assert.equal(tz.code, 2);
    assert.match(tz.stderr, /unknown time zone "Mars\/Olympus"/);
    assert.equal(fs.existsSync(path.join(stateDir, 'schedules.json')), false);
  });

  it('saves a good one, shows its next three runs, lists them, flags a twin, and removes it', async () => {
    const add = ['schedule', 'add', '--state-dir', stateDir, '--dir', project, '--cron', '0 8 * * 1-5', '--tz', 'Europe/Paris', '--prompt', 'check the build'];
    const r = await walkie(add);
    assert.equal(r.code, 0, r.stderr);
    const id = /saved schedule (\S+):/.exec(r.stdout)?.[1];
    assert.ok(id, r.stdout);
    assert.match(r.stdout, /cron 0 8 \* \* 1-5 \(Europe\/Paris\)/);
    const shown = r.stdout.match(/(Mon|Tue|Wed|Thu|Fri) \d{4}-\d\d-\d\d 08:00 Europe\/Paris/g) ?? [];
    assert.equal(shown.length, 3, r.stdout);

    const twin = await walkie([...add.slice(0, -1), 'Check the   build']);
    assert.equal(twin.code, 1);
    assert.match(twin.stderr, new RegExp(`schedule ${id} already runs the same prompt.*--force`));

    const list = await walkie(['schedule', 'list', '--state-dir', stateDir]);
    assert.equal(list.code, 0);
    assert.match(list.stdout, new RegExp(`^${id}  cron 0 8 \\* \\* 1-5`, 'm'));
    assert.equal((list.stdout.match(/08:00 Europe\/Paris/g) ?? []).length, 3);
    const json = JSON.parse((await walkie(['schedule', 'list', '--json', '--state-dir', stateDir])).stdout) as { schedules: Array<{ nextRuns: number[] }> };
    assert.equal(json.schedules.length, 1);
    assert.equal(json.schedules[0]!.nextRuns.length, 3);

    assert.equal((await walkie(['schedule', 'rm', id, '--state-dir', stateDir])).code, 0);
    assert.match((await walkie(['schedule', 'list', '--state-dir', stateDir])).stdout, /no schedules/);
    assert.equal((await walkie(['schedule', 'rm', id, '--state-dir', stateDir])).code, 1);
  });

  it('refuses to touch a schedules file it cannot read, and leaves it as it was', async () => {
    fs.writeFileSync(path.join(stateDir, 'schedules.json'), '{"v":1,"schedules":[{"oops":true}]');
    const r = await walkie(['schedule', 'add', '--state-dir', stateDir, '--dir', project, '--every', 'hourly', '--prompt', 'x']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /schedules\.json is not valid JSON/);
    assert.equal(fs.readFileSync(path.join(stateDir, 'schedules.json'), 'utf8'), '{"v":1,"schedules":[{"oops":true}]');
  });
});

describe('a scheduled run with walkie host and the real Claude Code CLI', function () {
  this.timeout(120_000);
  let mock: MockAnthropic;
  let home: ClaudeHome;
  let project: string;
  let scratch: string;
  let stateDir: string;
  let host: CliProcess;
  let device: CliProcess;
  let scheduleId: string;

  before(async () => {
    mock = await startMockAnthropic();
    home = seedClaudeHome(mock.url, { projects: 2 });
    project = home.projects[1]!;
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-schedules-e2e-'));
    stateDir = path.join(scratch, 'host');
    // Saved before the host starts, for 08:00 on Mondays: never due during the test.
    const add = await walkie(['schedule', 'add', '--state-dir', stateDir, '--dir', project, '--every', 'weekly', '--day', 'mon', '--at', '08:00', '--tz', 'UTC', '--prompt', `SCENARIO:bash DIR=${project} scheduled check`]);
    assert.equal(add.code, 0, add.stderr);
    scheduleId = /saved schedule (\S+):/.exec(add.stdout)![1]!;
    const pairFile = path.join(scratch, 'pair.txt');
    host = new CliProcess(['host', '--pair-file', pairFile, '--state-dir', stateDir, '--name', 'schedule box', '--', claudeBin()], { cwd: home.projects[0], env: home.env });
    const url = await host.waitFor('the pairing file', () => fs.existsSync(pairFile) && fs.readFileSync(pairFile, 'utf8').trim());
    device = new CliProcess(['device', url, '--json', '--state-dir', path.join(scratch, 'device'), '--name', 'test phone']);
    await device.line('paired');
    await device.line('session');
  });

  after(async () => {
    await device?.kill();
    await host?.kill();
    await mock?.close();
    home?.dispose();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  const listing = (from: number, where: (l: JsonLine) => boolean) => device.line('schedules', where, from, 90_000);
  type Listing = { schedules: Array<{ id: string; nextRuns: number[]; running: boolean }>; runs: Array<{ schedule: string; session?: string; status: string; result?: string; approvals: number; startedAt: number; endedAt?: number }> };
  const of = (l: JsonLine) => l.listing as Listing;

  it('lists the schedule on the phone with its next three runs', async () => {
    const from = device.lines.length;
    device.send({ type: 'schedules' });
    const l = of(await listing(from, () => true));
    assert.equal(l.schedules.length, 1);
    assert.equal(l.schedules[0]!.id, scheduleId);
    assert.equal(l.schedules[0]!.nextRuns.length, 3);
    for (const t of l.schedules[0]!.nextRuns) assert.equal(new Date(t).toISOString().slice(10), 'T08:00:00.000Z');
  });

  it('run-now (from another process) starts a fresh gated session whose Bash call waits for the phone', async () => {
    const from = device.lines.length;
    const sessionsBefore = new Set(device.lines.filter((l) => l.type === 'session').map((l) => (l.session as { id: string }).id));
    const r = await walkie(['schedule', 'run-now', scheduleId, '--state-dir', stateDir]);
    assert.equal(r.code, 0, r.stderr);
    const started = await device.line('session', (l) => !sessionsBefore.has((l.session as { id: string }).id), from, 60_000);
    const runSession = (started.session as { id: string; cwd: string }).id;
    assert.equal((started.session as { cwd: string }).cwd, project);
    const approval = await device.line('approval', (l) => l.session === runSession && l.tool === 'Bash', from, 60_000);
    // The prompt reached the model as typed by the schedule.
    assert.ok(mock.requests.some((q) => (q.messages ?? []).some((m) => m.role === 'user' && contentText(m.content).includes('scheduled check'))));
    assert.equal(fs.existsSync(path.join(project, 'out.txt')), false, 'the command ran before it was approved');
    const running = of(await listing(from, (l) => of(l).runs.some((x) => x.session === runSession && x.status === 'running' && x.approvals === 1)));
    assert.equal(running.schedules[0]!.running, true);
    device.send({ type: 'decide', id: approval.id, decision: 'allow' });
    const done = of(await listing(from, (l) => of(l).runs.some((x) => x.session === runSession && x.status === 'done')));
    const run = done.runs.find((x) => x.session === runSession)!;
    assert.equal(run.schedule, scheduleId);
    assert.equal(run.result, 'Done: wrote out.txt');
    assert.equal(run.approvals, 1);
    assert.ok(run.endedAt! >= run.startedAt);
    assert.equal(fs.readFileSync(path.join(project, 'out.txt'), 'utf8').trim(), 'hi');
    // The run's session was stopped once its turn ended.
    await device.line('session', (l) => (l.session as { id: string; status: string }).id === runSession && (l.session as { status: string }).status === 'ended', from);
  });

  it('a phone can only schedule in the host folder, and a bad cadence from the phone is refused saying why', async () => {
    const from = device.lines.length;
    const base = { prompt: 'check', cadence: { kind: 'cron', expr: '0 8 * * *' }, timeZone: 'UTC', enabled: true, missed: 'skip' };
    device.send({ type: 'scheduleSave', ref: 'r1', schedule: { ...base, dir: os.homedir() } });
    const outside = await device.line('error', (l) => l.ref === 'r1', from);
    assert.equal(outside.code, 'HOST_ERR_DIR_NOT_ALLOWED');
    device.send({ type: 'scheduleSave', ref: 'r2', schedule: { ...base, dir: home.projects[0], cadence: { kind: 'cron', expr: '0 8 * 13 *' } } });
    const bad = await device.line('error', (l) => l.ref === 'r2', from);
    assert.equal(bad.code, 'HOST_ERR_SCHEDULE_INVALID');
    assert.match(String(bad.message), /not a valid cron expression/);
    device.send({ type: 'scheduleSave', ref: 'r3', schedule: { ...base, dir: home.projects[0] } });
    const saved = await device.line('scheduleSaved', (l) => l.ref === 'r3', from);
    assert.equal((saved.schedule as { nextRuns: number[] }).nextRuns.length, 3);
    const list = await walkie(['schedule', 'list', '--state-dir', stateDir]);
    assert.match(list.stdout, /daily|cron 0 8 \* \* \*/);
    assert.equal((list.stdout.match(/^\S+ {2}/gm) ?? []).length, 2);
  });
});
