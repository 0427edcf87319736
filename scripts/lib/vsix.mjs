// Packaging helpers shared by the VSIX test and the benchmark.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './codeServer.mjs';

export function packageVsix() {
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const vsix = path.join(ROOT, `walkie-${version}.vsix`);
  fs.rmSync(vsix, { force: true });
  const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run package failed');
  return vsix;
}

/** The file names inside a VSIX (a zip), read with Python's zipfile (python3 is on every machine here). */
export function vsixEntries(vsix) {
  const r = spawnSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', vsix], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot list ${vsix}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}
