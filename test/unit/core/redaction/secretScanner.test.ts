import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { capText, looksLikeSecretValue, redactSecrets, REDACTED, safeText } from '../../../../src/core/redaction/secretScanner';

/** Deterministic fake token material (built at run time, so no token-shaped literal sits in the repo). */
function fake(n: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', seed = 'walkie'): string {
  let out = '';
  for (let i = 0; out.length < n; i++) {
    for (const b of createHash('sha256').update(`${seed}:${i}`).digest()) if (out.length < n) out += alphabet[b % alphabet.length];
  }
  return out;
}
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HEX = '0123456789abcdef';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const b64url = (s: string) => Buffer.from(s).toString('base64url');

/** [format, secret text]: each must disappear from the output. */
const FORMATS: Array<[string, string]> = [
  ['an AWS access key id', 'AKIA' + fake(16, UPPER_DIGITS)],
  ['a GitHub personal token (ghp_)', 'gh' + 'p_' + fake(36)],
  ['a GitHub OAuth token (gho_)', 'gh' + 'o_' + fake(36, undefined, 'gho')],
  ['a GitHub fine-grained token', 'github' + '_pat_' + fake(22) + '_' + fake(59, undefined, 'pat')],
  ['a Slack bot token', 'xo' + 'xb-' + fake(12, '0123456789') + '-' + fake(13, '0123456789', 's2') + '-' + fake(24)],
  ['a Slack webhook', 'https://hooks.slack.com/services/T' + fake(8, UPPER_DIGITS) + '/B' + fake(8, UPPER_DIGITS, 'b') + '/' + fake(24)],
  ['a Stripe live secret key', 'sk' + '_live_' + fake(24)],
  ['a Stripe webhook secret', 'wh' + 'sec_' + fake(32)],
  ['an Anthropic API key', 'sk' + '-ant-api03-' + fake(93, B64URL, 'ant') + 'AA'],
  ['an OpenAI project key', 'sk' + '-proj-' + fake(48, B64URL, 'oai')],
  ['an OpenAI legacy key', 'sk' + '-' + fake(48, undefined, 'legacy')],
  ['a Google API key', 'AI' + 'za' + fake(35, B64URL, 'goog')],
  ['a Google OAuth access token', 'ya' + '29.' + fake(60, B64URL, 'ya29')],
  ['a JWT', `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"1234567890","name":"A"}')}.${fake(43, B64URL, 'sig')}`],
  ['a GitLab token', 'gl' + 'pat-' + fake(20, B64URL, 'gl')],
  ['an npm token', 'np' + 'm_' + fake(36, undefined, 'npm')],
  ['a Hugging Face token', 'h' + 'f_' + fake(34, undefined, 'hf')],
  ['a SendGrid key', 'S' + 'G.' + fake(22, B64URL, 'sg1') + '.' + fake(43, B64URL, 'sg2')],
  ['a DigitalOcean token', 'do' + 'p_v1_' + fake(64, HEX, 'do')],
  ['a Shopify token', 'sh' + 'pat_' + fake(32, HEX, 'shop')],
  ['a PyPI token', 'py' + 'pi-AgEIcHlwaS5vcmc' + fake(60, B64URL, 'pypi')],
];

