// Phone polish found while testing (issue 12), in Chromium at a phone's size, the way a user meets it:
// an approval card that appears keeps the newest message in view; the page names the right place to start
// a session (VS Code, `walkie host`, or "your computer" for a host that does not say); "Idle" once.
import assert from 'node:assert/strict';
import { approval, chat, eventually, hello, panelSuite, session, type Panel } from './webuiHarness';

describe('web UI polish (Chromium, phone viewport)', () => {
  const suite = panelSuite();
  let panel: Panel | undefined;

  it('keeps the newest message visible above an approval card that appears', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    for (let seq = 1; seq <= 40; seq++) await panel.post(chat(seq, { kind: 'assistant', text: `Message number ${seq}, long enough to take a line or two on a phone.` }));
    await page.locator('[data-seq="40"]').waitFor();
    await panel.post(approval({ id: 'a-card' }));
    const card = page.locator('.approval');
    await card.waitFor();
    // Measured after two frames (layout and the resize observers have run): the last message's bottom edge
    // is inside the thread's visible box, and above the card's top edge.
    const gap = await page.evaluate(
      () =>
        new Promise<{ lastBottom: number; threadBottom: number; cardTop: number }>((resolve) =>
          requestAnimationFrame(() =>
            requestAnimationFrame(() =>
              resolve({
                lastBottom: document.querySelector('[data-seq="40"]')!.getBoundingClientRect().bottom,
                threadBottom: document.querySelector('[data-testid="thread"]')!.getBoundingClientRect().bottom,
                cardTop: document.querySelector('.approval')!.getBoundingClientRect().top,
              }),
            ),
          ),
        ),
    );
    assert.ok(gap.lastBottom <= gap.threadBottom + 1, `the newest message ends ${Math.round(gap.lastBottom - gap.threadBottom)} px below the visible thread`);
    assert.ok(gap.lastBottom <= gap.cardTop, `the card hides the newest message by ${Math.round(gap.lastBottom - gap.cardTop)} px`);
  });

  it('says where to start a session: VS Code, the walkie host terminal, or your computer when the host does not say', async () => {
    const cases: [string | undefined, RegExp][] = [
      ['vscode', /Start one in VS Code/],
      ['cli', /terminal running “walkie host”/],
      [undefined, /Start one on your computer/],
      ['some-future-host', /Start one on your computer/],
    ];
    for (const [hostKind, expected] of cases) {
      panel = await suite.open();
      await panel.post({ ...hello([]), ...(hostKind ? { hostKind } : {}) } as ReturnType<typeof hello>);
      const text = await eventually(async () => {
        const t = await panel!.page.getByTestId('thread').innerText();
        return t.includes('No agent session') ? t : undefined;
      });
      assert.match(text, expected, `hostKind ${hostKind}`);
      if (hostKind !== 'vscode') assert.doesNotMatch(text, /VS Code/, `hostKind ${hostKind}`);
      await panel.close();
      panel = undefined;
    }
  });

  it('says the open session is Idle once', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello([session({ id: 's1', title: 'proj', status: 'idle' }), session({ id: 's2', title: 'other', status: 'idle' })]));
    await page.getByTestId('session-status').waitFor();
    assert.match(await page.getByTestId('session-status').innerText(), /Idle/);
    // What the closed select shows is its selected option: the title, without the status said just below.
    const selected = await page.getByTestId('session-select').evaluate((el: HTMLSelectElement) => el.selectedOptions[0]!.textContent ?? '');
    assert.doesNotMatch(selected, /Idle/);
    // The other session, not on screen, still shows its status in the list.
    const other = await page.getByTestId('session-select').evaluate((el: HTMLSelectElement) => [...el.options].find((o) => !o.selected)!.textContent ?? '');
    assert.match(other, /other — Idle/);
  });

  it('colours code blocks (comments, strings, numbers, keywords) without changing their text, and only with its own classes', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    const code = "const answer = 42; // the answer\nreturn 'done';";
    const shell = 'echo "hi" # say hi\nls -la';
    await panel.post(chat(1, { kind: 'assistant', text: `Here:\n\n\`\`\`ts\n${code}\n\`\`\`\n\n\`\`\`sh\n${shell}\n\`\`\`\n\n\`\`\`\nit's plain output 42\n\`\`\`\n\n<span class="tok-kw approval">raw</span>` }));
    const blocks = page.locator('[data-seq="1"] pre code');
    await eventually(async () => (await blocks.count()) === 3);
    const tokens = (i: number) => blocks.nth(i).locator('span').evaluateAll((els) => els.map((e) => [e.className, e.textContent]));
    assert.deepEqual(await tokens(0), [['tok-kw', 'const'], ['tok-num', '42'], ['tok-com', '// the answer'], ['tok-kw', 'return'], ['tok-str', "'done'"]]);
    assert.deepEqual(await tokens(1), [['tok-kw', 'echo'], ['tok-str', '"hi"'], ['tok-com', '# say hi']]);
    assert.deepEqual(await tokens(2), [], 'a block without a language stays plain');
    assert.equal((await blocks.nth(0).innerText()).trim(), code);
    assert.equal((await blocks.nth(1).innerText()).trim(), shell);
    // Colours are really applied (a keyword is not the plain text colour).
    const colours = await blocks.nth(0).evaluate((el) => [getComputedStyle(el.querySelector('.tok-kw')!).color, getComputedStyle(el).color]);
    assert.notEqual(colours[0], colours[1]);
    // Raw HTML from the agent is text, never a span with a class.
    assert.equal(await page.locator('[data-seq="1"] .approval, [data-seq="1"] span.tok-kw.approval').count(), 0);
    assert.match(await page.locator('[data-seq="1"]').innerText(), /<span class="tok-kw approval">raw<\/span>/);
  });
});
