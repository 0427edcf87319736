// The phone, end to end, the way a user meets it: `walkie relay` (standalone) and `walkie host -- claude` (the
// REAL Claude Code CLI against a scripted model, offline); the QR code the host prints in the terminal is
// scanned (decoded with jsqr); Chromium at a phone viewport pairs, chats, approves, denies, holds to approve a
// high-risk command, and rides out a relay restart with nothing lost or duplicated.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CliProcess } from '../e2e/cliProcess';
import { claudeBin, seedClaudeHome, type ClaudeHome } from '../fixtures/claudeEnv';
import { startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { launchBrowser } from './browser';
import { freePort, scanTerminalQr } from './phoneStack';
import { eventually, PHONE, screenshot } from './webuiHarness';

async function touchHold(page: Page, selector: string, ms: number): Promise<void> {
  const box = (await page.locator(selector).boundingBox())!;
  const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
  await new Promise((r) => setTimeout(r, ms));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

describe('the phone against the real stack (walkie relay, walkie host, real Claude Code, Chromium)', function () {
  this.timeout(120_000);
  let mock: MockAnthropic;
  let home: ClaudeHome;
  let project: string;
  let scratch: string;
  let port: number;
  let relay: CliProcess;
  let host: CliProcess;
  let browser: Browser;
  let page: Page;

  const startRelay = async () => {
    relay = new CliProcess(['relay', '--port', String(port), '--bind', '127.0.0.1']);
    await relay.waitFor('the relay to listen', () => relay.stdout.includes('listening on'));
  };
  const composerSend = async (text: string) => {
    await page.getByLabel('Message the agent').fill(text);
    await page.getByTestId('send').tap();
  };
  const approvalCard = async (command: string) => {
    const card = page.getByTestId('approval');
    await card.waitFor({ timeout: 45_000 });
    await eventually(async () => (await card.innerText()).includes(command), 20_000);
    return card;
  };
  const userBubbles = () => page.locator('.msg-user:not(.pending)').count();

  before(async () => {
    mock = await startMockAnthropic();
    home = seedClaudeHome(mock.url);
    project = home.projects[0]!;
    fs.mkdirSync(path.join(project, 'build'));
    fs.writeFileSync(path.join(project, 'build', 'artifact.bin'), 'x');
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-phone-'));
    port = await freePort();
    await startRelay();
    host = new CliProcess(
      ['host', '--relay', `http://127.0.0.1:${port}`, '--pair-file', path.join(scratch, 'pair.txt'), '--state-dir', path.join(scratch, 'host'), '--name', 'phone e2e', '--', claudeBin()],
      { cwd: project, env: home.env },
    );
    browser = await launchBrowser();
  });

  after(async () => {
    await page?.context().close().catch(() => {});
    await browser?.close();
    await host?.kill();
    await relay?.kill();
    await mock?.close();
    home?.dispose();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('pairs by scanning the QR code the host prints, with matching words on both sides', async () => {
    const url = await host.waitFor('the terminal QR code', () => (host.stderr.includes('█') ? scanTerminalQr(host.stderr) : undefined));
    assert.equal(url, fs.readFileSync(path.join(scratch, 'pair.txt'), 'utf8').trim());
    assert.ok(url.startsWith(`http://127.0.0.1:${port}/#`));
    // The compact link (format 2) makes a code that fits an 80×24 terminal beside the cursor line.
    assert.match(url, /#[A-Z2-7]+$/);
    // eslint-disable-next-line no-control-regex -- measuring what the terminal shows, without colour escapes
    const codeLines = host.stderr.split('\n').filter((line) => /[▀▄█]/.test(line)).map((line) => [...line.replace(/\x1b\[\d+m/g, '')].length);
    assert.ok(codeLines.length <= 23 && Math.max(...codeLines) <= 80, `the code is ${codeLines.length} lines × ${Math.max(...codeLines)} columns`);
    const context = await browser.newContext(PHONE);
    page = await context.newPage();
    await page.goto(url);
    await page.getByLabel('Name this device').fill('Test phone');
    await page.getByTestId('pair').tap();
    const words = await page.getByTestId('sas').innerText();
    await host.waitFor('the host to show the same words', () => host.stderr.includes(words));
    await screenshot(page, 'e2e-sas');
    await page.getByRole('button', { name: 'They match' }).tap();
    await page.getByTestId('session-select').waitFor();
  });

  it('sends a prompt that reaches the agent; an approved command runs and the answer streams in', async () => {
    await composerSend(`SCENARIO:bash DIR=${project} go`);
    const card = await approvalCard('echo hi > out.txt');
    assert.equal(fs.existsSync(path.join(project, 'out.txt')), false);
    await screenshot(page, 'e2e-approval');
    await eventually(() => page.getByTestId('approve').isEnabled());
    await page.getByTestId('approve').tap();
    await card.waitFor({ state: 'detached' });
    await page.getByText('Done: wrote out.txt').waitFor({ timeout: 30_000 });
    assert.equal(fs.readFileSync(path.join(project, 'out.txt'), 'utf8').trim(), 'hi');
  });

  it('denies with a message: nothing is written and the model is told why', async () => {
    await composerSend(`SCENARIO:write DIR=${project} go`);
    await approvalCard('notes.txt');
    await eventually(() => page.getByTestId('deny').isEnabled());
    await page.getByRole('button', { name: 'Deny with a message…' }).tap();
    await page.getByLabel('Tell the agent why (optional)').fill('keep notes out of the repo');
    await page.getByTestId('send-deny').tap();
    await eventually(async () => JSON.stringify(mock.requests.slice(-3)).includes('keep notes out of the repo'), 30_000);
    assert.equal(fs.existsSync(path.join(project, 'notes.txt')), false);
  });

  it('needs a press-and-hold for a high-risk command: a tap does nothing, a hold approves', async () => {
    await composerSend(`SCENARIO:risky DIR=${project} clean`);
    await approvalCard('rm -rf build');
    assert.match(await page.getByTestId('risk').innerText(), /HIGH/);
    const hold = page.getByRole('button', { name: 'Hold to approve' });
    await eventually(() => hold.isEnabled());
    await hold.tap();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(fs.existsSync(path.join(project, 'build')), true, 'a tap approved a high-risk command');
    await touchHold(page, '.hold', 1300);
    await page.getByText('Done: removed build').waitFor({ timeout: 30_000 });
    assert.equal(fs.existsSync(path.join(project, 'build')), false);
  });

  it('rides out a relay restart: it reconnects, the pending approval is still there, nothing is duplicated', async () => {
    await composerSend(`SCENARIO:write DIR=${project} after restart`);
    await approvalCard('notes.txt');
    // The prompt's own bubble is confirmed by the host (it waits for the transcript copy): count after that.
    await page.locator('.msg-user:not(.pending)', { hasText: 'after restart' }).waitFor({ timeout: 20_000 });
    const before = await userBubbles();
    assert.equal(before, 4, 'one bubble per prompt sent so far');
    await relay.kill();
    await page.locator('[data-testid="conn"][title*="ffline"]').waitFor({ timeout: 20_000 });
    await startRelay();
    await page.locator('[data-testid="conn"][title*="Connected"]').waitFor({ timeout: 45_000 });
    await approvalCard('notes.txt');
    await new Promise((r) => setTimeout(r, 1000)); // let the resync finish arriving
    assert.equal(await userBubbles(), before, 'chat messages were duplicated or lost after the reconnect');
    assert.equal(await page.locator('.msg-user:not(.pending)', { hasText: 'after restart' }).count(), 1);
    await screenshot(page, 'e2e-after-restart');
    await eventually(() => page.getByTestId('approve').isEnabled());
    await page.getByTestId('approve').tap();
    await eventually(async () => fs.existsSync(path.join(project, 'notes.txt')), 30_000);
  });
});
