// Runs test/vscode/** INSIDE a real VS Code extension host (code-server), loading this folder as an
// extension under development, then checks the workbench itself (status bar) from the browser side.
// Writes {passed, failed, failures} to argv[2]. Screenshots go to out/artifacts/.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, launchChromium, makeSandbox, startCodeServer, workbenchUrl } from './lib/codeServer.mjs';

const resultsFile = process.argv[2];
const ARTIFACTS = path.join(ROOT, 'out/artifacts');
fs.mkdirSync(ARTIFACTS, { recursive: true });
const dir = makeSandbox('vscode-tests');
const inHostResults = path.join(dir, 'in-host-results.json');
const statusBarSeen = path.join(dir, 'statusbar-seen.txt');
const result = { passed: 0, failed: 0, failures: [] };
const check = (name, ok, why = '') => {
  if (ok) result.passed++; else { result.failed++; result.failures.push(`${name}${why ? `: ${why}` : ''}`); }
  console.log(`  ${ok ? '✓' : '✗'} ${name}${!ok && why ? ` — ${why}` : ''}`);
};

let server;
let browser;
try {
  server = await startCodeServer(dir, { env: { WALKIE_TEST_RESULTS: inHostResults, WALKIE_TEST_ARTIFACTS: ARTIFACTS, WALKIE_STATUSBAR_SEEN: statusBarSeen } });
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const exited = new Promise((resolve) => {
    page.exposeFunction('codeAutomationExit', (code) => resolve(code));
    page.exposeFunction('codeAutomationLog', (_type, args) => console.log('   [host]', ...(args || [])));
  });
  const auth = server.authority;
  await page.goto(workbenchUrl(server, dir, [
    ['extensionDevelopmentPath', `vscode-remote://${auth}${ROOT}`],
    ['extensionTestsPath', `vscode-remote://${auth}${path.join(ROOT, 'out/test/vscode/index.js')}`],
  ]));
  // From the browser side, while the suite runs (the host deactivates once it ends): the status bar item
  // is really on screen.
  const item = page.locator('.statusbar-item', { hasText: 'Walkie' }).first();
  const shown = item.waitFor({ state: 'visible', timeout: 60000 }).then(async () => {
    await page.waitForTimeout(700);
    await item.screenshot({ path: path.join(ARTIFACTS, 'vscode-statusbar.png') });
    await page.screenshot({ path: path.join(ARTIFACTS, 'vscode-workbench.png') });
    fs.writeFileSync(statusBarSeen, await item.innerText());
    return true;
  }, () => false);
  const code = await Promise.race([exited, new Promise((_, rej) => setTimeout(() => rej(new Error('in-editor tests timed out after 300 s')), 300000))]);
  check('the workbench shows the Walkie status bar item', await shown);
  try {
    const r = JSON.parse(fs.readFileSync(inHostResults, 'utf8'));
    result.passed += r.passed; result.failed += r.failed; result.failures.push(...r.failures);
    for (const f of r.failures) console.log(`  ✗ ${f}`);
    console.log(`  in-host suite: ${r.passed} passed, ${r.failed} failed (exit ${code})`);
  } catch {
    check('in-host suite reports results', false, `exit ${code}, no results file (see ${server.logPath})`);
  }
} catch (e) {
  check('in-editor harness', false, e instanceof Error ? e.message : String(e));
} finally {
  await browser?.close().catch(() => {});
  server?.stop();
  fs.writeFileSync(resultsFile, JSON.stringify(result));
  if (!result.failed) fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(result.failed ? 1 : 0);
