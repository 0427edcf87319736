// Redacts credentials from text before it leaves the host (chat lines, approval cards, audit messages).
// Everything outgoing passes through here, but it is a safety net, not a guarantee: it knows common token
// formats and a conservative "secret-looking assignment" rule, and nothing else.
//
// Two kinds of rule:
//  1. Known formats (AWS, GitHub, Slack, Stripe, Anthropic, OpenAI, Google, JWTs, PEM private keys, …): the
//     match is replaced by "[redacted]" wherever it occurs.
//  2. Assignments to a secret-named key (`PASSWORD=…`, `"token": "…"`, `secret: …`, `--api-key …`): the
//     VALUE is replaced when it looks random. Threshold (chosen so ordinary code and prose pass untouched):
//     at least 8 characters, no whitespace, letters mixed with digits or symbols other than `-_.`, and a
//     Shannon entropy of at least 2.5 bits per character; never a reference (`$VAR`, `${…}`, `process.env.X`,
//     `<your-key>`), a URL or a file path. So `password: see docs`, `token = tokens[i]`, `grant: "access_token"`
//     pass; `PASSWORD=hunter2abc` is redacted. A bare high-entropy string with no secret-named key (a git sha,
//     a UUID, a hash in a sentence) is never redacted.

export const REDACTED = '[redacted]';

type Replacer = (match: string, ...groups: string[]) => string;
interface Rule {
  name: string;
  re: RegExp;
  /** Defaults to replacing the whole match. Return the match unchanged to skip it. */
  replace?: Replacer;
}

const keepPrefix: Replacer = (_m, prefix) => prefix + REDACTED;