describe('redactSecrets', () => {
  for (const [name, secret] of FORMATS) {
    it(`redacts ${name}`, () => {
      const r = redactSecrets(`before ${secret} after`);
      assert.equal(r.text, `before ${REDACTED} after`);
      assert.equal(r.redactions, 1);
    });
  }

  it('has at least fifteen token formats', () => {
    assert.ok(FORMATS.length >= 15);
  });

  it('redacts the token of a bearer header but keeps the header', () => {
    const tok = fake(40, B64URL, 'bearer');
    assert.equal(redactSecrets(`curl -H "Authorization: Bearer ${tok}" x`).text, `curl -H "Authorization: Bearer ${REDACTED}" x`);
  });

  it('redacts basic auth, curl -u and Azure account keys', () => {
    const basic = Buffer.from('admin:' + fake(12)).toString('base64');
    assert.equal(redactSecrets(`Authorization: Basic ${basic}`).text, `Authorization: Basic ${REDACTED}`);
    assert.equal(redactSecrets(`curl -u admin:${fake(12, undefined, 'u')} https://x.test`).text, `curl -u admin:${REDACTED} https://x.test`);
    const azure = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${fake(86)}==;EndpointSuffix=core.windows.net`;
    assert.equal(redactSecrets(azure).text, `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${REDACTED};EndpointSuffix=core.windows.net`);
  });

  it('redacts the password of a URL with credentials, once', () => {
    const pass = fake(14, undefined, 'pw');
    assert.deepEqual(redactSecrets(`git clone https://alice:${pass}@git.example.com/r.git`), {
      text: `git clone https://alice:${REDACTED}@git.example.com/r.git`,
      redactions: 1,
    });
    const tok = 'gh' + 'p_' + fake(36, undefined, 'url');
    assert.deepEqual(redactSecrets(`postgres://x-access-token:${tok}@db:5432/app`), { text: `postgres://x-access-token:${REDACTED}@db:5432/app`, redactions: 1 });
  });

  it('redacts a PEM private key block, whole', () => {
    const body = fake(64, B64URL + '+/', 'pem').match(/.{1,32}/g)!.join('\n');
    for (const label of ['RSA PRIVATE KEY', 'PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'EC PRIVATE KEY', 'PGP PRIVATE KEY BLOCK']) {
      const pem = `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
      const r = redactSecrets(`key:\n${pem}\ndone`);
      assert.equal(r.text, `key:\n${REDACTED}\ndone`, label);
    }
    // JSON-escaped (a service-account file) and cut off before the END line.
    assert.equal(redactSecrets(`"private_key": "-----BEGIN PRIVATE KEY-----\\n${fake(40)}\\n-----END PRIVATE KEY-----\\n"`).text, `"private_key": "${REDACTED}\\n"`);
    assert.equal(redactSecrets(`x -----BEGIN PRIVATE KEY-----\n${fake(40)}`).text, `x ${REDACTED}`);
  });

  it('redacts high-entropy values assigned to secret-named keys', () => {
    const cases: Array<[string, string]> = [
      ['PASSWORD=hunter2abc', `PASSWORD=${REDACTED}`],
      ['secret: "x9Kp2mQ7vR4tL8wZ"', `secret: "${REDACTED}"`],
      ['{"token": "a1b2c3d4e5f6g7h8i9j0"}', `{"token": "${REDACTED}"}`],
      [`export AWS_SECRET_ACCESS_KEY=${fake(40, B64URL.slice(0, 62) + '+/', 'aws')}`, `export AWS_SECRET_ACCESS_KEY=${REDACTED}`],
      ["db.password = 'S3cure!Passw0rd'", `db.password = '${REDACTED}'`],
      ["client_secret => 'AbC123xYz789LmN0'", `client_secret => '${REDACTED}'`],
      ['mytool --api-key 8f14e45fceea167a5a36dedd4bea2543 run', `mytool --api-key ${REDACTED} run`],
      ['apiKey: q8Zx0LmP3vN7', `apiKey: ${REDACTED}`],
      ['password: str = "S3cure!Passw0rd"', `password: str = "${REDACTED}"`],
      ['const apiToken: string = "Zq81Lm0Px7Rt2Kv9";', `const apiToken: string = "${REDACTED}";`],
    ];
    for (const [input, expected] of cases) assert.equal(redactSecrets(input).text, expected, input);
  });

  it('redacts the password forms of the security issue, keeping the command readable', () => {
    const pw = 'Maple' + fake(8, undefined, 'pw9') + '!';
    const cases: Array<[string, string]> = [
      [`mysql -u root -p${pw} shop`, `mysql -u root -p${REDACTED} shop`],
      [`mysqldump -u backup -p'${pw}' --all-databases`, `mysqldump -u backup -p${REDACTED} --all-databases`],
      [`sshpass -p '${pw}' ssh deploy@host`, `sshpass -p ${REDACTED} ssh deploy@host`],
      [`docker login -u ci -p ${pw} registry.example.com`, `docker login -u ci -p ${REDACTED} registry.example.com`],
      [`DB_PASS=${pw}`, `DB_PASS=${REDACTED}`],
      ['DB_PASSWORD=correcthorsebatterystaple', `DB_PASSWORD=${REDACTED}`],
      [`curl -H "Authorization: Token ${fake(40, HEX, 'tok')}" x`, `curl -H "Authorization: Token ${REDACTED}" x`],
      [`aws configure set aws_secret_access_key ${fake(40, undefined, 'aws2')}`, `aws configure set aws_secret_access_key ${REDACTED}`],
      [`rediss://:${pw}@cache:6380`, `rediss://:${REDACTED}@cache:6380`],
      [`export VAULT_TOKEN=${'hv' + 's.' + fake(95, B64URL, 'vault')}`, `export VAULT_TOKEN=${REDACTED}`],
      [`${'AGE-SECRET' + '-KEY-1'}${fake(58, 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 'age')}`, REDACTED],
      [`twilio ${'S' + 'K' + fake(32, HEX, 'tw')}`, `twilio ${REDACTED}`],
      [`mailgun ${'ke' + 'y-' + fake(32, HEX, 'mg')}`, `mailgun ${REDACTED}`],
      [`https://api.telegram.org/bot${'12345' + '6789'}:AA${fake(33, B64URL, 'tg')}/getMe`, `https://api.telegram.org/bot${REDACTED}/getMe`],
      [`PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\n${fake(64, B64URL, 'ppk')}\nPrivate-MAC: ${fake(64, HEX, 'mac')}\nnext`, `${REDACTED}\nnext`],
    ];
    for (const [input, expected] of cases) assert.equal(redactSecrets(input).text, expected, input);
  });

  it('leaves password prompts, references and placeholders alone', () => {
    for (const line of ['mysql -u root -p shop', 'mysql -h db -P 3306 -u app -p', 'sshpass -e ssh deploy@host', 'docker login -u alice --password-stdin ghcr.io',
      'docker login -u ci -p "$CI_REGISTRY_PASSWORD" registry', 'postgres://app:$DB_PASS@db/app', 'rediss://:${REDIS_PASSWORD}@cache:6380', 'mysql://root:****@localhost/shop',
      'curl -u "$USER:$TOKEN" https://api.example.com', 'gpg --list-secret-keys --keyid-format=long', 'PASSWORD_FILE=/run/secrets/db_password', 'DB_PASSWORD=changeme',
      'docker run -p 8080:80 nginx', 'ssh -p 2222 deploy@host', 'Authorization: Token <your-token>', 'aws configure set region us-east-1']) {
      assert.deepEqual(redactSecrets(line), { text: line, redactions: 0 }, line);
    }
  });

  it('leaves ordinary code and prose alone', () => {
    const lines = [
      'Fixed in commit 3f2a9c1d4e5b6a7f8091a2b3c4d5e6f708192a3b, see the PR.',
      'password: see docs',
      'Session 123e4567-e89b-12d3-a456-426614174000 started at 10:42.',
      'const token = tokens[i];',
      'const password = getPassword();',
      'password_hash = bcrypt_hash(password)',
      'secret_key = settings.SECRET_KEY',
      "token_url = 'https://example.com/oauth/token'",
      'export DB_PASSWORD=$DB_PASSWORD',
      'api_key: ${API_KEY}',
      'credentials: ~/.aws/credentials',
      "token_type = 'access_token'",
      'max_tokens = 4096',
      'if (token === undefined) return;',
      'Bearer authentication is used here.',
      'npm install --save-dev typescript',
      'sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'SECRET_FILE=config/secrets.json',
      "password = '<your password here>'",
      'Set the `token` option to your API token.',
      'authorization: required',
      'See https://github.com/owner/repo/pull/123 and mail user@example.com',
      'git clone ssh://git@github.com/owner/repo.git',
      'const accessKeyId = process.env.AWS_ACCESS_KEY_ID;',
      'The task-runner handles desk-top layouts.',
      'tokens_used: 12345678',
      'if token == "abc123def456": pass',
      'password: Optional[str] = None',
    ];
    for (const line of lines) assert.deepEqual(redactSecrets(line), { text: line, redactions: 0 }, line);
  });

  it('counts every redaction in a longer text', () => {
    const text = `a ${FORMATS[0]![1]} b ${FORMATS[1]![1]}\nPASSWORD=hunter2abc\nc ${FORMATS[11]![1]}`;
    const r = redactSecrets(text);
    assert.equal(r.redactions, 4);
    for (const i of [0, 1, 11]) assert.ok(!r.text.includes(FORMATS[i]![1]));
  });

  it('stays fast on pathological input', () => {
    // Long runs that almost match (a catastrophic backtracking bug would time the test out).
    for (const s of ['a'.repeat(200_000), `password${'='.repeat(100_000)}`, `x${'-'.repeat(100_000)}PRIVATE KEY`, `${'ab_'.repeat(60_000)}: x`, `"${'\\'.repeat(50_000)}`,
      'a:'.repeat(100_000), 'token:a=b '.repeat(20_000), 'http://a:'.repeat(30_000), 'mysql -u x '.repeat(20_000), 'PuTTY-User-Key-File-2: '.repeat(10_000), 'machine x '.repeat(20_000)]) {
      assert.equal(typeof redactSecrets(s).text, 'string');
    }
  });
});

