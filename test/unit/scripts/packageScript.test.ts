// `npm run package` must run to the end in a terminal: vsce asks "[y/N]" on a TTY for any manifest warning it
// is not told to accept (Walkie has no public repository URL to put in package.json).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as pty from 'node-pty';

const ROOT = path.resolve(__dirname, '../../../..');

describe('npm run package', function () {
  this.timeout(90_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-polish-pkg-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('packages in a terminal without stopping at a question', async () => {
    const script = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.package!;
    // The vsce step of the script, as written (the production build before it is the build's own business).
    const vsce = script.slice(script.indexOf('vsce package')).replace(/--out \S+/, `--out ${path.join(dir, 'walkie.vsix')}`);
    assert.match(vsce, /^vsce package /);
    const term = pty.spawn('sh', ['-c', `PATH="${path.join(ROOT, 'node_modules/.bin')}:$PATH" ${vsce}`], { cwd: ROOT, cols: 120, rows: 40, env: process.env as Record<string, string> });
    let screen = '';
    term.onData((d) => (screen += d));
    const exit = await new Promise<number | 'asked'>((resolve) => {
      term.onExit((e) => resolve(e.exitCode));
      const check = setInterval(() => {
        if (!/\[y\/N\]/.test(screen)) return;
        clearInterval(check);
        term.kill();
        resolve('asked');
      }, 100);
      term.onExit(() => clearInterval(check));
    });
    assert.notEqual(exit, 'asked', `vsce stopped at a question:\n${screen.slice(-500)}`);
    assert.equal(exit, 0, screen.slice(-1000));
    assert.ok(fs.statSync(path.join(dir, 'walkie.vsix')).size > 0);
  });
});
