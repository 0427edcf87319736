// What Claude Code's prompt box does with typed text beyond sending it to the model, and how Walkie keeps a
// device's text a prompt (measured on 2.1.330 and 2.1.332 with the real CLI: docs/claude-code.md, "Text typed
// into the prompt box"):
//  - `!` as the first character (also after leading whitespace lines or stripped control characters) runs
//    the rest as a shell command at once — no hook, no approval. A single leading space keeps it a prompt:
//    the model receives " !cmd" as text.
//  - `/` as the first non-blank character runs a slash command, even after leading spaces. Built-ins open
//    local dialogs the phone cannot see (`/config`, `/permissions`, `/hooks` shows the hook URL and secret),
//    and a project command with an inline `` !`cmd` `` runs `cmd` with no hook — a project file named
//    `compact.md` or `clear.md` shadows even those built-ins. Walkie's settings layer sets
//    `disableSkillShellExecution` (claudeCode.ts), which stops that inline shell; an attached session has no
//    such layer, so it takes no slash command from a device at all.
//  - `@path` (at the start or after whitespace) attaches the file to the model's context with no Read hook.
//    `@ path` (a space after the `@`) is plain text, which the model still reads as "this file".
//  - Invisible format characters (zero-width space…) make the UI hold the prompt for review instead of
//    sending it; the host removes them first.
// Security: this is decided on the host, after sanitising, for every device and panel prompt, wrapped or
// attached; the person at the terminal is not affected (their keystrokes never pass through here).
import type { PreparedPrompt, SessionLaunch } from '../agentAdapter';

/**
 * Slash commands a device may send to a session Walkie launched: each runs inside the conversation, opens no
 * dialog, reads no file and runs no shell of its own. `/compact` (summarise the context: a phone user's way
 * out of a long session) and `/clear` (start a fresh conversation). Everything else is refused with a
 * message that says so.
 */
export const DEVICE_SLASH_COMMANDS: readonly string[] = ['compact', 'clear'];

/** Turns a sanitised device prompt into the text typed into Claude Code, or refuses it. */
export function prepareClaudePrompt(text: string, launch: SessionLaunch): PreparedPrompt {
  const slash = /^\s*\/(\S*)/.exec(text);
  if (slash) {
    const name = slash[1].toLowerCase();
    if (launch !== 'wrapped' || !DEVICE_SLASH_COMMANDS.includes(name)) {
      const allowed = launch === 'wrapped' ? ` (only ${DEVICE_SLASH_COMMANDS.map((c) => `/${c}`).join(' and ')})` : ' to a session started in a terminal';
      return {
        ok: false,
        code: 'PROMPT_ERR_COMMAND',
        message: `Slash commands cannot be sent from a device${allowed}: they can open settings or run shell on the computer. To send text that starts with "/", put a word before it.`,
      };
    }
    // An allowed command: typed as the command alone, with its arguments (no mention in them is followed).
    return { ok: true, text: neutraliseMentions(text.trimStart()) };
  }
  let out = neutraliseMentions(text);
  // Bash mode: a leading space keeps the text a prompt (measured); leading blank lines go first so the
  // text the model sees is what the user typed.
  if (/^\s*!/.test(out)) out = ' ' + out.trimStart();
  return { ok: true, text: out };
}

/** `@path` → `@ path` wherever the CLI would read it as a file mention (start of text or after whitespace). */
export function neutraliseMentions(text: string): string {
  return text.replace(/(^|\s)@(?=\S)/g, '$1@ ');
}
