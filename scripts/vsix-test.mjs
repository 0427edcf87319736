// Packages the VSIX (npm run package), checks what it ships, installs it into a real VS Code
// (code-server --install-extension) and checks that it activates there: the status bar shows Walkie.
// Writes {passed, failed, failures} to argv[2].
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, installExtension, launchChromium, makeSandbox, startCodeServer, workbenchUrl } from './lib/codeServer.mjs';
import { packageVsix, vsixEntries } from './lib/vsix.mjs';

const resultsFile = process.argv[2];
const ARTIFACTS = path.join(ROOT, 'out/artifacts');
fs.mkdirSync(ARTIFACTS, { recursive: true });
const result = { passed: 0, failed: 0, failures: [] };
const check = (name, ok, why = '') => {
  if (ok) result.passed++; else { result.failed++; result.failures.push(`${name}${why ? `: ${why}` : ''}`); }
  console.log(`  ${ok ? '✓' : '✗'} ${name}${!ok && why ? ` — ${why}` : ''}`);
};

const dir = makeSandbox('vsix');
let server;
let browser;
try {
  const vsix = packageVsix();
  check('npm run package makes a VSIX', fs.existsSync(vsix));
  const entries = vsixEntries(vsix);
  const bad = entries.filter((e) => /\.map$|^extension\/(src|test|webview-ui|scripts|out)\/|\.ts$/.test(e) && !e.endsWith('.d.ts'));
  check('the VSIX ships no sources, tests or maps', bad.length === 0, bad.slice(0, 5).join(', '));
  check('the VSIX ships node-pty for linux-x64', entries.includes('extension/dist/node_modules/node-pty/build/Release/pty.node'));
  check('the VSIX ships the web UI', entries.includes('extension/dist/webview/index.html') && entries.includes('extension/dist/webview/app.js'));

  await installExtension(dir, vsix);
  const installed = fs.readdirSync(path.join(dir, 'ext')).some((d) => d.startsWith('walkie.walkie-'));
  check('code-server --install-extension accepts the VSIX', installed);

  server = await startCodeServer(dir, { logName: 'code-server-vsix.log' });
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(workbenchUrl(server, dir));
  const item = page.locator('.statusbar-item', { hasText: 'Walkie' }).first();
  const shown = await item.waitFor({ state: 'visible', timeout: 90000 }).then(() => true, () => false);
  check('the installed VSIX activates (status bar item shown)', shown);
  await page.waitForTimeout(700);
  await page.screenshot({ path: path.join(ARTIFACTS, 'vsix-workbench.png') });
  // The extension host loaded node-pty from inside the VSIX without errors.
  const log = spawnSync('grep', ['-rl', 'walkie', path.join(dir, 'data/logs')], { encoding: 'utf8' }).stdout;
  if (!shown) console.log(`  logs mentioning walkie: ${log}`);
} catch (e) {
  check('VSIX harness', false, e instanceof Error ? e.message : String(e));
} finally {
  await browser?.close().catch(() => {});
  server?.stop();
  fs.writeFileSync(resultsFile, JSON.stringify(result));
  if (!result.failed) fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(result.failed ? 1 : 0);
