// `npm test`: lint, type-check, build, unit tests (Node), end-to-end tests with the real Claude Code CLI
// (test/e2e: `walkie host`, the relay, a scripted device), the in-editor suite (inside a real VS Code:
// code-server), the packaged VSIX (installed into code-server and activated) and the browser tests
// (Chromium). Ends with ONE line for the whole run: `N passed, N failed`.
// e2e-latest repeats the gate and device-prompt scenarios against the newest published Claude Code.
//   node scripts/test.mjs [lint|typecheck|unit|e2e|e2e-latest|vscode|vsix|browser ...]   (default: all)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECTS, typecheck } from './typecheck.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ALL = ['lint', 'typecheck', 'unit', 'e2e', 'e2e-latest', 'vscode', 'vsix', 'browser'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
for (const w of wanted) if (!ALL.includes(w)) { console.error(`unknown phase '${w}' (phases: ${ALL.join(', ')})`); process.exit(2); }
const RESULTS = path.join(ROOT, 'out/results');
fs.mkdirSync(RESULTS, { recursive: true });

let passed = 0;
let failed = 0;
const failures = [];
const t0 = Date.now();
const check = (name, ok, detail = '') => {
  if (ok) passed++; else { failed++; failures.push(name); if (detail) console.log(detail); }
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
};
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts }).status === 0;
const listTests = (dir) => {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { recursive: true }).map(String).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join(abs, f));
};
/** Runs a child that writes {passed, failed, failures} to a results file; a crash counts as a failure. */
const phase = (name, cmd, args, env = {}) => {
  const file = path.join(RESULTS, `${name}.json`);
  fs.rmSync(file, { force: true });
  const t = Date.now();
  const ok = run(cmd, [...args.map((a) => (a === '$RESULTS' ? file : a))], { env: { ...process.env, ...env, WALKIE_TEST_RESULTS: file } });
  let r = { passed: 0, failed: 0, failures: [] };
  try { r = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { /* no results: the child died */ }
  if (!ok && r.failed === 0) r = { ...r, failed: 1, failures: [...r.failures, `${name}: exited with an error and reported no failing test`] };
  passed += r.passed;
  failed += r.failed;
  failures.push(...r.failures.map((f) => `${name}: ${f}`));
  console.log(`== ${name}: ${r.passed} passed, ${r.failed} failed (${((Date.now() - t) / 1000).toFixed(1)} s)`);
};

if (wanted.includes('lint')) check('lint (eslint .)', run(process.execPath, [path.join(ROOT, 'node_modules/eslint/bin/eslint.js'), '.']));
if (wanted.includes('typecheck')) for (const p of PROJECTS) { const r = typecheck(p); check(`typecheck ${p}`, r.ok, r.output); }

const needsBuild = wanted.some((w) => w !== 'lint' && w !== 'typecheck');
// The gate and device-prompt scenarios run again against the newest published Claude Code (the e2e phase
// uses the minimum Walkie supports): what changed between them is in docs/claude-code.md.
const LATEST_E2E = ['agentGate', 'agentSession', 'devicePrompts'];
const built = needsBuild ? run(process.execPath, ['scripts/build.mjs', '--tests']) : true;
if (needsBuild) check('build (dist and out/test)', built);

if (built) {
  if (wanted.includes('unit')) phase('unit', process.execPath, ['scripts/run-mocha.mjs', '$RESULTS', '20000', ...listTests('out/test/unit')]);
  if (wanted.includes('e2e')) phase('e2e', process.execPath, ['scripts/run-mocha.mjs', '$RESULTS', '90000', ...listTests('out/test/e2e')]);
  if (wanted.includes('e2e-latest')) {
    const files = listTests('out/test/e2e').filter((f) => LATEST_E2E.some((n) => path.basename(f) === `${n}.test.js`));
    phase('e2e-latest', process.execPath, ['scripts/run-mocha.mjs', '$RESULTS', '90000', ...files], { WALKIE_TEST_CLAUDE: 'latest' });
  }
  if (wanted.includes('vscode')) phase('vscode', process.execPath, ['scripts/vscode-tests.mjs', '$RESULTS']);
  if (wanted.includes('vsix')) phase('vsix', process.execPath, ['scripts/vsix-test.mjs', '$RESULTS']);
  if (wanted.includes('browser')) phase('browser', process.execPath, ['scripts/run-mocha.mjs', '$RESULTS', '60000', ...listTests('out/test/browser')]);
}

if (failures.length) console.log(`\nFailures:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
console.log(`\n(${((Date.now() - t0) / 1000).toFixed(0)} s)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
