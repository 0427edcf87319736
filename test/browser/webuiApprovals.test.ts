import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { approval, eventually, hello, panelSuite, screenshot, type Panel } from './webuiHarness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A real touch press held for `ms` (CDP touch events: Chromium turns them into pointer events). */
async function touchHold(page: Page, selector: string, ms: number): Promise<void> {
  const box = (await page.locator(selector).boundingBox())!;
  const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
  await sleep(ms);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

/**
 * Resolves, from inside the page, the moment `selector` appears (and the command shows `command`, when
 * given): with whether the button was disabled then; `click` also clicks it at that very moment.
 */
function onceRendered(page: Page, selector: string, action: 'click' | 'read', command?: string): Promise<boolean> {
  return page.evaluate(
    ({ selector, action, command }) =>
      new Promise<boolean>((resolve) => {
        const check = (): boolean => {
          const button = document.querySelector<HTMLButtonElement>(selector);
          if (!button || (command && document.querySelector('[data-testid="command"]')?.textContent !== command)) return false;
          const disabled = button.disabled;
          if (action === 'click') button.click();
          resolve(disabled);
          return true;
        };
        if (check()) return;
        const observer = new MutationObserver(() => {
          if (check()) observer.disconnect();
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      }),
    { selector, action, command },
  );
}

describe('web UI approval cards (Chromium, phone viewport)', () => {
  const suite = panelSuite();
  let panel: Panel | undefined;

  it('shows the full command, working folder and risk of a low-risk request and approves it with one tap', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    const long = `npm test -- --grep "approval" && ${'echo step; '.repeat(40)}echo THE-END`;
    const m = approval({ detail: { kind: 'command', command: long, description: 'Run the tests' } });
    await panel.post(m);
    const card = page.getByTestId('approval');
    await card.waitFor();
    assert.equal(await page.getByTestId('command').innerText(), long);
    assert.match(await page.getByTestId('cwd').innerText(), /\/home\/dev\/project/);
    assert.match(await page.getByTestId('risk').innerText(), /LOW RISK/);
    // Deny and Approve are at least 48 px tall and far apart.
    const deny = (await page.getByTestId('deny').boundingBox())!;
    const approve = (await page.getByTestId('approve').boundingBox())!;
    assert.ok(deny.height >= 48 && approve.height >= 48, 'touch targets under 48 px');
    assert.ok(approve.x - (deny.x + deny.width) >= 24, 'Deny and Approve are too close together');
    await eventually(() => page.getByTestId('approve').isEnabled());
    await screenshot(page, 'approval');
    await page.getByTestId('approve').tap();
    const [decide] = await eventually(() => panel!.device('decide').then((l) => (l.length ? l : undefined)));
    const request = (m as { request: { id: string; inputHash: string } }).request;
    assert.deepEqual(decide, { type: 'decide', id: request.id, inputHash: request.inputHash, decision: 'allow' });
    // A second tap sends nothing more.
    await page.getByTestId('approve').tap({ force: true });
    await sleep(200);
    assert.equal((await panel.device('decide')).length, 1);
  });

  it('denies with a message', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    await panel.post(approval({ id: 'a-deny', risk: { level: 'medium', reasons: ['network access'] } }));
    await page.getByRole('button', { name: 'Deny with a message…' }).tap();
    await page.getByLabel('Tell the agent why (optional)').fill('Use the local mirror instead');
    await page.getByTestId('send-deny').tap();
    const [decide] = await eventually(() => panel!.device('decide').then((l) => (l.length ? l : undefined)));
    assert.equal(decide!.id, 'a-deny');
    assert.equal(decide!.decision, 'deny');
    assert.equal(decide!.message, 'Use the local mirror instead');
  });

  it('needs a press-and-hold for a high-risk request: a tap or a short key press sends nothing, a 1.2 s hold approves', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    await panel.post(approval({ id: 'a-high', risk: { level: 'high', reasons: ['deletes files recursively'] }, detail: { kind: 'command', command: 'rm -rf build/' } }));
    const hold = page.getByRole('button', { name: 'Hold to approve' });
    await hold.waitFor();
    await eventually(() => hold.isEnabled());
    assert.match(await page.getByTestId('risk').innerText(), /HIGH RISK[\s\S]*deletes files recursively/);

    await hold.tap();
    await hold.click();
    await hold.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Space');
    await touchHold(page, '.hold', 300);
    await sleep(1300);
    assert.deepEqual(await panel.device('decide'), [], 'a short press must not approve');

    await touchHold(page, '.hold', 1200);
    const [decide] = await eventually(() => panel!.device('decide').then((l) => (l.length ? l : undefined)));
    assert.equal(decide!.id, 'a-high');
    assert.equal(decide!.decision, 'allow');
  });

  it('approves a high-risk request by holding Space on the focused button', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    await panel.post(approval({ id: 'a-key', risk: { level: 'high', reasons: ['writes outside the workspace'] } }));
    const hold = page.getByRole('button', { name: 'Hold to approve' });
    await eventually(() => hold.isEnabled());
    await hold.focus();
    await page.keyboard.down(' ');
    await sleep(1200);
    await page.keyboard.up(' ');
    const [decide] = await eventually(() => panel!.device('decide').then((l) => (l.length ? l : undefined)));
    assert.equal(decide!.id, 'a-key');
  });

  it('renders an Edit approval as a coloured diff and a Write approval as additions', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    await panel.post(
      approval({
        id: 'a-edit',
        tool: 'Edit',
        risk: { level: 'medium', reasons: ['edits a test file'] },
        detail: { kind: 'edit', file: 'src/a.ts', edits: [{ oldText: 'const a = 1;\nconst b = 2;\nreturn a;\n', newText: 'const a = 1;\nconst b = 3;\nreturn a + b;\n' }] },
      }),
    );
    await page.getByTestId('diff').waitFor();
    const lines = await page.locator('.diff-line').evaluateAll((els) => els.map((e) => [e.className.replace('diff-line ', ''), e.querySelector('.diff-text')!.textContent]));
    assert.deepEqual(lines, [
      ['diff-ctx', 'const a = 1;'],
      ['diff-del', 'const b = 2;'],
      ['diff-del', 'return a;'],
      ['diff-add', 'const b = 3;'],
      ['diff-add', 'return a + b;'],
    ]);
    const [addBg, delBg] = await page.evaluate(() => [
      getComputedStyle(document.querySelector('.diff-add')!).backgroundColor,
      getComputedStyle(document.querySelector('.diff-del')!).backgroundColor,
    ]);
    assert.notEqual(addBg, delBg);
    assert.notEqual(addBg, 'rgba(0, 0, 0, 0)');
    await eventually(() => page.getByTestId('approve').isEnabled());
    await screenshot(page, 'diff');
    await panel.post({ type: 'resolved', id: 'a-edit', session: 's1', resolution: 'cancelled', by: 'local' });
    await panel.post(approval({ id: 'a-write', tool: 'Write', detail: { kind: 'write', file: 'src/new.ts', content: 'export const x = 1;\nexport const y = 2;\n' } }));
    await page.locator('[data-approval-id="a-write"]').waitFor();
    assert.deepEqual(await page.locator('.diff-line').evaluateAll((els) => els.map((e) => e.className)), ['diff-line diff-add', 'diff-line diff-add']);
  });

  it('counts down to expiry and then refuses to decide', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    const now = Date.now();
    await panel.post(approval({ id: 'a-long', createdAt: now, expiresAt: now + 90_000 }));
    assert.match(await page.getByTestId('countdown').innerText(), /^1:(29|30)$/);
    await panel.post({ type: 'resolved', id: 'a-long', session: 's1', resolution: 'cancelled', by: 'local' });
    await panel.post(approval({ id: 'a-short', createdAt: now, expiresAt: now + 2000 }));
    await page.locator('[data-approval-id="a-short"]').waitFor();
    await eventually(async () => (await page.getByTestId('countdown').innerText()) === 'Expired', 5000);
    assert.equal(await page.getByTestId('approve').isDisabled(), true);
    assert.equal(await page.getByTestId('deny').isDisabled(), true);
    await page.getByTestId('approve').tap({ force: true });
    assert.deepEqual(await panel.device('decide'), []);
  });

  it('removes the card on `resolved`, says where it was decided, and keeps the title count', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    assert.equal(await page.title(), 'Walkie');
    await panel.post(approval({ id: 'a1' }));
    await panel.post(approval({ id: 'a2', createdAt: Date.now() + 1 }));
    await eventually(async () => (await page.title()) === '(2) Walkie');
    assert.match(await page.getByTestId('approval').innerText(), /\+1 more waiting/);
    await panel.post({ type: 'resolved', id: 'a1', session: 's1', resolution: 'allowed', by: 'Pixel 8' });
    await page.locator('[data-approval-id="a1"]').waitFor({ state: 'detached' });
    assert.match(await page.getByTestId('notice').innerText(), /Approved on Pixel 8/);
    assert.equal(await page.title(), '(1) Walkie');
    await page.locator('[data-approval-id="a2"]').waitFor();
    // A late duplicate of a resolved request does not bring its card back.
    await panel.post(approval({ id: 'a1' }));
    await panel.post({ type: 'resolved', id: 'a2', session: 's1', resolution: 'denied', by: 'local' });
    await page.getByTestId('approval').waitFor({ state: 'detached' });
    assert.equal(await page.title(), 'Walkie');
  });

  it('does not let a quick second tap approve the next request in the queue', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    await panel.post(approval({ id: 'q1' }));
    await panel.post(approval({ id: 'q2', createdAt: Date.now() + 1 }));
    await page.getByTestId('approve').tap();
    await eventually(() => panel!.device('decide').then((l) => l.length === 1));
    // The second tap lands the instant the next card appears (in-page, so test latency cannot delay it).
    const tapped = onceRendered(page, '[data-approval-id="q2"] [data-testid="approve"]', 'click');
    await panel.post({ type: 'resolved', id: 'q1', session: 's1', resolution: 'allowed', by: 'Test phone' });
    assert.equal(await tapped, true, 'the next card was not disabled when it appeared');
    await sleep(200);
    assert.deepEqual((await panel.device('decide')).map((d) => d.id), ['q1']);
  });

  it('re-arms the card when a request comes back with a different input under the same id', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    await panel.post(approval({ id: 'swap', detail: { kind: 'command', command: 'ls' } }));
    await eventually(() => page.getByTestId('approve').isEnabled());
    const swapped = approval({ id: 'swap', detail: { kind: 'command', command: 'rm -rf ~' } });
    const disabledAtSwap = onceRendered(page, '[data-approval-id="swap"] [data-testid="approve"]', 'read', 'rm -rf ~');
    await panel.post(swapped);
    assert.equal(await disabledAtSwap, true, 'the swapped card must not be approvable at once');
    await eventually(() => page.getByTestId('approve').isEnabled());
    await page.getByTestId('approve').tap();
    const [decide] = await eventually(() => panel!.device('decide').then((l) => (l.length ? l : undefined)));
    assert.equal(decide!.inputHash, (swapped as { request: { inputHash: string } }).request.inputHash);
  });

  it('re-enables the card when the host refuses the decision', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    await panel.post(approval({ id: 'a-stale' }));
    await page.getByTestId('approve').tap();
    await eventually(() => page.getByTestId('approve').isDisabled());
    await panel.post({ type: 'error', code: 'STALE_DECISION', message: 'The request changed: look again.', ref: 'a-stale' });
    await page.getByRole('alert').filter({ hasText: 'The request changed' }).waitFor();
    assert.equal(await page.getByTestId('approve').isEnabled(), true);
  });
});
