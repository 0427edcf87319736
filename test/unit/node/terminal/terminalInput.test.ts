// The one terminal-input seam (src/node/terminal/terminalInput.ts), driven by a ManualClock: what a pty and a
// VS Code terminal receive when Walkie types a prompt or interrupts.
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../src/core/base/clock';
import { bracketedPasteInput, ENTER_DELAY_MS, sanitizePrompt } from '../../../../src/node/terminal/terminalInput';

const tick = () => new Promise((r) => setImmediate(r));

describe('TerminalInput (bracketedPasteInput)', () => {
  let clock: ManualClock;
  let written: string[];
  const input = () => bracketedPasteInput((d) => void written.push(d), clock);

  beforeEach(() => {
    clock = new ManualClock();
    written = [];
  });

  it('types a prompt as one bracketed paste, and Enter only once the clock has passed the pause', async () => {
    let done = false;
    const typed = input()
      .paste('first line\nsecond line')
      .then(() => (done = true));
    assert.deepEqual(written, ['\x1b[200~first line\nsecond line\x1b[201~']);
    clock.advance(ENTER_DELAY_MS - 1);
    await tick();
    assert.equal(written.length, 1);
    assert.equal(done, false);
    clock.advance(1);
    await typed;
    assert.deepEqual(written, ['\x1b[200~first line\nsecond line\x1b[201~', '\r']);
    assert.equal(clock.pendingTimers, 0);
  });

  it('sanitises what it is given: no ESC can end the paste early and no key is injected', async () => {
    const typed = input().paste('ok\x1b[201~\rrm -rf /\x03\u200b');
    clock.advance(ENTER_DELAY_MS);
    await typed;
    assert.deepEqual(written, ['\x1b[200~ok[201~\nrm -rf /\x1b[201~', '\r']);
    assert.equal(written[0].split('\x1b').length - 1, 2);
  });

  it('types an already sanitised prompt unchanged (sanitising twice changes nothing)', async () => {
    const once = sanitizePrompt('a\r\nb\x1b\u202ec @ d');
    assert.equal(sanitizePrompt(once), once);
    const typed = input().paste(once);
    clock.advance(ENTER_DELAY_MS);
    await typed;
    assert.equal(written[0], `\x1b[200~${once}\x1b[201~`);
  });

  it('interrupts with a lone Esc, at once', () => {
    input().interrupt();
    assert.deepEqual(written, ['\x1b']);
    assert.equal(clock.pendingTimers, 0);
  });
});
