// Type-checks each layer against its own tsconfig (its own lib/types), so e.g. src/core cannot use Node.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PROJECTS = ['src/core', 'src/relay', 'src/node', 'src/vscode', 'webview-ui', 'webview-ui/sw', 'test', 'bench'];
const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');

export function typecheck(project) {
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, project, 'tsconfig.json'), '--pretty', 'false'], { encoding: 'utf8' });
  return { ok: r.status === 0, output: (r.stdout + r.stderr).trim() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let failed = 0;
  for (const p of PROJECTS) {
    const r = typecheck(p);
    console.log(`${r.ok ? 'ok  ' : 'FAIL'} typecheck ${p}`);
    if (!r.ok) { failed++; console.log(r.output); }
  }
  process.exit(failed ? 1 : 0);
}
