// How the thread takes live events (issue 17, "the phone slows down with length"): a burst of events is
// rendered once, in order, and the rows already on screen are left alone. Renders are counted from the
// outside: every render that changes the thread is one MutationObserver callback (DOM changes made in one
// task are reported together), and each host message reaches the page as its own task (a window message,
// as from the extension or the relay socket).
import assert from 'node:assert/strict';
import type { HostMessage } from '../../src/core/wire/protocol';
import { approval, chat, hello, panelSuite, type Panel } from './webuiHarness';

const BURST = 30;

/** Starts counting the thread's renders and the changes made inside the rows shown now. */
async function watchThread(panel: Panel): Promise<void> {
  await panel.page.evaluate(() => {
    const thread = document.querySelector('[data-testid="thread"]')!;
    const old = [...thread.querySelectorAll('.item')];
    for (const el of old) (el as unknown as { __old: boolean }).__old = true;
    const w = window as unknown as { __renders: number; __touchedOld: number };
    w.__renders = 0;
    w.__touchedOld = 0;
    new MutationObserver((records) => {
      w.__renders++;
      for (const r of records) if (old.some((row) => row.contains(r.target))) w.__touchedOld++;
    }).observe(thread, { childList: true, subtree: true, characterData: true, attributes: true });
  });
}

/** Posts every message as its own window message, back to back (one task each), like a burst off the wire. */
async function postBurst(panel: Panel, messages: HostMessage[]): Promise<void> {
  await panel.page.evaluate((ms: unknown[]) => {
    for (const m of ms) window.postMessage({ type: 'host', message: m }, '*');
  }, messages as unknown[]);
}

describe('web UI thread under a burst of live events (Chromium, phone viewport)', () => {
  const suite = panelSuite();
  let panel: Panel | undefined;

  it(`renders a burst of ${BURST} chat events at once, in seq order, without touching the rows already shown`, async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    for (let seq = 1; seq <= 5; seq++) await panel.post(chat(seq, { kind: 'assistant', text: `Earlier **reply** ${seq}` }));
    await page.locator('[data-seq="5"]').waitFor();
    await watchThread(panel);
    // Out of order within the burst, as a resync overlapping live events can deliver them.
    const seqs = Array.from({ length: BURST }, (_, i) => 6 + i);
    const shuffled = [...seqs.filter((s) => s % 2 === 0), ...seqs.filter((s) => s % 2 === 1)];
    await postBurst(panel, shuffled.map((seq) => chat(seq, { kind: 'assistant', text: `Live **reply** ${seq}` })));
    await page.locator(`[data-seq="${5 + BURST}"]`).waitFor();
    // Let any render still queued happen before counting.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const { renders, touchedOld } = await page.evaluate(() => {
      const w = window as unknown as { __renders: number; __touchedOld: number };
      return { renders: w.__renders, touchedOld: w.__touchedOld };
    });
    // One render per frame: the burst lands within a frame or two, not in one render per event.
    assert.ok(renders <= 3, `${BURST} events rendered in ${renders} separate renders`);
    assert.equal(touchedOld, 0, 'a row already shown was changed');
    const shown = await page.locator('.thread .item').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    assert.deepEqual(shown, Array.from({ length: 5 + BURST }, (_, i) => i + 1));
    assert.equal(await page.locator('[data-seq="1"]').evaluate((el) => (el as unknown as { __old?: boolean }).__old), true, 'the first row was rendered again');
    assert.equal(await page.locator(`[data-seq="${5 + BURST}"] strong`).innerText(), 'reply');
    assert.deepEqual(panel.errors, []);
  });

  it('still shows new events when the page gets no animation frames (a hidden page)', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    await panel.post(chat(1, { kind: 'assistant', text: 'Before' }));
    await page.locator('[data-seq="1"]').waitFor();
    // Frames stop coming, as for a page in the background: the render falls back to a timer.
    await page.evaluate(() => {
      window.requestAnimationFrame = () => 0;
    });
    await postBurst(panel, [chat(2, { kind: 'assistant', text: 'While hidden' }), approval({ id: 'while-hidden' })]);
    await page.locator('[data-seq="2"]').waitFor({ timeout: 2000 });
    await page.locator('[data-approval-id="while-hidden"]').waitFor({ timeout: 2000 });
    assert.deepEqual(panel.errors, []);
  });

  it('shows an approval card that arrives in the middle of a burst, with the chat around it in order', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post(hello());
    const before = Array.from({ length: 10 }, (_, i) => chat(i + 1, { kind: 'tool', tool: 'Bash', summary: `Ran \`step ${i + 1}\``, status: 'ok' }));
    const after = Array.from({ length: 10 }, (_, i) => chat(i + 11, { kind: 'assistant', text: `After the card ${i + 11}` }));
    await postBurst(panel, [...before, approval({ id: 'mid-burst' }), ...after]);
    await page.locator('[data-seq="20"]').waitFor();
    await page.locator('[data-approval-id="mid-burst"]').waitFor();
    const shown = await page.locator('.thread .item').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    assert.deepEqual(shown, Array.from({ length: 20 }, (_, i) => i + 1));
    assert.deepEqual(panel.errors, []);
  });
});
