// Runs test/vscode/** INSIDE a real VS Code extension host (code-server), loading this folder as an
// extension under development, then checks the workbench itself (status bar) from the browser side and
// answers the suite's screenshot requests (panels, the diff editor, the pairing QR code read off the screen).
// Writes {passed, failed, failures} to argv[2]. Screenshots go to out/artifacts/.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, formatHostLog, launchChromium, makeSandbox, startCodeServer, workbenchUrl } from './lib/codeServer.mjs';

const resultsFile = process.argv[2];
const ARTIFACTS = path.join(ROOT, 'out/artifacts');
fs.mkdirSync(ARTIFACTS, { recursive: true });
const dir = makeSandbox('vscode-tests');
const inHostResults = path.join(dir, 'in-host-results.json');
const statusBarSeen = path.join(dir, 'statusbar-seen.txt');
const shots = path.join(dir, 'shots');
fs.mkdirSync(shots);
const result = { passed: 0, failed: 0, failures: [] };
const check = (name, ok, why = '') => {
  if (ok) result.passed++; else { result.failed++; result.failures.push(`${name}${why ? `: ${why}` : ''}`); }
  console.log(`  ${ok ? '✓' : '✗'} ${name}${!ok && why ? ` — ${why}` : ''}`);
};

let server;
let browser;
try {
  server = await startCodeServer(dir, { env: { WALKIE_TEST_RESULTS: inHostResults, WALKIE_TEST_ARTIFACTS: ARTIFACTS, WALKIE_STATUSBAR_SEEN: statusBarSeen, WALKIE_SHOTS: shots } });
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const exited = new Promise((resolve) => {
    page.exposeFunction('codeAutomationExit', (code) => resolve(code));
    page.exposeFunction('codeAutomationLog', (_type, args) => console.log(`   [host] ${formatHostLog(args || [])}`));
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
  const stopShots = answerShotRequests(page, shots);
  const code = await Promise.race([exited, new Promise((_, rej) => setTimeout(() => rej(new Error('in-editor tests timed out after 300 s')), 300000))]);
  stopShots();
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

/**
 * Screenshots on request from the in-host suite: it writes `<name>.request` ({qr, notifications, click})
 * into `dir`; this saves out/artifacts/<name>.png and answers `<name>.done` ({ok, decoded?, notifications?,
 * clicked?, error?}). With `qr`, the pairing QR code is found inside the webviews' frames, screenshotted on
 * its own and decoded with jsQR, as a phone camera would read it. With `notifications`, the answer lists
 * the text of every notification toast on screen (buttons included). With `click: {where, text, button}`,
 * the button labelled `button` is clicked in the toast or modal dialog ('toast' | 'dialog') showing `text`.
 */
function answerShotRequests(page, dir) {
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.request'))) {
        const name = f.slice(0, -'.request'.length);
        let request = {};
        try {
          request = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
        } catch { /* unreadable request: answered as a plain screenshot */ }
        fs.rmSync(path.join(dir, f));
        const answer = { ok: true };
        try {
          await page.waitForTimeout(700);
          if (request.qr) Object.assign(answer, await decodeQrOnScreen(page, path.join(ARTIFACTS, `${name}-qr.png`)));
          if (request.click) answer.clicked = await clickOnScreen(page, request.click);
          if (request.notifications) answer.notifications = await page.locator('.notifications-toasts .notification-toast').allInnerTexts();
          // A look at the toasts is a query, not a picture worth keeping.
          if (!request.notifications) await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
        } catch (e) {
          Object.assign(answer, { ok: false, error: e instanceof Error ? e.message : String(e) });
        }
        fs.writeFileSync(path.join(dir, `${name}.done`), JSON.stringify(answer));
      }
    } catch (e) {
      console.log(`  (screenshot request failed: ${e instanceof Error ? e.message : e})`);
    } finally {
      busy = false;
    }
  }, 200);
  return () => clearInterval(timer);
}

/** Clicks a button as a user would: in the notification toast or the modal dialog that shows `text`. */
async function clickOnScreen(page, { where, text, button }) {
  const container = where === 'dialog' ? page.locator('.monaco-dialog-box', { hasText: text }) : page.locator('.notifications-toasts .notification-toast', { hasText: text });
  const target = container.first().getByRole('button', { name: button, exact: true }).first();
  if (!(await target.isVisible().catch(() => false))) return false;
  await target.click();
  return true;
}

async function decodeQrOnScreen(page, file) {
  const { PNG } = (await import('pngjs')).default;
  const jsQR = (await import('jsqr')).default;
  for (const end = Date.now() + 15000; Date.now() < end; await page.waitForTimeout(250)) {
    for (const frame of page.frames()) {
      const img = await frame.$('img[data-testid="walkie-qr"]').catch(() => null);
      if (!img || !(await img.isVisible().catch(() => false)) || !(await img.evaluate((e) => e.complete && e.naturalWidth > 0))) continue;
      const png = PNG.sync.read(await img.screenshot({ path: file }));
      const found = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
      // What the view says beside the code: where the phone must be for it to open.
      const text = (sel) => frame.$eval(sel, (e) => (e.hidden ? '' : e.textContent ?? '')).catch(() => '');
      if (found) return { decoded: found.data, route: await text('[data-testid="walkie-route"]'), routeWarning: await text('[data-testid="walkie-route-warning"]') };
    }
  }
  throw new Error('no readable pairing QR code on screen');
}
