// What Codex CLI's composer does with typed text beyond sending it to the model, and how Walkie keeps a
// device's text a prompt (measured on 0.171.0 with the real CLI, text typed as a bracketed paste + Enter:
// docs/codex.md, "Text typed into the composer"):
//  - `!` as the first character switches the composer to "Shell mode": Enter runs the rest as a shell
//    command at once, with NO hook call (nothing for Walkie to approve). One leading space keeps it a
//    prompt: the model receives "!cmd" (Codex trims the space).
//  - `/` as the first character runs a slash command (local dialogs the phone cannot see; `/status` shows
//    the configuration). " /status" (a leading space) reaches the model as the text "/status".
// Walkie refuses slash commands from a device (as for an attached Claude session) and turns a leading `!`
// into " !" — a prompt. Security: decided on the host, after sanitising, for every device and panel prompt;
// the person at the terminal is not affected.
import type { PreparedPrompt } from '../agentAdapter';

export function prepareCodexPrompt(text: string): PreparedPrompt {
  if (/^\s*\//.test(text)) {
    return {
      ok: false,
      code: 'PROMPT_ERR_COMMAND',
      message: 'Slash commands cannot be sent from a device to Codex: they open local dialogs or change settings on the computer. To send text that starts with "/", put a word before it.',
    };
  }
  // Shell mode: one leading space (after dropping leading blank lines) keeps the text a prompt (measured).
  if (/^\s*!/.test(text)) return { ok: true, text: ' ' + text.trimStart() };
  return { ok: true, text };
}
