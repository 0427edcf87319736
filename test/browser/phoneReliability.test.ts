// The phone on a flaky network (issue 17), in Chromium against a real relay that serves the page and a real
// host relay link: the socket is black-holed (packets dropped, nothing closed) and the browser goes offline
// and online again; the relay goes away (the page says when it tries next and has a Reconnect button); an
// approval answered elsewhere while the phone was away disappears; a long thread renders a page of it.
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describedCall } from '../fixtures/describedCall';
import { encodePairingUrl } from '../../src/core/pairing/pairingPayload';
import { PAGE } from '../../webview-ui/components/Thread';
import { NetStack } from '../e2e/netStack';
import { launchBrowser } from './browser';
import { DIST, eventually, PHONE } from './webuiHarness';

describe('the phone on a flaky network (Chromium, real relay, real host link)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let net: NetStack;
  let context: BrowserContext;
  let page: Page;

  const request = (command: string) => net.host!.broker.request(describedCall({ session: 's1', tool: 'Bash', input: { command }, cwd: '/w/proj' }));

  before(async () => {
    browser = await launchBrowser();
    net = await new NetStack({ webRoot: DIST }).start();
    context = await browser.newContext(PHONE);
    page = await context.newPage();
    const offer = net.host!.offers.create();
    await page.goto(encodePairingUrl(`http://127.0.0.1:${net.deviceProxy.port}`, offer));
    await page.getByLabel('Name this device').fill('Flaky phone');
    await page.getByTestId('pair').tap();
    await page.getByTestId('sas').waitFor();
    await page.getByRole('button', { name: 'They match' }).tap();
    await page.getByTestId('session-select').waitFor();
    await eventually(async () => net.host!.bridge.connectedDevices().length === 1);
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await net?.close();
  });

  it('notices a silently dropped socket when the browser comes back online, and shows what it missed', async () => {
    net.host!.session.chat.append({ kind: 'assistant', text: 'before the tunnel' });
    await page.getByText('before the tunnel').waitFor();
    // Into a tunnel: the socket's packets vanish, nothing is closed; the browser knows it is offline.
    net.deviceProxy.blackHole();
    await context.setOffline(true);
    net.host!.session.chat.append({ kind: 'assistant', text: 'said in the tunnel' });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await page.getByText('said in the tunnel').count(), 0);
    // Out of it: `online` fires; the page probes its channel, finds it dead and reconnects — well before the
    // 25 s heartbeat bound, let alone TCP's minutes.
    net.deviceProxy.restore();
    const t0 = Date.now();
    await context.setOffline(false);
    await page.getByText('said in the tunnel').waitFor({ timeout: 15_000 });
    // The heartbeat alone would take up to 10 s to send on the dead socket; the `online` probe does it at once.
    assert.ok(Date.now() - t0 < 6_000, `back after ${Date.now() - t0} ms`);
    assert.match((await page.getByTestId('conn').getAttribute('title')) ?? '', /Connected/);
  });

  it('while the relay is away, says when it tries next; Reconnect restarts an attempt stuck on the old network', async () => {
    await net.stopRelay();
    await page.getByTestId('reconnect-bar').waitFor();
    await eventually(async () => /Next try in \d+ s|Trying now/.test(await page.getByTestId('next-attempt').innerText()));
    // The relay is back, but the attempt under way went into a dead network: it would wait for its timeout.
    net.deviceProxy.blackHole();
    await net.startRelay(net.relayPort);
    await eventually(async () => net.host!.link.isOnline, 10_000);
    await new Promise((r) => setTimeout(r, 1_500));
    net.deviceProxy.restore();
    const t0 = Date.now();
    await page.getByTestId('reconnect').tap({ force: true }).catch(() => undefined);
    await eventually(async () => /Connected/.test((await page.getByTestId('conn').getAttribute('title')) ?? ''), 5_000);
    assert.ok(Date.now() - t0 < 3_000, `back after ${Date.now() - t0} ms`);
    assert.equal(await page.getByTestId('reconnect-bar').count(), 0);
  });

  it('drops a card answered elsewhere while it was away, and shows the live one', async () => {
    const stale = request('npm test');
    await page.getByTestId('approve').waitFor();
    // Away: the answer in VS Code and a new request happen while the phone hears nothing.
    net.deviceProxy.blackHole();
    await context.setOffline(true);
    net.host!.broker.decide(stale.request.id, stale.request.inputHash, 'allow', { kind: 'vscode' });
    const live = request('git push');
    net.deviceProxy.restore();
    await context.setOffline(false);
    await eventually(async () => (await page.getByTestId('approval').first().innerText().catch(() => '')).includes('git push'), 15_000);
    const body = await page.locator('body').innerText();
    assert.equal(body.includes('npm test'), false, 'the stale card is gone');
    assert.equal(body.includes('more waiting'), false, 'exactly one card');
    net.host!.broker.decide(live.request.id, live.request.inputHash, 'deny', { kind: 'vscode' });
  });

  it('replaces an attempt the dead network swallowed: back within about a second of the network returning', async () => {
    net.host!.session.chat.append({ kind: 'assistant', text: 'before the second tunnel' });
    await page.getByText('before the second tunnel').waitFor();
    net.deviceProxy.blackHole();
    await context.setOffline(true);
    net.host!.session.chat.append({ kind: 'assistant', text: 'said in the second tunnel' });
    // The browser says it is online again, but the network is still dead: the page finds its channel dead and
    // tries again, into the void. A browser opens one WebSocket to a host at a time, so an attempt that merely
    // joined the stuck one would queue behind it until its 5 s timeout.
    const accepted = net.deviceProxy.accepted;
    await context.setOffline(false);
    await eventually(async () => net.deviceProxy.accepted > accepted, 15_000);
    await new Promise((r) => setTimeout(r, 200));
    net.deviceProxy.restore();
    const t0 = Date.now();
    await page.getByText('said in the second tunnel').waitFor({ timeout: 15_000 });
    assert.ok(Date.now() - t0 < 3_000, `back after ${Date.now() - t0} ms`);
    assert.match((await page.getByTestId('conn').getAttribute('title')) ?? '', /Connected/);
    await eventually(async () => net.host!.bridge.connectedDevices().length === 1);
  });
});

