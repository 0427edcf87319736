// The rules of the secret scanner that know WHERE a secret is: provider token formats (each redacted
// wherever it occurs) and secret-only places in commands, headers and URLs (`mysql -p…`, `sshpass -p …`,
// `docker login -p …`, `Authorization: Token …`, `redis://:…@`). Applied in order by redactSecrets.
//
// The provider formats come from the providers' own documentation and from the facts that maintained rule
// sets record (secretlint's recommended preset was compared on test/fixtures/secrets; its source is not
// copied here). A format is listed only when its shape is distinctive enough that a match is a secret: a
// fixed prefix plus a random body, or a fixed context (`AC…` SID followed by its auth token).
import { isLiteralSecret, isPlaceholder, REDACTED } from './secretValue';

type Replacer = (match: string, ...groups: string[]) => string;
export interface SecretRule {
  name: string;
  re: RegExp;
  /** Defaults to replacing the whole match. Return the match unchanged to skip it. */
  replace?: Replacer;
}

/** Keeps group 1 and redacts group 2, unless group 2 is a placeholder or a reference. */
const keepPrefix: Replacer = (m, prefix, value) => (value !== undefined && value !== '' && !isLiteralSecret(value) ? m : prefix + REDACTED);

/** A shell argument: quoted, or up to the next whitespace. Bounded, so scanning stays linear. */
const ARG = `"[^"\\n]{1,512}"|'[^'\\n]{1,512}'|[^\\s'"\`|;&]{1,512}`;
/** The rest of a command line before a flag (no pipe, `;` or `&&`: those start another command). */
const SAME_COMMAND = `[^\\n|;&]{0,200}?`;
/** `<prefix><value>` where prefix matches `prefix` and the value is an ARG. */
const argAfter = (name: string, prefix: string): SecretRule => ({ name, re: new RegExp(`(${prefix})(${ARG})`, 'g'), replace: keepPrefix });

