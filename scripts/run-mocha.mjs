// Runs mocha over built test files and writes {passed, failed, failures} to a results file.
//   node scripts/run-mocha.mjs <results.json> <timeout-ms> <file>...
// `.only` and `.skip` are refused (forbidOnly / forbidPending): no test is skipped silently.
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

const [resultsFile, timeout, ...files] = process.argv.slice(2);
fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: Number(timeout), forbidOnly: true, forbidPending: true, color: !process.env.CI });
for (const f of files) mocha.addFile(f);
const failures = [];
let passed = 0;
let failed = 0;
const runner = mocha.run();
runner.on('pass', () => passed++);
runner.on('fail', (test, err) => { failed++; failures.push(`${test.fullTitle()}: ${err?.message ?? err}`); });
runner.on('end', () => {
  // forbidPending turns pending tests into failures; count them explicitly too.
  fs.writeFileSync(resultsFile, JSON.stringify({ passed, failed, failures }));
  // Exit now: a test that left a handle open must not hang the whole run.
  setTimeout(() => process.exit(failed ? 1 : 0), 50);
});
process.on('unhandledRejection', (e) => {
  console.error('unhandled rejection:', e);
  failed++;
  failures.push(`unhandled rejection: ${e instanceof Error ? e.message : String(e)}`);
});
