// Redacts credentials from text before it leaves the host (chat lines, approval cards, audit messages).
// Everything outgoing passes through here, but it is a safety net, not a guarantee: it knows common token
// formats, secret-only places in commands, and a conservative "secret-looking assignment" rule, and nothing
// else. Synchronous and pure, so host, phone and relay can all run it.
//
// Three kinds of rule:
//  1. Known formats (secretFormats.ts: AWS, GitHub, Slack, Stripe, Anthropic, OpenAI, Google, Vault, age,
//     Twilio, Mailgun, Telegram, JWTs, PEM and PuTTY private keys, …): the match is replaced by "[redacted]".
//  2. Secret-only places (also secretFormats.ts): `mysql -p…`, `sshpass -p …`, `docker login -p …`,
//     `Authorization: Token …`, `aws configure set aws_secret_access_key …`, `redis://:…@host`: the value is
//     replaced unless it is a placeholder or a reference (`$PASS`, `<password>`, `***`).
//  3. Assignments to a secret-named key (`PASSWORD=…`, `DB_PASS=…`, `"token": "…"`, `secret: …`,
//     `--api-key …`): the VALUE is replaced when it looks random (secretValue.ts: at least 8 characters, no
//     whitespace, letters mixed with digits or symbols, Shannon entropy ≥ 2.5 bits a character; never a
//     reference, a URL or a file path). So `password: see docs`, `token = tokens[i]`, `grant: "access_token"`
//     pass; `PASSWORD=hunter2abc` is redacted. One exception: a password in a shell or .env assignment
//     (`DB_PASSWORD=correcthorsebattery`) is a literal whatever it looks like, so it is redacted when it is
//     not a placeholder. A bare high-entropy string with no secret-named key (a git sha, a UUID, a hash in a
//     sentence) is never redacted.
//
// The rules were measured against secretlint's recommended preset on test/fixtures/secrets/corpus.json
// (`npm run bench secretScanner`); the figures are in CHANGELOG.md and the bench prints them.
import { SECRET_RULES } from './secretFormats';
import { isPlaceholder, looksLikeSecretValue, REDACTED, requote, unquote } from './secretValue';

export { looksLikeSecretValue, REDACTED, shannonEntropy } from './secretValue';

/** Key names whose values are secrets. */
const SECRET_KEY = /passw(?:or)?d|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|private[_-]?key|credential|authorization|session[_-]?key|signing[_-]?key|encryption[_-]?key|(?:^|[_.-])pass(?:$|[_.-])|^_?auth$/i;
/** Password-named keys: in a shell or .env assignment their value is a literal password whatever its shape. */
const PASSWORD_KEY = /passw(?:or)?d|passphrase|pwd|(?:^|_)pass(?:$|_)/i;

/**
 * `key = value`, `key: value`, `"key": "value"`, `key => value`, `key := value`, and with a type annotation
 * (`password: str = "…"`). Every repetition is bounded, so scanning stays linear.
 */
