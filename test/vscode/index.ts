// Entry point that VS Code's extension host calls (extensionTestsPath): runs every test/vscode/*.test.js
// with mocha inside the real host and writes {passed, failed, failures} to $WALKIE_TEST_RESULTS.
// extension.test.js runs first: it checks that activation alone started nothing.
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 60000, forbidOnly: true, forbidPending: true });
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort((a, b) => Number(b === 'extension.test.js') - Number(a === 'extension.test.js') || a.localeCompare(b));
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  const failures: string[] = [];
  let passed = 0;
  return new Promise((resolve, reject) => {
    const runner = mocha.run();
    runner.on('pass', () => passed++);
    runner.on('fail', (test, err: Error) => failures.push(`${test.fullTitle()}: ${err?.message ?? String(err)}`));
    runner.on('end', () => {
      const out = process.env.WALKIE_TEST_RESULTS;
      if (out) fs.writeFileSync(out, JSON.stringify({ passed, failed: failures.length, failures }));
      if (failures.length) reject(new Error(`${failures.length} in-editor test(s) failed`));
      else resolve();
    });
  });
}
