import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attachFile, defaultAttachDir, findAttachEntry, isAlive, readAttachEntry, removeAttachEntry, writeAttachEntry } from '../../../../src/node/attach/attachRegistry';
import { ancestorPids, parentPid } from '../../../../src/node/terminal/processTree';

const SECRET = 'A'.repeat(43);
const entry = (o: Partial<{ url: string; secret: string; pid: number }> = {}) => ({ url: 'http://127.0.0.1:4567/hook/abcDEF_123-x', secret: SECRET, pid: process.pid, ...o });

/** The pid of a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  assert.ok(r.pid);
  return r.pid;
}

describe('attachRegistry', () => {
  let home: string;
  let dir: string;
  let ws: string;

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-attach-home-'));
    dir = defaultAttachDir(home);
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-attach-ws-'));
  });
  afterEach(() => {
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('writes the entry 0600 in a 0700 folder, keyed by the sha256 of the real path, and reads it back', () => {
    const file = writeAttachEntry(dir, ws, entry());
    assert.equal(file, attachFile(dir, ws));
    assert.match(path.basename(file), /^[0-9a-f]{64}\.json$/);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.dirname(dir)).mode & 0o777, 0o700);
    assert.deepEqual(readAttachEntry(dir, ws), entry());
    assert.deepEqual(fs.readdirSync(dir), [path.basename(file)]);
  });

  it('finds the same entry through a symlinked path and from a subfolder', () => {
    writeAttachEntry(dir, ws, entry());
    const link = path.join(home, 'link');
    fs.symlinkSync(ws, link);
    fs.mkdirSync(path.join(ws, 'a', 'b'), { recursive: true });
    assert.deepEqual(readAttachEntry(dir, link), entry());
    assert.deepEqual(findAttachEntry(dir, path.join(link, 'a', 'b')), entry());
    assert.equal(findAttachEntry(dir, home), undefined);
  });

  it('ignores a stale entry whose host process is dead', () => {
    writeAttachEntry(dir, ws, entry({ pid: deadPid() }));
    assert.equal(readAttachEntry(dir, ws), undefined);
    assert.equal(findAttachEntry(dir, ws), undefined);
    assert.equal(isAlive(process.pid), true);
    assert.equal(isAlive(0), false);
  });

  it('ignores an entry that others may read or write, or whose folder is not private', () => {
    const file = writeAttachEntry(dir, ws, entry());
    fs.chmodSync(file, 0o644);
    assert.equal(readAttachEntry(dir, ws), undefined);
    fs.chmodSync(file, 0o600);
    fs.chmodSync(dir, 0o755);
    assert.equal(findAttachEntry(dir, ws), undefined);
    // Writing again makes the folder private again.
    writeAttachEntry(dir, ws, entry());
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.deepEqual(findAttachEntry(dir, ws), entry());
  });

  it('ignores an entry that is not JSON, lacks fields, or points anywhere but a loopback http URL', () => {
    const file = writeAttachEntry(dir, ws, entry());
    const bad = [
      'not json',
      '{}',
      JSON.stringify({ ...entry(), url: 'http://10.0.0.5:4567/hook/x' }),
      JSON.stringify({ ...entry(), url: 'https://127.0.0.1:4567/hook/x' }),
      JSON.stringify({ ...entry(), url: 'http://127.0.0.1:4567@evil.example/hook/x' }),
      JSON.stringify({ ...entry(), secret: 'short' }),
      JSON.stringify({ ...entry(), pid: '1' }),
    ];
    for (const text of bad) {
      fs.writeFileSync(file, text, { mode: 0o600 });
      assert.equal(readAttachEntry(dir, ws), undefined, text);
    }
  });

  it('removes the entry only while it still names this host', () => {
    writeAttachEntry(dir, ws, entry({ url: 'http://127.0.0.1:1111/hook/other' }));
    assert.equal(removeAttachEntry(dir, ws, entry().url), false);
    assert.ok(fs.existsSync(attachFile(dir, ws)));
    writeAttachEntry(dir, ws, entry());
    assert.equal(removeAttachEntry(dir, ws, entry().url), true);
    assert.equal(fs.existsSync(attachFile(dir, ws)), false);
  });
});

describe('processTree', () => {
  it('walks a process up to its ancestors, nearest first', () => {
    const chain = ancestorPids(process.pid);
    assert.equal(chain[0], process.ppid);
    assert.equal(parentPid(process.pid), process.ppid);
    assert.equal(new Set(chain).size, chain.length);
    assert.ok(!chain.includes(process.pid));
  });

  it('has no parent for a process that is gone', () => {
    const pid = deadPid();
    assert.equal(parentPid(pid), undefined);
    assert.deepEqual(ancestorPids(pid), []);
  });
});
