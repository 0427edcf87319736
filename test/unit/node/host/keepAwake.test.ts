// KeepAwake with a stand-in `systemd-inhibit` on PATH that records how it was called, runs the command it
// was given (the real `tail --pid=…`), and records how it ended: stopped by Walkie, or released because the
// process it waits on (Walkie) died.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Emitter } from '../../../../src/core/base/event';
import type { SessionInfo } from '../../../../src/core/wire/protocol';
import { inhibitorFor, KeepAwake, keepHostAwake } from '../../../../src/node/host/keepAwake';

const STAND_IN = `#!/bin/sh
child=
trap 'echo stopped >> "$KEEPAWAKE_LOG"; [ -n "$child" ] && kill $child 2>/dev/null; exit 0' TERM
all="$*"
while [ "\${1#--}" != "$1" ]; do shift; done
"$@" &
child=$!
echo "start $all" >> "$KEEPAWAKE_LOG"
wait $child
echo released >> "$KEEPAWAKE_LOG"
`;

async function until<T>(what: string, probe: () => T | undefined | false, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A temporary folder holding `script` as `tool`, first on PATH; `lines()` reads what the stand-in logged. */
function standIn(tool: string, script: string) {
  const t = { dir: '', log: '', env: {} as NodeJS.ProcessEnv, lines: (): string[] => (fs.existsSync(t.log) ? fs.readFileSync(t.log, 'utf8').trim().split('\n') : []) };
  beforeEach(() => {
    t.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-awake-'));
    fs.writeFileSync(path.join(t.dir, tool), script, { mode: 0o755 });
    t.log = path.join(t.dir, 'calls.log');
    t.env = { PATH: `${t.dir}:${process.env.PATH ?? '/usr/bin:/bin'}`, KEEPAWAKE_LOG: t.log };
  });
  afterEach(() => fs.rmSync(t.dir, { recursive: true, force: true }));
  return t;
}

describe('KeepAwake (a stand-in systemd-inhibit on PATH)', function () {
  this.timeout(20_000);
  const t = standIn('systemd-inhibit', STAND_IN);
  const lines = () => t.lines();

  it('starts the inhibitor once while wanted, waiting on Walkie, and stops it when not', async () => {
    const awake = new KeepAwake({ platform: 'linux', env: t.env });
    const changes: boolean[] = [];
    awake.onChange((on) => changes.push(on));
    awake.set(true);
    awake.set(true);
    await until('the inhibitor to start', () => lines().length > 0);
    assert.deepEqual(lines(), [`start --what=sleep:idle --who=Walkie --why=A Walkie agent session is working or waiting for approval --mode=block tail --pid=${process.pid} -f /dev/null`]);
    assert.equal(awake.active, true);
    awake.set(false);
    await until('the inhibitor to stop', () => lines().includes('stopped'));
    assert.equal(awake.active, false);
    assert.deepEqual(changes, [true, false]);
    awake.dispose();
  });

  it('is released when Walkie dies without stopping it (a crash)', async () => {
    const walkie = spawn('sleep', ['30'], { stdio: 'ignore' });
    const awake = new KeepAwake({ platform: 'linux', env: t.env, pid: walkie.pid });
    const off = new Promise<void>((resolve) => awake.onChange((on) => !on && resolve()));
    awake.set(true);
    await until('the inhibitor to start', () => lines().length > 0);
    walkie.kill('SIGKILL');
    await until('the inhibitor to be released', () => lines().includes('released'));
    await off;
    assert.equal(awake.active, false);
  });

  it('says once that the tool is missing, and does nothing else', () => {
    const warnings: string[] = [];
    const logger = { trace() {}, debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} };
    const awake = new KeepAwake({ platform: 'linux', env: { PATH: path.join(t.dir, 'nothing-here') }, logger });
    awake.set(true);
    awake.set(false);
    awake.set(true);
    assert.equal(awake.active, false);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /systemd-inhibit was not found/);
  });

  it('names caffeinate on macOS and SetThreadExecutionState on Windows, each waiting on Walkie', () => {
    assert.deepEqual(inhibitorFor('darwin', 42), { command: 'caffeinate', args: ['-i', '-w', '42'] });
    const win = inhibitorFor('win32', 42)!;
    assert.equal(win.command, 'powershell.exe');
    assert.match(win.args.at(-1)!, /SetThreadExecutionState\(\[uint32\]2147483649\).*Wait-Process -Id 42$/);
    assert.equal(inhibitorFor('aix', 42), undefined);
  });
});

