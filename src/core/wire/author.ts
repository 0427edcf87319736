// Who resolved an approval: a closed union, so every producer names one of a known set of authors and
// every consumer can tell "the computer" from "a phone called X" without comparing display strings.
//
// On the wire `resolved` keeps its v1 string `by` (what older pages read) and adds the typed `author`
// only for peers that announced the `author` feature (docs/protocol.md §Features). `authorLabel` gives the
// v1 string — exactly the strings hosts have always sent — and `authorFromLabel` reads it back when a
// host without the feature sent only `by`.
import * as z from 'zod';
import { LIMITS } from './limits';

export const AuthorSchema = z.discriminatedUnion('kind', [
  /** A paired device, by the name it paired with (sanitised; never one of the reserved names below). */
  z.object({ kind: z.literal('device'), name: z.string().max(LIMITS.name * 2) }),
  /** The VS Code panel or VS Code's approval notification. */
  z.object({ kind: z.literal('vscode') }),
  /** The agent stopped waiting (Esc in the terminal, the hook's connection dropped, the session ended). */
  z.object({ kind: z.literal('agent') }),
  /** Nobody answered in time. */
  z.object({ kind: z.literal('expiry') }),
  /** Walkie itself, shutting down (fail closed). */
  z.object({ kind: z.literal('walkie') }),
  /**
   * Feature `terminalAuthor`: the person at the computer, in the `walkie host` terminal (Ctrl-]). Sent only
   * to peers that listed the feature; others get `by: "terminal"` alone (a reserved device name).
   */
  z.object({ kind: z.literal('terminal') }),
]);
export type Author = z.infer<typeof AuthorSchema>;

/** The v1 `by` strings, exactly as hosts have always sent them. */
const LABELS = { vscode: 'VS Code', agent: 'agent', expiry: 'timeout', walkie: 'walkie', terminal: 'terminal' } as const;

/** The v1 string for `by`: a device's name, or the fixed label of the other authors. */
export function authorLabel(author: Author): string {
  return author.kind === 'device' ? author.name : LABELS[author.kind];
}

/**
 * Reads a v1 `by` string back (from a host that did not send `author`). Unambiguous because the device
 * registry refuses these labels as device names (deviceRegistry.ts RESERVED_NAMES), so a phone cannot
 * pass itself off as the computer. 'local' is what the broker's docs and the page once expected for VS Code
 * (no host ever sent it).
 */
export function authorFromLabel(by: string): Author {
  switch (by) {
    case LABELS.vscode:
    case 'local':
      return { kind: 'vscode' };
    case LABELS.agent:
      return { kind: 'agent' };
    case LABELS.expiry:
      return { kind: 'expiry' };
    case LABELS.walkie:
      return { kind: 'walkie' };
    case LABELS.terminal:
      return { kind: 'terminal' };
    default:
      return { kind: 'device', name: by };
  }
}