const URL_CREDENTIALS: SecretRule = {
  name: 'url-credentials',
  // The user may be empty (`redis://:pw@host`). The password may hold `?`/`#` that were never encoded.
  re: /\b([a-z][a-z0-9+.-]{1,20}:\/\/)([^\s:/?#@'"]*):([^\s/@'"]{1,256})@/gi,
  replace: (m, scheme, user, pass) => (isPlaceholder(pass!) || /^\d{1,5}(?:[?#]|$)/.test(pass!) ? m : `${scheme}${user}:${REDACTED}@`),
};

/** Known formats, applied in order (URL credentials first, so a token in a URL counts once). */
export const SECRET_RULES: readonly SecretRule[] = [
  { name: 'pem-private-key', re: /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)/g },
  // PuTTY .ppk (v2 and v3): the whole file, up to its MAC line (or the end of a cut text).
  { name: 'putty-private-key', re: /PuTTY-User-Key-File-\d+:[\s\S]*?(?:Private-MAC:[ \t]*[0-9A-Fa-f]*|$)/g },
  URL_CREDENTIALS,
  // Cloud providers.
  { name: 'aws-access-key-id', re: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|A3T[A-Z0-9])[0-9A-Z]{16}\b/g },
  argAfter('aws-configure-secret', String.raw`\baws\s+configure\s+set\s+(?:[\w-]+\.)?(?:aws_secret_access_key|aws_session_token|aws_security_token)[ \t]+`),
  { name: 'google-api-key', re: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g },
  { name: 'google-oauth-token', re: /\bya29\.[0-9A-Za-z_-]{20,}/g },
  { name: 'google-oauth-client-secret', re: /\bGOCSPX-[A-Za-z0-9_-]{20,}/g },
  { name: 'azure-key', re: /\b((?:Account|SharedAccess)Key=)([A-Za-z0-9+/]{20,}={0,2})/g, replace: keepPrefix },
  { name: 'azure-sas-signature', re: /([?&]sig=)([A-Za-z0-9%+/=]{16,})/g, replace: keepPrefix },
  { name: 'alibaba-access-key-id', re: /\bLTAI[A-Za-z0-9]{12,20}\b/g },
  { name: 'digitalocean-token', re: /\bdo[por]_v1_[a-f0-9]{64}\b/g },
  { name: 'databricks-token', re: /\bdapi[a-f0-9]{32}(?:-\d)?\b/g },
  { name: 'cloudflare-token', re: /\bcf(?:k|ut|at)_[A-Za-z0-9]{40}[0-9a-f]{8}\b/g },
  { name: 'vercel-token', re: /\bvc[pikar]_[A-Za-z0-9]{20,60}\b/g },
  { name: 'fly-token', re: /\bfo1_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g },
  { name: 'terraform-cloud-token', re: /\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}/g },
  { name: 'pulumi-token', re: /\bpul-[a-f0-9]{40}\b/g },
  { name: 'supabase-token', re: /\bsbp_[a-f0-9]{40}\b/g },
  { name: 'tailscale-key', re: /\btskey-[a-z]{2,20}-[0-9A-Za-z_]{8,40}-[0-9A-Za-z_]{16,60}\b/g },
  { name: 'doppler-token', re: /\bdp\.(?:st|ct|sa|scim|audit|pt)\.(?:[a-z0-9_-]{2,35}\.)?[A-Za-z0-9]{40,44}\b/g },
  { name: 'hashicorp-vault-token', re: /\bhv[sbr]\.[A-Za-z0-9_-]{24,}/g },
  // Code hosts and registries.
  { name: 'github-token', re: /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/g },
  { name: 'github-fine-grained-pat', re: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g },
  { name: 'gitlab-token', re: /\bgl(?:pat|dt|rt|ptt|cbt|ft|imt|soat|agent|oas)-[A-Za-z0-9_-]{20,}/g },
  { name: 'gitlab-runner-registration', re: /\bGR1348941[A-Za-z0-9_-]{20,}/g },
  { name: 'npm-token', re: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { name: 'pypi-token', re: /\bpypi-AgE[A-Za-z0-9_-]{50,}/g },
  { name: 'docker-pat', re: /\bdckr_pat_[A-Za-z0-9_-]{27,}/g },
  { name: 'huggingface-token', re: /\bhf_[A-Za-z0-9]{34,}\b/g },
  // Messaging, payments, SaaS.
  { name: 'slack-token', re: /\bxox[abposre]-[A-Za-z0-9-]{10,}/g },
  { name: 'slack-app-token', re: /\bxapp-\d-[A-Za-z0-9-]{10,}/g },
  { name: 'slack-webhook', re: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]+/g },
  { name: 'stripe-secret-key', re: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { name: 'stripe-webhook-secret', re: /\bwhsec_[A-Za-z0-9+/=]{24,}/g },
  { name: 'square-token', re: /\b(?:EAAA[A-Za-z0-9_-]{60}|sq0(?:atp|csp)-[A-Za-z0-9_-]{22,43})(?![A-Za-z0-9_-])/g },
  { name: 'shopify-token', re: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32,64}\b/g },
  { name: 'sendgrid-key', re: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/g },
  { name: 'mailgun-key', re: /(?<![\w-])(?:key-[0-9a-f]{32}|[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})\b/g },
  { name: 'twilio-api-key', re: /\bSK[0-9a-fA-F]{32}\b/g },
  // An auth token right after its account SID: `Client('AC…', '…')`, `AC…:…`.
  { name: 'twilio-auth-token', re: /(\bAC[0-9a-f]{32}\b['"]?\s*[,:]\s*['"]?)([0-9a-f]{32})\b/g, replace: keepPrefix },
  { name: 'telegram-bot-token', re: /(?<![0-9])[0-9]{8,10}:(?=[A-Za-z0-9_-]{0,34}[A-Za-z])[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])/g },
  { name: 'postman-key', re: /\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b/g },
  { name: 'sentry-token', re: /\bsntry[su]_[A-Za-z0-9+/=_]{40,}/g },
  { name: 'atlassian-token', re: /\bATATT3[A-Za-z0-9_=-]{100,}/g },
  { name: 'mapbox-secret', re: /\bsk\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/g },
  { name: 'linear-key', re: /\blin_api_[A-Za-z0-9_]{32,128}\b/g },
  { name: 'notion-token', re: /\b(?:ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})\b/g },
  { name: 'figma-token', re: /\bfigd_[A-Za-z0-9_-]{40,200}/g },
  { name: 'grafana-token', re: /\b(?:glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})/g },
  { name: 'onepassword-service-token', re: /\bops_eyJ[A-Za-z0-9+/=]{100,}/g },
  // AI providers.
  { name: 'anthropic-key', re: /\bsk-ant-(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,}/g },
  { name: 'openai-key', re: /\bsk-(?:proj-|svcacct-|admin-)?(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,}/g },
  { name: 'groq-key', re: /\bgsk_[A-Za-z0-9]{52}\b/g },
  // Keys and tokens without a vendor.
  { name: 'age-secret-key', re: /\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b/g },
  { name: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g },
  // Headers: `Authorization: <scheme> <credentials>` for any common scheme, and `Bearer …` anywhere.
  {
    name: 'authorization-header',
    re: /\b((?:Proxy-)?Authorization["']?\s*[:=]\s*["']?(?:Basic|Token|Bot|ApiKey|Api-Key|Key|SSWS|OAuth|Digest|GenieKey)\s+(?:token=)?)([A-Za-z0-9\-._~+/:]{8,}=*)/gi,
    // "Authorization: Token required" in prose is not a credential: require a digit or a symbol.
    replace: (m, prefix, token) => (/[^A-Za-z]/.test(token!) || token!.length >= 24 ? prefix + REDACTED : m),
  },
  {
    name: 'bearer-token',
    re: /\b(Bearer\s+)([A-Za-z0-9\-._~+/]{16,}=*)/gi,
    replace: (m, prefix, token) => (/[^A-Za-z]/.test(token!) ? prefix + REDACTED : m),
  },
  // Commands whose flags take a password: here any value that is not a placeholder is a secret, however weak.
  argAfter('mysql-password', String.raw`\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlshow|mysqlcheck|mysqlpump|mysqlsh|mariadb|mariadb-dump|mariadb-admin)\b${SAME_COMMAND}\s-p(?=\S)`),
  argAfter('sshpass-password', String.raw`\bsshpass\b${SAME_COMMAND}\s-p[ \t]*`),
  argAfter('registry-login-password', String.raw`\b(?:docker|podman|buildah|skopeo|nerdctl|oras|helm(?:\s+registry)?)\s+login\b${SAME_COMMAND}\s(?:-p|--password)(?:[ \t]+|=)`),
  argAfter('redis-cli-password', String.raw`\bredis-cli\b${SAME_COMMAND}\s(?:-a|--pass)[ \t]+`),
  argAfter('mongo-password', String.raw`\b(?:mongo|mongosh|mongodump|mongorestore|mongoexport|mongoimport)\b${SAME_COMMAND}\s(?:-p|--password)(?:[ \t]+|=)(?!-)`),
  argAfter('openssl-pass', String.raw`(?:^|\s)-(?:pass|passin|passout|password|k)[ \t]+pass:`),
  argAfter('keytool-password', String.raw`(?:^|\s)-(?:src|dest)?(?:store|key)pass[ \t]+`),
  argAfter('samba-user-password', String.raw`(?:^|\s)(?:-U|--user|--username)(?:[ \t]+|=)['"]?[^\s%'"/]{1,64}%`),
  {
    name: 'htpasswd-batch-password',
    re: /\b(htpasswd((?:[ \t]+-[A-Za-z]{1,8}){1,6})[ \t]+[^\s-]\S{0,255}[ \t]+\S{1,255}[ \t]+)("[^"\n]{1,512}"|'[^'\n]{1,512}'|[^\s'"|;&]{1,512})/g,
    replace: (m, prefix, flags, value) => (/-[A-Za-z]*b/.test(flags!) && isLiteralSecret(value!) ? prefix + REDACTED : m),
  },
  {
    name: 'curl-user-password',
    re: /((?:^|\s)(?:-u|--user)(?:\s+|=)['"]?)([^\s:'"]+):([^\s'"]+)/g,
    replace: (m, prefix, user, pass) => (isPlaceholder(pass!) ? m : `${prefix}${user}:${REDACTED}`),
  },
  // ~/.netrc: `machine host login me password …`.
  { name: 'netrc-password', re: /(\bmachine[ \t]+\S{1,255}(?:\s+(?:login|account|port)[ \t]+\S{1,255}){0,3}\s+password[ \t]+)(\S{1,512})/g, replace: keepPrefix },
];
