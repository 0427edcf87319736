// The one seam through which Walkie types into an agent's terminal UI, wherever that terminal is: the pty
// Walkie spawned (PtyProcess) or a VS Code terminal a hand-started CLI runs in (src/vscode/sessions/
// terminalFinder.ts). Both take their bytes from bracketedPasteInput(), so the sanitiser, the bracketed paste
// and the pause before Enter exist once. Two inputs only:
//  - a prompt: a bracketed paste, then Enter on its own after a short pause (a long write with a trailing
//    "\r" is taken as a paste and the "\r" becomes a newline; the pause lets the UI see the paste end first);
//  - an interrupt: a lone Esc.
// The pause goes through the injected Clock, so tests drive it without real sleeps.
import type { Clock } from '../../core/base/clock';

/** Types into the terminal an agent CLI runs in. */
export interface TerminalInput {
  /** Types `text` (sanitised again here) as a bracketed paste, then Enter. Resolves once Enter was written. */
  paste(text: string): Promise<void>;
  /** A lone Esc: the agent interrupts its turn (and a hook it is waiting on). */
  interrupt(): void;
}

export const PASTE_START = '\x1b[200~';
export const PASTE_END = '\x1b[201~';
/** Time between the end of a paste and Enter, so the UI has taken the paste in. */
export const ENTER_DELAY_MS = 50;

/**
 * Security: a prompt is text, never keystrokes. Control characters (above all ESC, which could end the
 * paste early and inject keys) are removed; newlines and tabs stay. CRLF/CR become LF. Invisible format
 * characters (Unicode Cf: zero-width space, bidi overrides…) go too: they can hide what a prompt says, and
 * Claude Code holds a prompt that has them for review instead of sending it.
 */
export function sanitizePrompt(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]|\p{Cf}/gu, '');
}

/** A TerminalInput that writes raw terminal input through `write` (a pty's stdin, a VS Code terminal's sendText). */
export function bracketedPasteInput(write: (data: string) => void, clock: Clock, enterDelayMs = ENTER_DELAY_MS): TerminalInput {
  return {
    async paste(text) {
      // Security: sanitised here too, whatever the caller did (SessionCore already sanitised a device prompt
      // before the adapter looked at it; sanitizePrompt is idempotent, so that text is typed unchanged).
      // Without control characters nothing can end the paste early and inject keys.
      write(PASTE_START + sanitizePrompt(text) + PASTE_END);
      await new Promise<void>((resolve) => clock.setTimeout(resolve, enterDelayMs));
      write('\r');
    },
    interrupt() {
      write('\x1b');
    },
  };
}