/** Known formats, applied in order (URL credentials first, so a token in a URL counts once). */
const RULES: readonly Rule[] = [
  { name: 'pem-private-key', re: /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)/g },
  {
    name: 'url-credentials',
    re: /\b([a-z][a-z0-9+.-]{1,20}:\/\/)([^\s:/?#@'"]+):([^\s/?#@'"]+)@/gi,
    replace: (m, scheme, user, pass) => (pass === REDACTED ? m : `${scheme}${user}:${REDACTED}@`),
  },
  { name: 'aws-access-key-id', re: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g },
  { name: 'github-token', re: /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/g },
  { name: 'github-fine-grained-pat', re: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g },
  { name: 'gitlab-pat', re: /\bglpat-[A-Za-z0-9_-]{20,}/g },
  { name: 'slack-token', re: /\bxox[abposre]-[A-Za-z0-9-]{10,}/g },
  { name: 'slack-webhook', re: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]+/g },
  { name: 'stripe-secret-key', re: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { name: 'stripe-webhook-secret', re: /\bwhsec_[A-Za-z0-9+/=]{24,}/g },
  { name: 'anthropic-key', re: /\bsk-ant-(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,}/g },
  { name: 'openai-key', re: /\bsk-(?:proj-|svcacct-|admin-)?(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,}/g },
  { name: 'google-api-key', re: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g },
  { name: 'google-oauth-token', re: /\bya29\.[0-9A-Za-z_-]{20,}/g },
  { name: 'google-oauth-client-secret', re: /\bGOCSPX-[A-Za-z0-9_-]{20,}/g },
  { name: 'npm-token', re: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { name: 'pypi-token', re: /\bpypi-AgE[A-Za-z0-9_-]{50,}/g },
  { name: 'huggingface-token', re: /\bhf_[A-Za-z0-9]{34,}\b/g },
  { name: 'sendgrid-key', re: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/g },
  { name: 'digitalocean-token', re: /\bdo[por]_v1_[a-f0-9]{64}\b/g },
  { name: 'shopify-token', re: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/g },
  { name: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g },
  { name: 'azure-key', re: /\b((?:Account|SharedAccess)Key=)[A-Za-z0-9+/]{20,}={0,2}/g, replace: keepPrefix },
  { name: 'basic-auth-header', re: /\b(Authorization:\s*Basic\s+)[A-Za-z0-9+/]{8,}={0,2}/gi, replace: keepPrefix },
  {
    name: 'bearer-token',
    re: /\b(Bearer\s+)([A-Za-z0-9\-._~+/]{16,}=*)/gi,
    // "Bearer authentication…" in prose is not a token: require a digit or a symbol.
    replace: (m, prefix, token) => (/[^A-Za-z]/.test(token) ? prefix + REDACTED : m),
  },
  {
    name: 'curl-user-password',
    re: /((?:^|\s)(?:-u|--user)(?:\s+|=)['"]?)([^\s:'"]+):([^\s'"]+)/g,
    replace: (m, prefix, user, pass) => (pass === REDACTED ? m : `${prefix}${user}:${REDACTED}`),
  },
];

/** Key names whose values are secrets. */
const SECRET_KEY = /passw(?:or)?d|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|private[_-]?key|credential|authorization|session[_-]?key|signing[_-]?key|encryption[_-]?key/i;

/**
 * `key = value`, `key: value`, `"key": "value"`, `key => value`, `key := value`, and with a type annotation
 * (`password: str = "…"`). Every repetition is bounded, so scanning stays linear.
 */
const ASSIGNMENT = /([A-Za-z0-9_.-]{1,64})(["']?)((?:\s*:\s*[A-Za-z_][\w.]{0,40}(?:\[[^\]\n]{0,40}\])?\s*=(?!=)|\s*(?:=>|:=|=|:))[ \t]*)("(?:[^"\\\n]|\\.){1,4096}"|'[^'\n]{1,4096}'|`[^`\n]{1,4096}`|[^\s'"`,;()[\]{}<>]{1,4096})/g;

/** `--password value`, `--api-key value` (the `=` form is an assignment above). */
const FLAG = /(--[A-Za-z-]{0,32}(?:password|passwd|passphrase|token|secret|api-?key)[A-Za-z-]{0,32})([ \t]+)("[^"\n]{1,4096}"|'[^'\n]{1,4096}'|[^\s'"`]{1,4096})/gi;

/** Redacts known token formats and secret-looking assignments. Returns the text and how many were replaced. */
export function redactSecrets(text: string): { text: string; redactions: number } {
  let count = 0;
  let out = text;
  for (const rule of RULES) {
    out = out.replace(rule.re, (...args: unknown[]) => {
      const match = args[0] as string;
      const groups = args.slice(1, -2).map((g) => (typeof g === 'string' ? g : ''));
      const next = rule.replace ? rule.replace(match, ...groups) : REDACTED;
      if (next !== match) count++;
      return next;
    });
  }
  out = out.replace(ASSIGNMENT, (m: string, key: string, quote: string, sep: string, value: string) => {
    if (!SECRET_KEY.test(key) || !looksLikeSecretValue(value)) return m;
    count++;
    return `${key}${quote}${sep}${requote(value)}`;
  });
  out = out.replace(FLAG, (m: string, flag: string, space: string, value: string) => {
    if (!looksLikeSecretValue(value)) return m;
    count++;
    return `${flag}${space}${requote(value)}`;
  });
  return { text: out, redactions: count };
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

function requote(value: string): string {
  const q = value[0];
  return q === '"' || q === "'" || q === '`' ? `${q}${REDACTED}${q}` : REDACTED;
}

/** The threshold described in the header. Exported for tests. */
export function looksLikeSecretValue(raw: string): boolean {
  const quoted = /^(["'`]).*\1$/s.test(raw) && raw.length >= 2;
  const v = quoted ? raw.slice(1, -1) : raw;
  if (v.length < 8 || /\s/.test(v) || v.includes(REDACTED)) return false;
  // References and templates, not values.
  if (/^(?:\$|%|\{\{|<|#\{)/.test(v) || v.includes('${')) return false;
  if (v.includes('://')) return false;
  // File paths.
  if (/^(?:\/|\.\.?\/|~\/)/.test(v) || (/^[\w./-]+\.[A-Za-z]{1,5}$/.test(v) && v.includes('/'))) return false;
  if (/^[\w-]+\.(?:json|ya?ml|txt|env|pem|key|toml|ini|cfg|conf)$/i.test(v)) return false;
  // Code references: identifiers and member paths (process.env.TOKEN, config.password).
  if (!quoted && /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(v) && !/\d/.test(v)) return false;
  if (!quoted && /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(v)) return false;
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