const ASSIGNMENT = /([A-Za-z0-9_.-]{1,64})(["']?)((?:\s*:\s*[A-Za-z_][\w.]{0,40}(?:\[[^\]\n]{0,40}\])?\s*=(?!=)|\s*(?:=>|:=|=|:))[ \t]*)("(?:[^"\\\n]|\\.){1,4096}"|'[^'\n]{1,4096}'|`[^`\n]{1,4096}`|[^\s'"`,;()[\]{}<>]{1,4096})/g;

/** `--password value`, `--api-key value` (the `=` form is an assignment above); not `--password-stdin`. */
const FLAG = /(--[A-Za-z-]{0,32}(?:password|passwd|passphrase|token|secret|api-?key|auth-?key|access-?key)(?!-(?:stdin|file|env|command|cmd|path|prompt))[A-Za-z-]{0,32})([ \t]+)("[^"\n]{1,4096}"|'[^'\n]{1,4096}'|(?!-)[^\s'"`]{1,4096})/gi;

/** Redacts known token formats and secret-looking assignments. Returns the text and how many were replaced. */
export function redactSecrets(text: string): { text: string; redactions: number } {
  let count = 0;
  let out = text;
  for (const rule of SECRET_RULES) {
    out = out.replace(rule.re, (...args: unknown[]) => {
      const match = args[0] as string;
      const groups = args.slice(1, -2).map((g) => (typeof g === 'string' ? g : ''));
      const next = rule.replace ? rule.replace(match, ...groups) : REDACTED;
      if (next !== match) count++;
      return next;
    });
  }
  const assigned = redactAssignments(out);
  count += assigned.redactions;
  out = assigned.text;
  out = out.replace(FLAG, (m: string, flag: string, space: string, value: string) => {
    if (!looksLikeSecretValue(value)) return m;
    count++;
    return `${flag}${space}${requote(value)}`;
  });
  return { text: out, redactions: count };
}

/**
 * The assignment rule. A match whose key is not secret-named is given back from its value on, so a secret
 * assignment inside it is still seen (`jdbc:mysql://db/app?user=root&password=…`). Only when the value
 * names a secret key, and at most MAX_RESTARTS times a text, so scanning stays linear.
 */
const MAX_RESTARTS = 256;
function redactAssignments(text: string): { text: string; redactions: number } {
  const re = new RegExp(ASSIGNMENT.source, 'g');
  let out = '';
  let done = 0;
  let redactions = 0;
  let restarts = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const [whole, key, quote, sep, value] = m as unknown as [string, string, string, string, string];
    if (SECRET_KEY.test(key) && isSecretAssignment(key, sep, value)) {
      out += text.slice(done, m.index) + key + quote + sep + requote(value);
      done = m.index + whole.length;
      redactions++;
    } else if (restarts < MAX_RESTARTS && SECRET_KEY.test(value) && /[:=]/.test(value)) {
      restarts++;
      re.lastIndex = m.index + key.length + quote.length + sep.length;
    }
  }
  return { text: out + text.slice(done), redactions };
}

function isSecretAssignment(key: string, sep: string, value: string): boolean {
  if (looksLikeSecretValue(value)) return true;
  // `DB_PASSWORD=correcthorsebattery`: a shell or .env assignment (no spaces around `=`) to a password.
  // Not a file or a URL holding it (`PASSWORD_FILE=/run/secrets/db`).
  const literal = unquote(value);
  if (sep !== '=' || !PASSWORD_KEY.test(key) || !/^[A-Z0-9_]+$/.test(key) || /_(?:FILE|PATH|DIR|URL|LENGTH|LEN|POLICY|HASH)$/.test(key)) return false;
  return literal.length >= 8 && !/\s/.test(literal) && !/^(?:\/|\.\.?\/|~\/)/.test(literal) && !literal.includes('://') && !isPlaceholder(value);
}

/** Cuts `text` to at most `max` characters, ending with a visible "… [truncated N chars]" marker. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const limit = Math.max(0, Math.floor(max));
  let keep = limit;
  let marker = '';
  // The marker's length depends on N, which depends on the marker's length: settle it in a few rounds.
  for (let i = 0; i < 4; i++) {
    marker = `… [truncated ${text.length - keep} chars]`;
    keep = limit - marker.length;
  }
  if (keep <= 0) return text.slice(0, limit);
  // Never leave half of a surrogate pair at the cut.
  const code = text.charCodeAt(keep - 1);
  if (code >= 0xd800 && code <= 0xdbff) keep--;
  return text.slice(0, keep) + `… [truncated ${text.length - keep} chars]`;
}

/**
 * redactSecrets then capText, for any text about to leave the host. Very long input is first cut to
 * `max` plus a margin, so a 10 MB file does not get scanned whole; an unterminated PEM block at the cut is
 * still redacted (the PEM rule runs to the end of the text).
 */
export function safeText(text: string, max: number): string {
  const margin = 16 * 1024;
  const head = text.length > max + margin ? text.slice(0, max + margin) : text;
  const redacted = redactSecrets(head).text;
  if (head === text) return capText(redacted, max);
  // Report the truncation against the original length.
  const marker = (n: number) => `… [truncated ${n} chars]`;
  let keep = Math.max(0, max - marker(text.length).length);
  const code = redacted.charCodeAt(keep - 1);
  if (code >= 0xd800 && code <= 0xdbff) keep--;
  if (keep <= 0) return redacted.slice(0, max);
  return redacted.slice(0, keep) + marker(text.length - keep);
}