describe('looksLikeSecretValue', () => {
  it('needs eight characters, mixed classes and some entropy', () => {
    assert.equal(looksLikeSecretValue('hunter2'), false);
    assert.equal(looksLikeSecretValue('aaaaaaa1'), false);
    assert.equal(looksLikeSecretValue('letters-only_words'), false);
    assert.equal(looksLikeSecretValue('12345678'), false);
    assert.equal(looksLikeSecretValue('hunter2abc'), true);
    assert.equal(looksLikeSecretValue('"with space 123"'), false);
  });
});

describe('capText', () => {
  it('returns text within the limit unchanged', () => {
    assert.equal(capText('hello', 5), 'hello');
    assert.equal(capText('', 0), '');
  });

  it('cuts long text and says how much was cut', () => {
    const text = 'x'.repeat(1000);
    const out = capText(text, 100);
    assert.ok(out.length <= 100);
    const m = /… \[truncated (\d+) chars\]$/.exec(out);
    assert.ok(m, out);
    assert.equal(Number(m[1]), text.length - out.indexOf('…'));
  });

  it('never exceeds the limit, across lengths where the count gains a digit', () => {
    for (const max of [30, 31, 40, 64, 300]) {
      for (const len of [max + 1, max + 9, max + 10, max + 99, max + 100, max + 1000]) {
        const out = capText('y'.repeat(len), max);
        assert.ok(out.length <= max, `${len}→${max}: ${out.length}`);
        const n = Number(/(\d+) chars\]$/.exec(out)![1]);
        assert.equal(out.indexOf('…') + n, len);
      }
    }
  });

  it('does not split a surrogate pair', () => {
    const text = '😀'.repeat(100);
    const out = capText(text, 51);
    const kept = out.slice(0, out.indexOf('…'));
    assert.equal(kept.length % 2, 0);
  });

  it('falls back to a plain cut when the limit is smaller than the marker', () => {
    assert.equal(capText('abcdefghij', 4), 'abcd');
  });
});

describe('safeText', () => {
  it('redacts and caps, counting the cut against the original length', () => {
    const secret = 'gh' + 'p_' + fake(36, undefined, 'safe');
    const text = `token ${secret} ` + 'z'.repeat(1_000_000);
    const out = safeText(text, 200);
    assert.ok(out.length <= 200);
    assert.ok(!out.includes(secret));
    assert.ok(out.startsWith(`token ${REDACTED} `));
    const n = Number(/(\d+) chars\]$/.exec(out)![1]);
    assert.ok(n > 999_000);
  });

  it('redacts a private key that starts before the cut and ends after it', () => {
    const out = safeText(`-----BEGIN PRIVATE KEY-----\n${fake(100_000)}\n-----END PRIVATE KEY-----`, 100);
    assert.ok(out.startsWith(REDACTED), out);
  });
});