describe('the phone with a long session (Chromium, real relay, real host link)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let net: NetStack;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    browser = await launchBrowser();
    net = await new NetStack({ webRoot: DIST }).start();
    context = await browser.newContext(PHONE);
    page = await context.newPage();
    await page.goto(encodePairingUrl(`http://127.0.0.1:${net.deviceProxy.port}`, net.host!.offers.create()));
    await page.getByLabel('Name this device').fill('Long phone');
    await page.getByTestId('pair').tap();
    await page.getByTestId('sas').waitFor();
    await page.getByRole('button', { name: 'They match' }).tap();
    await page.getByTestId('session-select').waitFor();
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await net?.close();
  });

  it('a fresh load after 5,100 events shows the newest page of a non-empty thread, and earlier ones on request', async () => {
    const texts = () => page.locator('[data-testid="thread"] .item').allInnerTexts();
    const origin = new URL(page.url()).origin;
    await page.close();
    // The session ran all afternoon while the page was closed.
    const s = net.host!.session;
    for (let i = 1; i <= 5100; i++) s.chat.append({ kind: 'assistant', text: `event ${i}` });
    page = await context.newPage();
    await page.goto(origin);
    await page.getByText('event 5100', { exact: true }).waitFor({ timeout: 15_000 });
    const shown = await texts();
    assert.ok(shown.length > 0 && shown.length <= PAGE, `${shown.length} items in the DOM`);
    await page.getByTestId('earlier').tap();
    await eventually(async () => (await texts()).length > shown.length);
    // Going past what the sync brought asks the host for older events.
    for (let i = 0; i < 4; i++) {
      await page.getByTestId('earlier').tap();
      await new Promise((r) => setTimeout(r, 200));
    }
    await eventually(async () => (await texts()).includes('event 4850'), 10_000);
  });
});
