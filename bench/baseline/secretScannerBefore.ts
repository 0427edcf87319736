// The secret scanner as it was before issue 9 (commit b209eac), frozen as the bench's baseline: only
// redactSecrets and what it needs. Not used by the product.
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
