// What counts as a secret VALUE once a rule has found something in a secret-shaped place (`PASSWORD=…`,
// `--token …`, `mysql -p…`, `https://user:…@`): the shared thresholds of secretScanner.ts and
// secretFormats.ts. A reference (`$VAR`, `${…}`, `<your-key>`) or a placeholder (`***`, `changeme`) is never
// a secret, so a scanner that redacts one only hides what the reader needs to see.

export const REDACTED = '[redacted]';

/** `$VAR`, `${…}`, `%(x)s`, `{{ … }}`, `<password>`, `***`, `xxxx`, `changeme`, `your-key-here`, … */
export function isPlaceholder(raw: string): boolean {
  const v = unquote(raw);
  if (!v.length || v.includes(REDACTED)) return true;
  if (/^(?:\$|%|\{\{|<|#\{)/.test(v) || v.includes('${')) return true;
  if (/^(?:\*+|x+|\.+|_+|-+|#+)$/i.test(v)) return true;
  return /^(?:changeme|change[_-]me|password|passwd|secret|example|placeholder|redacted|none|null|nil|undefined|empty|required|optional|true|false|todo|tbd|fixme|your[\w-]*|my[_-]?(?:password|secret|token)[\w-]*)$/i.test(v);
}

/**
 * A value in a place that only ever holds a secret (`mysql -p…`, `sshpass -p …`, `redis://:…@`): anything
 * that is not a placeholder or a reference, however weak (weak passwords leak too).
 */
export function isLiteralSecret(raw: string): boolean {
  return !isPlaceholder(raw) && unquote(raw).length >= 3;
}

/**
 * The threshold for values of secret-NAMED keys (`PASSWORD=…`, `"token": …`, `--api-key …`): at least 8
 * characters, no whitespace, letters mixed with digits or symbols other than `-_.`, and a Shannon entropy of
 * at least 2.5 bits per character; never a reference, a placeholder, a URL or a file path.
 */
export function looksLikeSecretValue(raw: string): boolean {
  const quoted = /^(["'`]).*\1$/s.test(raw) && raw.length >= 2;
  const v = quoted ? raw.slice(1, -1) : raw;
  if (v.length < 8 || /\s/.test(v) || isPlaceholder(v)) return false;
  if (v.includes('://')) return false;
  // File paths.
  if (/^(?:\/|\.\.?\/|~\/)/.test(v) || (/^[\w./-]+\.[A-Za-z]{1,5}$/.test(v) && v.includes('/'))) return false;
  if (/^[\w-]+\.(?:json|ya?ml|txt|env|pem|key|toml|ini|cfg|conf)$/i.test(v)) return false;
  // Code references: identifiers and member paths (process.env.TOKEN, config.password) — but not a token
  // that happens to contain a dot (a Vault `s.…`, an `hvs.…`): a long segment mixing letters and digits.
  const tokenLike = v.split('.').some((seg) => seg.length >= 16 && /\d/.test(seg) && /[A-Za-z]/.test(seg));
  if (!quoted && /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(v) && !/\d/.test(v)) return false;
  if (!quoted && !tokenLike && /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(v)) return false;
  // Letters mixed with digits or symbols (other than the word separators -_.).
  if (!/[A-Za-z]/.test(v) || !/[^A-Za-z\-_.]/.test(v)) return false;
  return shannonEntropy(v) >= 2.5;
}

/** Bits per character. */
export function shannonEntropy(s: string): number {
  if (!s.length) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const n = [...s].length;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/** The value without one pair of surrounding quotes. */
export function unquote(raw: string): string {
  return raw.length >= 2 && /^(["'`]).*\1$/s.test(raw) ? raw.slice(1, -1) : raw;
}

/** REDACTED in the value's own quotes. */
export function requote(value: string): string {
  const q = value[0];
  return (q === '"' || q === "'" || q === '`') && value.length >= 2 && value.endsWith(q) ? `${q}${REDACTED}${q}` : REDACTED;
}
