import assert from 'node:assert/strict';
import { LIMITS } from '../../src/core/wire/protocol';
import { MAX_DENY_MESSAGE_CHARS, MAX_PROMPT_CHARS } from '../../webview-ui/state/limits';
import { chat, eventually, hello, panelSuite, screenshot, session, type Panel } from './webuiHarness';

describe('web UI chat in the VS Code panel (Chromium, phone viewport)', () => {
  const suite = panelSuite();
  let panel: Panel | undefined;

  it('announces itself to the extension and asks for a sync of every session on hello', async () => {
    panel = await suite.open();
    assert.deepEqual((await panel.sent())[0], { type: 'ready' });
    await panel.post(hello([session({ id: 's1' }), session({ id: 's2', title: 'Second', status: 'idle' })]));
    const syncs = await eventually(async () => ((await panel!.device('sync')).length === 2 ? panel!.device('sync') : undefined));
    assert.deepEqual(syncs, [
      { type: 'sync', session: 's1', after: 0 },
      { type: 'sync', session: 's2', after: 0 },
    ]);
  });

  it('renders user bubbles, assistant markdown and tool chips in seq order', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    await panel.post(chat(3, { kind: 'tool', tool: 'Bash', summary: 'Ran `npm test`', status: 'ok' }));
    await panel.post(chat(1, { kind: 'user', text: 'Please fix the test\nand run it', source: 'terminal' }));
    await panel.post(chat(2, { kind: 'assistant', text: 'Sure. Here is **the plan**:\n\n- read `a.ts`\n- [docs](https://example.com/docs)\n\n```ts\nconst x = 1;\n```' }));
    await panel.post(chat(4, { kind: 'tool', tool: 'Edit', summary: 'Edited src/a.ts +3 −1', status: 'error' }));
    await panel.post(chat(5, { kind: 'tool', tool: 'Bash', summary: 'Ran `rm -rf /`', status: 'denied' }));
    await page.locator('[data-seq="5"]').waitFor();

    const seqs = await page.locator('.thread .item').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    assert.deepEqual(seqs, [1, 2, 3, 4, 5]);
    assert.equal(await page.locator('[data-seq="1"] .bubble').innerText(), 'Please fix the test\nand run it');
    assert.match(await page.locator('[data-seq="1"]').innerText(), /from the terminal/);
    assert.equal(await page.locator('[data-seq="2"] strong').innerText(), 'the plan');
    assert.equal((await page.locator('[data-seq="2"] pre code').innerText()).trim(), 'const x = 1;');
    const link = page.locator('[data-seq="2"] a');
    assert.equal(await link.getAttribute('href'), 'https://example.com/docs');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    const chips = page.getByTestId('tool-chip');
    assert.deepEqual(await chips.evaluateAll((els) => els.map((e) => e.getAttribute('data-status'))), ['ok', 'error', 'denied']);
    assert.match(await chips.nth(1).innerText(), /Edited src\/a\.ts \+3 −1/);
    assert.match(await chips.nth(2).innerText(), /denied/);
    assert.equal(await page.getByRole('log').count(), 1);
    assert.deepEqual(panel.errors, []);
    await screenshot(page, 'phone');
  });

  it('shows a repeated seq once', async () => {
    panel = await suite.open();
    await panel.post(hello());
    const event = chat(1, { kind: 'assistant', text: 'only once' });
    await panel.post(event);
    await panel.post(event);
    await panel.post(chat(1, { kind: 'assistant', text: 'a different text under the same seq' }));
    await panel.post(chat(2, { kind: 'assistant', text: 'second' }));
    await panel.page.locator('[data-seq="2"]').waitFor();
    assert.equal(await panel.page.locator('.thread .item').count(), 2);
    assert.equal(await panel.page.locator('[data-seq="1"]').innerText(), 'only once');
  });

  it('shows one chip per tool use, in place, with its latest status', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    await panel.post(chat(1, { kind: 'tool', toolUseId: 't1', tool: 'Bash', summary: 'Ran `npm test`', status: 'running' }));
    await panel.post(chat(2, { kind: 'assistant', text: 'Waiting for the tests.' }));
    await page.locator('[data-seq="2"]').waitFor();
    assert.equal(await page.getByTestId('tool-chip').getAttribute('data-status'), 'running');
    await panel.post(chat(3, { kind: 'tool', toolUseId: 't1', tool: 'Bash', summary: 'Ran `npm test`', status: 'ok' }));
    await page.locator('[data-testid="tool-chip"][data-status="ok"]').waitFor();
    assert.equal(await page.getByTestId('tool-chip').count(), 1);
    const seqs = await page.locator('.thread .item').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    assert.deepEqual(seqs, [1, 2]);
  });

  it('sends a multi-line prompt with a fresh clientId, with Enter as a newline and Ctrl+Enter to send', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    const box = page.getByLabel('Message the agent');
    await box.click();
    await page.keyboard.type('first line');
    await page.keyboard.press('Enter');
    await page.keyboard.type('second line');
    assert.deepEqual(await panel.device('prompt'), [], 'Enter must not send');
    await page.keyboard.press('Control+Enter');
    const [prompt] = await eventually(async () => {
      const p = await panel!.device('prompt');
      return p.length ? p : undefined;
    });
    assert.equal(prompt!.session, 's1');
    assert.equal(prompt!.text, 'first line\nsecond line');
    assert.match(String(prompt!.clientId), /^[0-9a-f]{32}$/);
    assert.equal(await box.inputValue(), '');
    // Shown as pending until the host echoes it; the echo (same clientId) replaces it.
    await page.getByTestId('outbox').waitFor();
    await panel.post(chat(1, { kind: 'user', text: 'first line\nsecond line', source: 'device', clientId: String(prompt!.clientId) }));
    await page.locator('[data-seq="1"]').waitFor();
    assert.equal(await page.getByTestId('outbox').count(), 0);

    await box.fill('via the button');
    await page.getByTestId('send').click();
    const prompts = await eventually(async () => ((await panel!.device('prompt')).length === 2 ? panel!.device('prompt') : undefined));
    assert.equal(prompts[1]!.text, 'via the button');
    assert.notEqual(prompts[1]!.clientId, prompt!.clientId);
  });

  it('sends interrupt when Stop is pressed while the agent works, and hides Stop when idle', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello([session({ status: 'working' })]));
    await page.getByTestId('stop').click();
    assert.deepEqual(await eventually(() => panel!.device('interrupt').then((l) => (l.length ? l : undefined))), [{ type: 'interrupt', session: 's1' }]);
    assert.match(await page.getByTestId('session-status').innerText(), /Working/);
    await panel.post({ type: 'session', session: session({ status: 'idle' }) });
    await page.getByTestId('stop').waitFor({ state: 'detached' });
    assert.match(await page.getByTestId('session-status').innerText(), /Idle/);
  });

  it('switches sessions and shows each session its own chat', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello([session({ id: 's1', title: 'One', since: 2 }), session({ id: 's2', title: 'Two', since: 1 })]));
    await panel.post(chat(1, { kind: 'assistant', text: 'in one' }, 's1'));
    await panel.post(chat(1, { kind: 'assistant', text: 'in two' }, 's2'));
    await page.getByText('in one').waitFor();
    await page.getByTestId('session-select').selectOption('s2');
    await page.getByText('in two').waitFor();
    assert.equal(await page.getByText('in one').count(), 0);
  });

  it('ignores junk postMessages and message types it does not know, and strips fields it does not know', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    const junk: unknown[] = [
      'hello',
      42,
      null,
      { type: 'chat' },
      { type: 'chat', session: 's1', seq: -1, at: 0, event: { kind: 'assistant', text: 'negative seq' } },
      { type: 'presence', who: ['laptop'] },
      { type: 'chat', session: 's1', seq: 1, at: 0, event: { kind: 'html', html: '<b>x</b>' } },
      { type: 'approval', request: { id: 'x' } },
      { type: 'hello', v: 99, hostName: 'x', sessions: [] },
    ];
    for (const j of junk) await panel.post(j);
    await page.evaluate(() => window.postMessage({ type: 'device', message: { type: 'prompt' } }, '*'));
    await page.evaluate(() => window.postMessage('{"type":"host"}', '*'));
    // A newer host's extra field is stripped; the message itself is shown.
    await panel.post({ type: 'chat', session: 's1', seq: 1, at: 0, event: { kind: 'assistant', text: 'extra key', tone: 'dry' }, extra: true });
    await panel.post(chat(2, { kind: 'assistant', text: 'valid after junk' }));
    await page.getByText('valid after junk').waitFor();
    assert.equal(await page.locator('.thread .item').count(), 2);
    assert.equal(await page.getByTestId('approval').count(), 0);
    assert.deepEqual(panel.errors, []);
  });

  it('enforces the same limits as the protocol', () => {
    assert.equal(MAX_PROMPT_CHARS, LIMITS.text);
    assert.equal(MAX_DENY_MESSAGE_CHARS, LIMITS.summary * 4);
  });

  it('renders in dark mode with a dark background', async () => {
    panel = await suite.open({ colorScheme: 'dark' });
    const { page } = panel;
    await panel.post(hello());
    await panel.post(chat(1, { kind: 'user', text: 'Is dark mode readable?' }));
    await panel.post(chat(2, { kind: 'assistant', text: 'Yes: **bold**, `code` and a [link](https://example.com).' }));
    await panel.post(chat(3, { kind: 'tool', tool: 'Bash', summary: 'Ran `npm test`', status: 'ok' }));
    await page.locator('[data-seq="3"]').waitFor();
    const [bg, fg] = await page.evaluate(() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]);
    const luminance = (rgb: string) => {
      const [r, g, b] = rgb.match(/\d+/g)!.map(Number);
      return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
    };
    assert.ok(luminance(bg!) < 0.2, `background ${bg} is not dark`);
    assert.ok(luminance(fg!) > 0.8, `text ${fg} is not light`);
    await screenshot(page, 'dark');
  });
});
