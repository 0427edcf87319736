import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../../../src/core/base/clock';
import { TranscriptTailer } from '../../../../src/node/sessions/transcriptTailer';

/** Counts calls of `obj[name]` while `fn` runs. */
async function counting<T extends object>(obj: T, name: keyof T, fn: () => unknown): Promise<number> {
  const original = obj[name] as unknown as (...a: unknown[]) => unknown;
  let calls = 0;
  (obj as Record<keyof T, unknown>)[name] = function (this: unknown, ...a: unknown[]) {
    calls++;
    return original.apply(this, a);
  };
  try {
    await fn();
  } finally {
    (obj as Record<keyof T, unknown>)[name] = original;
  }
  return calls;
}

describe('TranscriptTailer', () => {
  let dir: string;
  let file: string;
  let lines: string[];
  let tailer: TranscriptTailer | undefined;
  const follow = (o: { maxLineBytes?: number; pollMs?: number } = {}) => (tailer = new TranscriptTailer({ file, onLine: (l) => lines.push(l), pollMs: o.pollMs ?? 60_000, maxLineBytes: o.maxLineBytes }));

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-tail-'));
    file = path.join(dir, 'session.jsonl');
    lines = [];
  });
  afterEach(() => {
    tailer?.dispose();
    tailer = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads the history already in the file, then what is appended', () => {
    fs.writeFileSync(file, '{"a":1}\n{"a":2}\n');
    const t = follow();
    assert.deepEqual(lines, ['{"a":1}', '{"a":2}']);
    fs.appendFileSync(file, '{"a":3}\n');
    t.readMore();
    assert.deepEqual(lines, ['{"a":1}', '{"a":2}', '{"a":3}']);
  });

  it('holds a partial line until its newline arrives, even inside a multi-byte character', () => {
    const t = follow();
    const bytes = Buffer.from('{"t":"héllo ✓"}\n', 'utf8');
    const cut = bytes.indexOf(Buffer.from('✓')) + 1;
    fs.writeFileSync(file, bytes.subarray(0, cut));
    t.readMore();
    assert.deepEqual(lines, []);
    fs.appendFileSync(file, bytes.subarray(cut));
    t.readMore();
    assert.deepEqual(lines, ['{"t":"héllo ✓"}']);
  });

  it('waits for a file that does not exist yet', () => {
    const t = follow();
    t.readMore();
    fs.writeFileSync(file, 'x\n');
    t.readMore();
    assert.deepEqual(lines, ['x']);
  });

  it('starts over when the file is truncated', () => {
    fs.writeFileSync(file, 'one\ntwo\n');
    const t = follow();
    fs.writeFileSync(file, '3\n');
    t.readMore();
    assert.deepEqual(lines, ['one', 'two', '3']);
  });

  it('skips an over-long line and keeps going', () => {
    const t = follow({ maxLineBytes: 10 });
    fs.writeFileSync(file, 'short\n' + 'y'.repeat(30));
    t.readMore();
    fs.appendFileSync(file, 'z'.repeat(30) + '\nafter\n');
    t.readMore();
    assert.deepEqual(lines, ['short', 'after']);
  });

  it('notices appended lines by itself (fs.watch or the poll)', async () => {
    fs.writeFileSync(file, '');
    follow({ pollMs: 100 });
    fs.appendFileSync(file, 'live\n');
    const end = Date.now() + 3000;
    while (!lines.length && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(lines, ['live']);
  });

  it('allocates no read buffer when the file did not grow', async () => {
    fs.writeFileSync(file, 'one\n');
    const t = follow();
    const allocations = await counting(Buffer, 'allocUnsafe', () => {
      for (let i = 0; i < 20; i++) t.readMore();
    });
    assert.equal(allocations, 0);
    assert.deepEqual(lines, ['one']);
  });

  it('does not poll an idle file while fs.watch works, and still sees what is appended', async () => {
    fs.writeFileSync(file, 'one\n');
    let t!: TranscriptTailer;
    // A 20 ms poll would check the file ~25 times in half a second; the watch makes the poll unnecessary.
    const checks = await counting(fs, 'fstatSync', async () => {
      t = new TranscriptTailer({ file, onLine: (l) => lines.push(l), pollMs: 20 });
      tailer = t;
      await new Promise((r) => setTimeout(r, 500));
    });
    assert.ok(checks <= 2, `the idle file was checked ${checks} times`);
    fs.appendFileSync(file, 'two\n');
    const end = Date.now() + 3000;
    while (lines.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(lines, ['one', 'two']);
  });

  it('polls at pollMs until the file exists, then only at the slow safety period', async () => {
    const clock = new ManualClock();
    tailer = new TranscriptTailer({ file, onLine: (l) => lines.push(l), pollMs: 500, safetyPollMs: 10_000, clock });
    const opens = await counting(fs, 'openSync', () => clock.advance(5_000));
    assert.equal(opens, 10, 'one try every 500 ms while the file is missing');
    fs.writeFileSync(file, 'hello\n');
    clock.advance(500);
    assert.deepEqual(lines, ['hello']);
    const checks = await counting(fs, 'fstatSync', () => clock.advance(60_000));
    assert.equal(checks, 6, 'one safety check every 10 s once watched');
  });

  it('stops reading once disposed', () => {
    const t = follow();
    t.dispose();
    fs.writeFileSync(file, 'x\n');
    t.readMore();
    assert.deepEqual(lines, []);
  });
});
