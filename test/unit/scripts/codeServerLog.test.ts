// scripts/lib/codeServer.mjs writes code-server's stdout and stderr into one log: the bench and the
// in-editor tests must not die when one pipe ends before the other (ERR_STREAM_WRITE_AFTER_END).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const CODE_SERVER_LIB = path.resolve(__dirname, '../../../../scripts/lib/codeServer.mjs');

describe('codeServer.pipeOutputToLog', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-polish-log-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps writing stderr into the log after stdout has ended, and the caller lives on', () => {
    const log = path.join(dir, 'child.log');
    // The child ends its stdout first, then writes to stderr a moment later (what code-server does when it is slow to exit).
    const child = "process.stdout.write('out-line\\n'); process.stdout.end(); setTimeout(() => process.stderr.write('err-line\\n'), 300);";
    const parent = `
      import { spawn } from 'node:child_process';
      import { pipeOutputToLog } from ${JSON.stringify(pathToFileURL(CODE_SERVER_LIB).href)};
      const cs = spawn(process.execPath, ['-e', ${JSON.stringify(child)}], { stdio: ['ignore', 'pipe', 'pipe'] });
      const file = pipeOutputToLog(cs, ${JSON.stringify(log)});
      file.on('finish', () => setTimeout(() => console.log('parent alive'), 100));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', parent], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, `the parent died: ${r.stderr}`);
    assert.match(r.stdout, /parent alive/);
    assert.doesNotMatch(r.stderr, /ERR_STREAM_WRITE_AFTER_END/);
    const text = fs.readFileSync(log, 'utf8');
    assert.match(text, /out-line/);
    assert.match(text, /err-line/);
  });
});

describe('codeServer.formatHostLog', () => {
  const format = (args: unknown) => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
      import { formatHostLog } from ${JSON.stringify(pathToFileURL(CODE_SERVER_LIB).href)};
      process.stdout.write(JSON.stringify(formatHostLog(${JSON.stringify(args)})));
    `], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as string;
  };

  it("formats mocha's console lines in the in-editor test output instead of printing raw %s%s", () => {
    assert.equal(format(['%s%s', '    ', 'activates on startup']), '    activates on startup');
    assert.equal(format(['%d passing (%s)', 12, '3s']), '12 passing (3s)');
    assert.equal(format(['plain', 'words']), 'plain words');
  });
});
