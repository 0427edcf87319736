// Handshake patterns of Noise rev 34 as token lists: the fundamental patterns Walkie uses (§7.4 IK,
// §7.5 XX, §7.4 NN) and the psk modifier of §9.2 applied by name ("IKpsk2" = IK with "psk" appended to
// its second message; "NNpsk0" = NN with "psk" prepended to its first). Message i is sent by the
// initiator when i is even (patterns alternate, initiator first).

export type Token = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss' | 'psk';

export interface HandshakePattern {
  /** The full pattern name with modifiers, e.g. "IKpsk2". */
  readonly name: string;
  /** Pre-message tokens the initiator's side contributes ("->" pre-message). */
  readonly initiatorPreMessage: readonly Token[];
  /** Pre-message tokens the responder's side contributes ("<-" pre-message). */
  readonly responderPreMessage: readonly Token[];
  readonly messages: readonly (readonly Token[])[];
  /** True when any psk modifier is present: then "e" tokens also MixKey (§9.2). */
  readonly psk: boolean;
  /** How many psks the pattern consumes. */
  readonly pskCount: number;
}

interface BasePattern {
  readonly initiatorPreMessage: readonly Token[];
  readonly responderPreMessage: readonly Token[];
  readonly messages: readonly (readonly Token[])[];
}

/** Fundamental interactive patterns (§7.4, §7.5), only those Walkie supports. */
const BASE: Readonly<Record<string, BasePattern>> = {
  // NN:  -> e   <- e, ee
  NN: { initiatorPreMessage: [], responderPreMessage: [], messages: [['e'], ['e', 'ee']] },
  // IK:  <- s  ...  -> e, es, s, ss   <- e, ee, se
  IK: { initiatorPreMessage: [], responderPreMessage: ['s'], messages: [['e', 'es', 's', 'ss'], ['e', 'ee', 'se']] },
  // XX:  -> e   <- e, ee, s, es   -> s, se
  XX: { initiatorPreMessage: [], responderPreMessage: [], messages: [['e'], ['e', 'ee', 's', 'es'], ['s', 'se']] },
};

/** Pattern names Walkie's handshake accepts. */
export const SUPPORTED_PATTERNS = ['IK', 'IKpsk2', 'XX', 'NNpsk0'] as const;

/**
 * Parses a pattern name ("IK", "IKpsk2", "NNpsk0", "XXpsk0+psk3", …) into token lists, applying psk
 * modifiers per §9.2: pskN with N = 0 puts "psk" at the start of the first message, N ≥ 1 at the end of
 * message N. Returns undefined for an unknown base pattern or a malformed modifier.
 */
export function parsePattern(name: string): HandshakePattern | undefined {
  const m = /^([A-Z]{2})((?:psk\d+)(?:\+psk\d+)*)?$/.exec(name);
  if (!m) return undefined;
  const base = BASE[m[1]!];
  if (!base) return undefined;
  const messages = base.messages.map((tokens) => [...tokens]);
  const modifiers = m[2] ? m[2].split('+') : [];
  const seen = new Set<number>();
  for (const mod of modifiers) {
    const n = Number(mod.slice(3));
    if (seen.has(n) || n > messages.length) return undefined;
    seen.add(n);
    if (n === 0) messages[0]!.unshift('psk');
    else messages[n - 1]!.push('psk');
  }
  return {
    name,
    initiatorPreMessage: base.initiatorPreMessage,
    responderPreMessage: base.responderPreMessage,
    messages,
    psk: modifiers.length > 0,
    pskCount: modifiers.length,
  };
}
