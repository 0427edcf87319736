import assert from 'node:assert/strict';
import { ManualClock } from '../../../../src/core/base/clock';
import { PtyProcess, sanitizePrompt } from '../../../../src/node/terminal/ptyProcess';

// A child that puts its terminal in raw mode and reports every byte it receives as hex, one read per line.
const ECHO_BYTES = "process.stdin.setRawMode(true);process.stdout.write('READY\\n');process.stdin.on('data',d=>process.stdout.write('IN:'+d.toString('hex')+'\\n'))";

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('PtyProcess', () => {
  let proc: PtyProcess | undefined;
  let out = '';
  const received = () => Buffer.from([...out.matchAll(/IN:([0-9a-f]+)/g)].map((m) => m[1]).join(''), 'hex').toString('utf8');

  const spawn = async (clock?: ManualClock) => {
    out = '';
    proc = new PtyProcess({ command: process.execPath, args: ['-e', ECHO_BYTES], cwd: process.cwd(), env: process.env, clock });
    proc.onData((d) => (out += d));
    await until(() => out.includes('READY'));
    return proc;
  };
  afterEach(() => {
    proc?.dispose();
    proc = undefined;
  });

  it('types a prompt as a bracketed paste followed by a separate Enter', async () => {
    const p = await spawn();
    const text = 'first line\nsecond line ' + 'x'.repeat(2000);
    await p.paste(text);
    await until(() => received().endsWith('\r'));
    assert.equal(received(), `\x1b[200~${text}\x1b[201~\r`);
  });

  it('waits for its clock, not a real timer, before the Enter that follows a paste', async () => {
    const clock = new ManualClock();
    const p = await spawn(clock);
    let entered = false;
    const typed = p.paste('hello').then(() => (entered = true));
    await until(() => received() === '\x1b[200~hello\x1b[201~');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(entered, false);
    assert.equal(received(), '\x1b[200~hello\x1b[201~');
    clock.advance(50);
    await typed;
    await until(() => received().endsWith('\r'));
    assert.equal(received(), '\x1b[200~hello\x1b[201~\r');
  });

  it('interrupts with a lone Esc', async () => {
    const p = await spawn();
    p.interrupt();
    await until(() => received().length > 0);
    assert.equal(received(), '\x1b');
  });

  it('never lets a prompt carry keystrokes: control characters are removed', () => {
    assert.equal(sanitizePrompt('a\x1b[201~\rrm -rf /\r\n\tb\x03\x7f'), 'a[201~\nrm -rf /\n\tb');
  });

  it('reports the exit code, and ignores writes and resizes after exit', async () => {
    proc = new PtyProcess({ command: process.execPath, args: ['-e', 'process.exit(7)'], cwd: process.cwd(), env: process.env });
    const code = await new Promise<number>((r) => proc!.onExit(r));
    assert.equal(code, 7);
    assert.equal(proc.exited, 7);
    proc.write('x');
    proc.resize(80, 24);
    assert.equal(proc.exitSignal, undefined);
  });

  it('reports a process killed by a signal as a failure: 128 + the signal, and its name', async () => {
    proc = new PtyProcess({ command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], cwd: process.cwd(), env: process.env });
    const exited = new Promise<number>((r) => proc!.onExit(r));
    process.kill(proc.pid, 'SIGKILL');
    assert.equal(await exited, 128 + 9);
    assert.equal(proc.exitSignal, 'SIGKILL');
  });
});