// Stand-ins for the macOS and Windows tools: each records its arguments and, like the real one, lives
// exactly as long as the process it was told to wait on (caffeinate -w PID; powershell's Wait-Process -Id PID).
const WAITING_STAND_IN = `#!/bin/sh
child=
trap 'echo stopped >> "$KEEPAWAKE_LOG"; [ -n "$child" ] && kill $child 2>/dev/null; exit 0' TERM
pid=$(printf '%s' "$*" | sed -n -e 's/.*-w \\([0-9][0-9]*\\).*/\\1/p' -e 's/.*Wait-Process -Id \\([0-9][0-9]*\\).*/\\1/p')
[ -n "$pid" ] || { echo "no pid to wait on" >> "$KEEPAWAKE_LOG"; exit 1; }
tail --pid="$pid" -f /dev/null &
child=$!
echo "start $*" >> "$KEEPAWAKE_LOG"
wait $child
echo released >> "$KEEPAWAKE_LOG"
`;

for (const [platform, tool] of [
  ['darwin', 'caffeinate'],
  ['win32', 'powershell.exe'],
] as const) {
  describe(`KeepAwake on ${platform} (a stand-in ${tool} on PATH)`, function () {
    this.timeout(20_000);
    const t = standIn(tool, WAITING_STAND_IN);
    const lines = () => t.lines();

    it(`runs ${tool} waiting on Walkie while wanted, and stops it when not`, async () => {
      const awake = new KeepAwake({ platform, env: t.env });
      awake.set(true);
      await until(`${tool} to start`, () => lines().length > 0);
      assert.deepEqual(lines(), [`start ${inhibitorFor(platform, process.pid)!.args.join(' ')}`]);
      assert.equal(awake.active, true);
      awake.set(false);
      await until(`${tool} to stop`, () => lines().includes('stopped'));
      assert.equal(awake.active, false);
      awake.dispose();
    });

    it(`is released when Walkie dies without stopping ${tool} (a crash)`, async () => {
      const walkie = spawn('sleep', ['30'], { stdio: 'ignore' });
      const awake = new KeepAwake({ platform, env: t.env, pid: walkie.pid });
      const off = new Promise<void>((resolve) => awake.onChange((on) => !on && resolve()));
      awake.set(true);
      await until(`${tool} to start`, () => lines().length > 0);
      assert.ok(lines()[0]!.includes(String(walkie.pid)), 'told to wait on the Walkie process');
      walkie.kill('SIGKILL');
      await until(`${tool} to be released`, () => lines().includes('released'));
      await off;
      assert.equal(awake.active, false);
    });
  });
}

describe('keepHostAwake', () => {
  it('is on only while a device is paired and a session works or waits for an approval', () => {
    const calls: boolean[] = [];
    const fake = { set: (on: boolean) => calls.push(on), dispose() {} } as unknown as KeepAwake;
    const info = new Emitter<SessionInfo>();
    const added = new Emitter<{ onInfo: typeof info.event }>();
    const devices = new Emitter<void>();
    let status: SessionInfo['status'] = 'idle';
    let paired: unknown[] = [];
    const session = { info: () => ({ status }) as SessionInfo, onInfo: info.event };
    const list: (typeof session)[] = [];
    const host = { sessions: { list: () => list, onDidAdd: added.event, onDidRemove: new Emitter<unknown>().event }, pairedDevices: () => paired, onDevicesChanged: devices.event };
    const sub = keepHostAwake(host, fake);
    const step = (s: SessionInfo['status']) => {
      status = s;
      info.fire(session.info());
      return calls.at(-1);
    };
    list.push(session);
    added.fire(session);
    assert.equal(step('working'), false, 'no device paired');
    paired = [{}];
    devices.fire();
    assert.equal(calls.at(-1), true);
    assert.equal(step('idle'), false);
    assert.equal(step('waiting'), true);
    assert.equal(step('ended'), false);
    sub.dispose();
  });
});
