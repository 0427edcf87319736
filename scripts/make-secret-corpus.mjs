// Writes test/fixtures/secrets/corpus.json: real-SHAPED but fake secrets in the places they turn up in an
// agent's chat and commands, and harmless look-alikes that a scanner must leave alone. Every secret is made
// here from crypto randomness (never Math.random, never a real credential); each run makes new ones.
//   node scripts/make-secret-corpus.mjs
// At rest a positive's text holds `{{SECRET}}` and the secret itself is base64 (`secret_b64`), so the file
// holds no token-shaped literal for a repository scanner or push protection to trip on (the unit tests build
// their tokens at run time for the same reason). test/fixtures/secrets/secretCorpus.ts puts them back.
import { randomInt, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'test/fixtures/secrets/corpus.json');

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';
const AN = UPPER + LOWER + DIGITS;
const UD = UPPER + DIGITS;
const HEX = '0123456789abcdef';
const B64 = AN + '+/';
const B64URL = AN + '-_';
const BECH32 = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';
/** n characters drawn uniformly from `alphabet` with crypto randomness; retried until it has a digit and a letter when both are in the alphabet (as real tokens almost always do). */
function r(n, alphabet = AN) {
  for (;;) {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
    const wantsMix = /\d/.test(alphabet) && /[A-Za-z]/.test(alphabet) && n >= 8;
    if (!wantsMix || (/\d/.test(s) && /[A-Za-z]/.test(s))) return s;
  }
}
const b64 = (s) => Buffer.from(s).toString('base64');
const b64url = (s) => Buffer.from(s).toString('base64url');
const wrap = (s, width) => s.match(new RegExp(`.{1,${width}}`, 'g')).join('\n');
/** A human-made password: words, digits and a symbol, the kind that leaks in `-p…` flags. */
const WORDS = ['Summer', 'tiger', 'Orange', 'maple', 'Falcon', 'river', 'Copper', 'delta', 'Winter', 'lotus', 'Pepper', 'nova'];
const SYMBOLS = '!@#%^&*+?';
const human = () => `${WORDS[randomInt(WORDS.length)]}${WORDS[randomInt(WORDS.length)].toLowerCase()}${randomInt(10, 9999)}${SYMBOLS[randomInt(SYMBOLS.length)]}`;
const plainPw = () => r(randomInt(10, 20), AN + '!#%+=');

const positives = [];
const negatives = [];
/** A secret `secret` inside `text` (written with `{{SECRET}}` where it goes). */
const pos = (kind, text, secret) => positives.push({ kind, text, secret });
const neg = (kind, text) => negatives.push({ kind, text });

// ── Positives ───────────────────────────────────────────────────────────────────────────────────────
// Password flags and shell forms named in the issue.
pos('mysql -p', 'mysql -u root -p{{SECRET}} shop', human());
pos('mysql -p', 'mysql -h db.internal -uapp -p{{SECRET}} -e "select 1"', plainPw());
pos('mysql -p', "mysqldump -u backup -p'{{SECRET}}' --all-databases > all.sql", human());
pos('mysql -p', 'mysqladmin -uroot -p{{SECRET}} status', r(12));
pos('mysql --password', 'mysql --user=root --password={{SECRET}} shop', human());
pos('mysql --password', 'mariadb -u root --password {{SECRET}} -D shop', plainPw());
pos('sshpass -p', 'sshpass -p {{SECRET}} ssh deploy@10.0.0.12', human());
pos('sshpass -p', "sshpass -p '{{SECRET}}' scp build.tar.gz ops@web1:/srv", plainPw());
pos('sshpass -p', 'sshpass -p"{{SECRET}}" rsync -a dist/ pi@raspberrypi:/var/www', human());
pos('docker login -p', 'docker login -u ci-bot -p {{SECRET}} registry.example.com', r(24));
pos('docker login -p', 'docker login registry.gitlab.com -u deploy -p {{SECRET}}', human());
pos('docker login --password', 'docker login --username alice --password {{SECRET}} ghcr.io', r(20));
pos('docker login --password', 'podman login -u bob --password={{SECRET}} quay.io', plainPw());
pos('redis-cli -a', 'redis-cli -h cache.internal -a {{SECRET}} PING', r(32));
pos('redis-cli -a', 'redis-cli -a "{{SECRET}}" --no-auth-warning info', human());
pos('PGPASSWORD', 'PGPASSWORD={{SECRET}} psql -h db -U app app', human());
pos('PGPASSWORD', 'PGPASSWORD="{{SECRET}}" pg_dump -h db -U admin prod > prod.sql', plainPw());
pos('openssl pass:', 'openssl pkcs12 -export -in cert.pem -inkey key.pem -out cert.p12 -passout pass:{{SECRET}}', human());
pos('openssl pass:', 'openssl rsa -in enc.key -out dec.key -passin pass:{{SECRET}}', plainPw());
pos('htpasswd -b', 'htpasswd -b -c /etc/nginx/.htpasswd admin {{SECRET}}', human());
pos('smbclient -U user%pass', 'smbclient //files/share -U alice%{{SECRET}}', human());
pos('curl -u', 'curl -u admin:{{SECRET}} https://jenkins.example.com/api/json', human());
pos('curl -u', "curl --user 'api:{{SECRET}}' https://api.mailgun.net/v3/example.com/messages", 'key-' + r(32, HEX));
pos('wget --password', 'wget --user=ci --password={{SECRET}} https://files.example.com/build.zip', plainPw());
pos('mongosh -p', 'mongosh "mongodb://db:27017" -u admin -p {{SECRET}} --authenticationDatabase admin', human());
pos('--password flag', 'vault login -method=userpass username=ops password={{SECRET}}', human());
pos('--password flag', 'helm repo add corp https://charts.example.com --username ci --password {{SECRET}}', r(28));
pos('--password flag', 'npx prisma db push --db-password {{SECRET}}', human());
pos('--token flag', 'gh auth login --with-token <<< {{SECRET}}', 'gh' + 'p_' + r(36));
pos('--token flag', 'terraform login --token {{SECRET}}', r(14) + '.atlasv1.' + r(60));
pos('--token flag', 'kubectl --token={{SECRET}} get pods', r(60, B64URL));
pos('--token flag', 'vercel deploy --prod --token {{SECRET}}', r(24));
pos('--secret flag', 'twilio login --api-key SK{{SECRET}}', r(32, HEX));
pos('--api-secret flag', 'twilio profiles:create --api-key SK0a1b2c3d4e5f60718293a4b5c6d7e8f9 --api-secret {{SECRET}}', r(32));
pos('keytool -storepass', 'keytool -list -keystore release.jks -storepass {{SECRET}}', human());
pos('aws configure set', 'aws configure set aws_secret_access_key {{SECRET}}', r(40, B64));
pos('aws configure set', 'aws configure set aws_secret_access_key {{SECRET}} --profile prod', r(40, B64));
pos('aws configure set', 'aws configure set aws_session_token {{SECRET}}', 'IQoJb3JpZ2luX2Vj' + r(200, B64));
pos('aws credentials file', '[default]\naws_access_key_id = AKIA' + r(16, UD) + '\naws_secret_access_key = {{SECRET}}', r(40, B64));
pos('aws env', 'export AWS_SECRET_ACCESS_KEY="{{SECRET}}"', r(40, B64));

// Assignments (.env, YAML, JSON, code).
pos('DB_PASS=', 'DB_PASS={{SECRET}}', human());
pos('DB_PASS=', 'export DB_PASS={{SECRET}}', plainPw());
pos('DB_PASS=', 'DB_PASS="{{SECRET}}" npm run migrate', human());
pos('DB_PASSWD=', 'DB_PASSWD={{SECRET}}', r(16));
pos('MYSQL_ROOT_PASSWORD=', 'docker run -d -e MYSQL_ROOT_PASSWORD={{SECRET}} mysql:8', human());
pos('POSTGRES_PASSWORD=', 'POSTGRES_PASSWORD={{SECRET}}', r(24));
pos('PASS=', 'SMTP_PASS={{SECRET}}', plainPw());
pos('PASS=', 'FTP_PASS={{SECRET}}', human());
pos('PWD=', 'ADMIN_PWD={{SECRET}}', human());
pos('password letters only', 'DB_PASSWORD={{SECRET}}', 'correcthorsebatterystaple');
pos('password letters only', 'REDIS_PASSWORD={{SECRET}}', 'Trombonepelicanmarble');
pos('yaml password', 'database:\n  user: app\n  password: {{SECRET}}\n  host: db', human());
pos('yaml password', 'spring.datasource.password={{SECRET}}', plainPw());
pos('json password', '{"username": "admin", "password": "{{SECRET}}"}', human());
pos('json secret', '{"client_id": "web", "client_secret": "{{SECRET}}"}', r(40, B64URL));
pos('secret key base', 'SECRET_KEY_BASE={{SECRET}}', r(128, HEX));
pos('django secret key', "SECRET_KEY = '{{SECRET}}'", 'django-insecure-' + r(50, LOWER + DIGITS + '!@#$%^&*(-_=+)'));
pos('jwt secret', 'JWT_SECRET={{SECRET}}', r(48, B64));
pos('api key assignment', 'const apiKey = "{{SECRET}}";', r(32));
pos('api key assignment', "OPENWEATHER_API_KEY='{{SECRET}}'", r(32, HEX));
pos('twilio auth token', 'TWILIO_AUTH_TOKEN={{SECRET}}', r(32, HEX));
pos('mailgun key', 'MAILGUN_API_KEY={{SECRET}}', 'key-' + r(32, HEX));
pos('heroku api key', 'HEROKU_API_KEY={{SECRET}}', randomUUID());
pos('npmrc authToken', '//registry.npmjs.org/:_authToken={{SECRET}}', 'np' + 'm_' + r(36));
pos('npmrc authToken legacy', '//registry.npmjs.org/:_authToken={{SECRET}}', randomUUID());
pos('npmrc _auth', '_auth={{SECRET}}', b64('ci:' + human()));
pos('pypirc password', '[pypi]\nusername = __token__\npassword = {{SECRET}}', 'py' + 'pi-AgEIcHlwaS5vcmc' + r(120, B64URL));
pos('docker config auth', '{"auths": {"https://index.docker.io/v1/": {"auth": "{{SECRET}}"}}}', b64('alice:' + human()));
pos('netrc', 'machine api.heroku.com\n  login me@example.com\n  password {{SECRET}}', randomUUID());
pos('git credential', 'git config --global credential.helper store && echo "https://bob:{{SECRET}}@github.com" >> ~/.git-credentials', 'gh' + 'p_' + r(36));

// Headers.
pos('Authorization: Token', 'curl -H "Authorization: Token {{SECRET}}" https://api.example.com/v1/me', r(40, HEX));
pos('Authorization: Token', 'Authorization: Token token={{SECRET}}', r(32));
pos('Authorization: token', 'curl -H "Authorization: token {{SECRET}}" https://api.github.com/user', 'gh' + 'o_' + r(36));
pos('Authorization: Bearer', "fetch(url, { headers: { Authorization: 'Bearer {{SECRET}}' } })", r(64, B64URL));
pos('Authorization: Basic', 'Authorization: Basic {{SECRET}}', b64('deploy:' + human()));
pos('Authorization: Bot', 'Authorization: Bot {{SECRET}}', b64url(String(randomInt(1e9, 2 ** 47))) + '.' + r(6, B64URL) + '.' + r(38, B64URL));
pos('X-API-Key', 'curl -H "X-API-Key: {{SECRET}}" https://api.example.com', r(32));
pos('X-Auth-Token', 'X-Auth-Token: {{SECRET}}', r(40, HEX));
pos('api-key header', "curl https://api.openai.example -H 'api-key: {{SECRET}}'", r(32, HEX));
pos('PRIVATE-TOKEN', 'curl --header "PRIVATE-TOKEN: {{SECRET}}" https://gitlab.example.com/api/v4/projects', 'gl' + 'pat-' + r(20, B64URL));

// URLs with credentials and connection strings.
pos('basic-auth url', 'git clone https://alice:{{SECRET}}@git.example.com/team/app.git', human());
pos('basic-auth url', 'pip install --index-url https://__token__:{{SECRET}}@pypi.example.com/simple pkg', r(32));
pos('basic-auth url', 'ftp://upload:{{SECRET}}@ftp.example.com/incoming/', plainPw());
pos('basic-auth url', 'http://admin:{{SECRET}}@192.168.1.1/cgi-bin/status', human());
pos('postgres url', 'DATABASE_URL=postgres://app:{{SECRET}}@db.internal:5432/app', r(24));
pos('postgres url', 'psql "postgresql://admin:{{SECRET}}@localhost/prod?sslmode=require"', human());
pos('mysql url', 'mysql://root:{{SECRET}}@127.0.0.1:3306/shop', plainPw());
pos('mongodb url', 'mongodb+srv://app:{{SECRET}}@cluster0.ab1cd.mongodb.net/test?retryWrites=true', r(16));
pos('redis url no user', 'REDIS_URL=redis://:{{SECRET}}@cache.internal:6379/0', r(32));
pos('rediss url no user', 'rediss://:{{SECRET}}@redis-12345.c1.cloud.example.com:6380', r(24));
pos('rediss url no user', 'celery -A app worker --broker rediss://:{{SECRET}}@cache:6380/1', human());
pos('amqp url', 'amqp://guest:{{SECRET}}@rabbit:5672/vhost', human());
pos('url password with symbols', 'postgres://app:{{SECRET}}@db/app', r(8) + '%21' + r(6) + '~' + r(4));
pos('ado.net', 'Server=tcp:db.example.com,1433;Database=app;User Id=sa;Password={{SECRET}};Encrypt=true', human());
pos('ado.net', 'Host=db;Username=app;Password={{SECRET}};Database=app', plainPw());
pos('jdbc', 'jdbc:mysql://db:3306/app?user=root&password={{SECRET}}&useSSL=false', human());
pos('azure storage', 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={{SECRET}};EndpointSuffix=core.windows.net', r(86, B64) + '==');
pos('azure sas', 'https://acct.blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01&sig={{SECRET}}', r(43, B64).replace(/\+/g, '%2B').replace(/\//g, '%2F') + '%3D');

// Provider token formats.
pos('aws access key id', 'export AWS_ACCESS_KEY_ID={{SECRET}}', 'AKIA' + r(16, UD));
pos('aws access key id', 'The key {{SECRET}} was used from 203.0.113.7', 'ASIA' + r(16, UD));
pos('github classic', 'GITHUB_TOKEN={{SECRET}}', 'gh' + 'p_' + r(36));
pos('github classic', 'remote: using {{SECRET}} for push', 'gh' + 's_' + r(36));
pos('github classic', 'token: {{SECRET}}', 'gh' + 'u_' + r(36));
pos('github fine-grained', 'echo {{SECRET}} | gh auth login --with-token', 'github' + '_pat_' + r(22) + '_' + r(59));
pos('github fine-grained', 'GH_TOKEN={{SECRET}} gh pr list', 'github' + '_pat_' + r(22) + '_' + r(59));
pos('gitlab pat', 'git remote set-url origin https://oauth2:{{SECRET}}@gitlab.com/g/p.git', 'gl' + 'pat-' + r(20, B64URL));
pos('gitlab pat', 'The token is {{SECRET}}', 'gl' + 'pat-' + r(26, B64URL));
pos('gitlab runner', 'gitlab-runner register --token {{SECRET}}', 'gl' + 'rt-' + r(20, B64URL));
pos('gitlab deploy', 'CI_DEPLOY_TOKEN={{SECRET}}', 'gl' + 'dt-' + r(20, B64URL));
pos('slack bot', 'SLACK_BOT_TOKEN={{SECRET}}', 'xo' + 'xb-' + r(12, DIGITS) + '-' + r(13, DIGITS) + '-' + r(24));
pos('slack user', 'token {{SECRET}} posted to #general', 'xo' + 'xp-' + r(12, DIGITS) + '-' + r(12, DIGITS) + '-' + r(13, DIGITS) + '-' + r(32, HEX));
pos('slack app', 'SLACK_APP_TOKEN={{SECRET}}', 'xa' + 'pp-1-A' + r(10, UD) + '-' + r(13, DIGITS) + '-' + r(64, HEX));
pos('slack webhook', 'curl -X POST -d @msg.json {{SECRET}}', 'https://hooks.slack.com/services/T' + r(8, UD) + '/B' + r(10, UD) + '/' + r(24));
pos('stripe', 'STRIPE_SECRET_KEY={{SECRET}}', 'sk' + '_live_' + r(99));
pos('stripe', 'stripe.api_key = "{{SECRET}}"', 'sk' + '_test_' + r(24));
pos('stripe restricted', 'using {{SECRET}}', 'rk' + '_live_' + r(24));
pos('stripe webhook', 'endpoint_secret = "{{SECRET}}"', 'wh' + 'sec_' + r(32));
pos('openai project', 'OPENAI_API_KEY={{SECRET}}', 'sk' + '-proj-' + r(74, B64URL) + 'T3BlbkFJ' + r(74, B64URL));
pos('openai project', 'client = OpenAI(api_key="{{SECRET}}")', 'sk' + '-proj-' + r(58, B64URL) + 'T3BlbkFJ' + r(58, B64URL));
pos('openai legacy', 'openai.api_key = {{SECRET}}', 'sk' + '-' + r(20) + 'T3BlbkFJ' + r(20));
pos('openai service account', 'key {{SECRET}}', 'sk' + '-svcacct-' + r(58, B64URL) + 'T3BlbkFJ' + r(58, B64URL));
pos('anthropic', 'ANTHROPIC_API_KEY={{SECRET}}', 'sk' + '-ant-api03-' + r(93, B64URL) + 'AA');
pos('anthropic', 'claude --api-key {{SECRET}}', 'sk' + '-ant-api03-' + r(93, B64URL) + 'AA');
pos('anthropic admin', 'x-api-key: {{SECRET}}', 'sk' + '-ant-admin01-' + r(93, B64URL) + 'AA');
pos('google api key', 'https://maps.googleapis.com/maps/api/geocode/json?address=x&key={{SECRET}}', 'AI' + 'za' + r(35, B64URL));
pos('google api key', 'GOOGLE_API_KEY={{SECRET}}', 'AI' + 'za' + r(35, B64URL));
pos('google oauth token', 'access token {{SECRET}}', 'ya' + '29.' + r(120, B64URL));
pos('google client secret', '"client_secret":"{{SECRET}}"', 'GOCSPX-' + r(28, B64URL));
pos('gcp service account', '{"type": "service_account", "private_key_id": "' + r(40, HEX) + '", "private_key": "{{SECRET}}"}', '-----BEGIN PRIVATE KEY-----\\n' + wrap('MIIEv' + r(120, B64), 64).replace(/\n/g, '\\n') + '\\n-----END PRIVATE KEY-----\\n');
pos('npm token', 'NPM_TOKEN={{SECRET}} npm publish', 'np' + 'm_' + r(36));
pos('npm token', 'npm config set //registry.npmjs.org/:_authToken {{SECRET}}', 'np' + 'm_' + r(36));
pos('pypi token', 'twine upload -u __token__ -p {{SECRET}} dist/*', 'py' + 'pi-AgEIcHlwaS5vcmc' + r(120, B64URL));
pos('huggingface', 'huggingface-cli login --token {{SECRET}}', 'h' + 'f_' + r(34, UPPER + LOWER));
pos('sendgrid', 'SENDGRID_API_KEY={{SECRET}}', 'S' + 'G.' + r(22, B64URL) + '.' + r(43, B64URL));
pos('digitalocean', 'doctl auth init -t {{SECRET}}', 'do' + 'p_v1_' + r(64, HEX));
pos('shopify', 'X-Shopify-Access-Token: {{SECRET}}', 'sh' + 'pat_' + r(32, HEX));
pos('vault hvs', 'export VAULT_TOKEN={{SECRET}}', 'hv' + 's.' + r(95, B64URL));
pos('vault hvs', 'vault login {{SECRET}}', 'hv' + 's.' + r(24));
pos('vault hvs', 'Token: {{SECRET}} (renewable)', 'hv' + 's.CAESI' + r(100, B64URL));
pos('vault hvb', 'batch token {{SECRET}}', 'hv' + 'b.AAAAAQ' + r(140, B64URL));
pos('vault legacy', 'VAULT_TOKEN={{SECRET}}', 's.' + r(24));
pos('age secret key', 'AGE-SECRET-KEY-1{{SECRET}}', r(58, BECH32));
pos('age secret key', '# created: 2024-05-01T10:00:00Z\n# public key: age1' + r(58, BECH32.toLowerCase()) + '\nAGE-SECRET-KEY-1{{SECRET}}', r(58, BECH32));
pos('twilio api key sid', 'TWILIO_API_KEY={{SECRET}}', 'SK' + r(32, HEX));
pos('twilio api key sid', 'using Twilio key {{SECRET}} for SMS', 'SK' + r(32, HEX));
pos('twilio auth token', "client = Client('AC" + r(32, HEX) + "', '{{SECRET}}')", r(32, HEX));
pos('mailgun key', 'mailgun key {{SECRET}}', 'key-' + r(32, HEX));
pos('mailgun key', "requests.post(url, auth=('api', '{{SECRET}}'))", 'key-' + r(32, HEX));
pos('mailgun new key', 'MAILGUN_KEY={{SECRET}}', r(32, HEX) + '-' + r(8, HEX) + '-' + r(8, HEX));
pos('telegram bot', 'curl https://api.telegram.org/bot{{SECRET}}/getUpdates', randomInt(100000000, 9999999999) + ':AA' + r(33, B64URL));
pos('telegram bot', 'TELEGRAM_BOT_TOKEN={{SECRET}}', randomInt(100000000, 9999999999) + ':AA' + r(33, B64URL));
pos('telegram bot', 'bot = telebot.TeleBot("{{SECRET}}")', randomInt(100000000, 9999999999) + ':AA' + r(33, B64URL));
pos('telegram bot', 'the bot token is {{SECRET}}', randomInt(1000000000, 9999999999) + ':AA' + r(33, B64URL));
pos('jwt', 'id_token={{SECRET}}', `${b64url('{"alg":"RS256","typ":"JWT"}')}.${b64url(`{"sub":"${randomInt(1e6)}","exp":1900000000}`)}.${r(86, B64URL)}`);
pos('jwt', 'curl -b "session={{SECRET}}" https://app.example.com', `${b64url('{"alg":"HS256"}')}.${b64url('{"user":"alice","role":"admin"}')}.${r(43, B64URL)}`);
pos('jwt', 'cookie: {{SECRET}}', `${b64url('{"typ":"JWT","alg":"ES256"}')}.${b64url('{"iss":"https://auth.example.com"}')}.${r(86, B64URL)}`);
pos('1password service', 'OP_SERVICE_ACCOUNT_TOKEN={{SECRET}}', 'ops_' + b64(`{"signInAddress":"my.1password.com","userAuth":{"method":"SRPg-4096","alg":"PBES2g-HS256","iterations":650000,"salt":"${r(22)}"},"email":"${r(12, LOWER)}@1passwordserviceaccounts.com","srpX":"${r(64, HEX)}"}`));
pos('databricks', 'DATABRICKS_TOKEN={{SECRET}}', 'dapi' + r(32, HEX));
pos('databricks', 'databricks configure --token {{SECRET}}', 'dapi' + r(32, HEX) + '-2');
pos('docker pat', 'echo {{SECRET}} | docker login -u alice --password-stdin', 'dckr' + '_pat_' + r(27, B64URL));
pos('figma', 'FIGMA_TOKEN={{SECRET}}', 'fig' + 'd_' + r(40, B64URL));
pos('groq', 'GROQ_API_KEY={{SECRET}}', 'gs' + 'k_' + r(52));
pos('grafana cloud', 'grafana token {{SECRET}}', 'gl' + 'c_' + r(80, B64));
pos('grafana service account', 'GRAFANA_TOKEN={{SECRET}}', 'gl' + 'sa_' + r(32) + '_' + r(8, HEX));
pos('linear', 'LINEAR_API_KEY={{SECRET}}', 'lin' + '_api_' + r(40));
pos('notion', 'NOTION_TOKEN={{SECRET}}', 'nt' + 'n_' + r(11, DIGITS) + r(35));
pos('notion legacy', 'notion key {{SECRET}}', 'sec' + 'ret_' + r(43));
pos('tailscale', 'tailscale up --authkey {{SECRET}}', 'tskey-auth-' + r(12) + 'CNTRL-' + r(33));
pos('vercel', 'VERCEL_TOKEN={{SECRET}}', 'vc' + 'p_' + r(40));
pos('cloudflare', 'CLOUDFLARE_API_TOKEN={{SECRET}}', 'cf' + 'ut_' + r(40) + r(8, HEX));
pos('square', 'SQUARE_ACCESS_TOKEN={{SECRET}}', 'EAAA' + r(60, B64URL));
pos('postman', 'postman login --with-api-key {{SECRET}}', 'PMAK-' + r(24, HEX) + '-' + r(34, HEX));
pos('doppler', 'DOPPLER_TOKEN={{SECRET}}', 'dp.st.prd.' + r(43));
pos('pulumi', 'PULUMI_ACCESS_TOKEN={{SECRET}}', 'pul-' + r(40, HEX));
pos('sentry', 'SENTRY_AUTH_TOKEN={{SECRET}}', 'sntrys_' + b64(`{"iat":1700000000.0,"url":"https://sentry.io","region_url":"https://us.sentry.io","org":"acme"}`) + '_' + r(43));
pos('supabase', 'supabase login --token {{SECRET}}', 'sb' + 'p_' + r(40, HEX));
pos('atlassian', 'JIRA_API_TOKEN={{SECRET}}', 'ATATT3xFfGF0' + r(170, B64URL) + '=' + r(8, HEX).toUpperCase());
pos('mapbox secret', 'MAPBOX_SECRET={{SECRET}}', 'sk.eyJ1Ijoi' + r(40, B64URL) + '.' + r(22, B64URL));
pos('alibaba', 'ALIBABA_CLOUD_ACCESS_KEY_ID={{SECRET}}', 'LTAI' + r(20));
pos('fly.io', 'FLY_API_TOKEN={{SECRET}}', 'fo1_' + r(43, B64URL));

// Private keys.
for (const label of ['RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'DSA PRIVATE KEY', 'PGP PRIVATE KEY BLOCK']) {
  const body = wrap((label.includes('OPENSSH') ? 'b3BlbnNzaC1rZXktdjE' : 'MII') + r(600, B64), 64);
  pos('pem private key', `cat ~/.ssh/id_rsa\n{{SECRET}}`, `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`);
}
pos('pem private key cut', 'key file begins:\n{{SECRET}}', `-----BEGIN RSA PRIVATE KEY-----\n${wrap('MIIEpAIBAAKCAQEA' + r(300, B64), 64)}`);
for (const [version, algo, lines] of [[2, 'ssh-rsa', 14], [3, 'ssh-ed25519', 1], [3, 'ecdsa-sha2-nistp256', 1], [2, 'ssh-dss', 8]]) {
  const privateLines = wrap(r(64 * lines - randomInt(20), B64), 64);
  const nLines = privateLines.split('\n').length;
  const text = [
    `PuTTY-User-Key-File-${version}: ${algo}`,
    'Encryption: none',
    `Comment: ${algo.split('-')[1]}-key-20240501`,
    'Public-Lines: 2',
    wrap('AAAA' + r(124, B64), 64),
    `Private-Lines: ${nLines}`,
    '{{SECRET}}',
    `Private-MAC: ${r(version === 3 ? 64 : 40, HEX)}`,
  ].join('\n');
  pos('putty private key', text, privateLines);
}

// ── Negatives: harmless look-alikes ─────────────────────────────────────────────────────────────────
const sha = () => r(40, HEX);
const uuid = () => randomUUID();
// Git and ids.
neg('git sha', `commit ${sha()}`);
neg('git sha', `Fixed in ${sha()}, see the PR.`);
neg('git sha', `git checkout ${sha().slice(0, 12)}`);
neg('git sha', `git revert --no-edit ${sha().slice(0, 7)}`);
neg('git sha', `HEAD is now at ${sha().slice(0, 7)} Fix flaky test`);
neg('git sha', `Merge: ${sha().slice(0, 7)} ${sha().slice(0, 7)}`);
neg('git sha', `git diff ${sha()}..${sha()} -- src/`);
neg('git sha', `  "rev": "${sha()}",`);
neg('git sha', `uses: actions/checkout@${sha()} # v4.2.2`);
neg('git sha', `Parent-SHA: ${sha()}`);
neg('uuid', `Session ${uuid()} started at 10:42.`);
neg('uuid', `{"id": "${uuid()}", "status": "ok"}`);
neg('uuid', `request_id=${uuid()}`);
neg('uuid', `x-request-id: ${uuid()}`);
neg('uuid', `docker rm ${r(12, HEX)}`);
neg('uuid', `Installation ID: ${uuid().toUpperCase()}`);
neg('uuid', `trace ${r(32, HEX)} span ${r(16, HEX)}`);
neg('uuid', `tool_use_id: toolu_01${r(22)}`);
neg('uuid', `msg_01${r(22)} finished with stop_reason end_turn`);
neg('uuid', `"sessionId": "${uuid()}"`);
// base64 of ordinary words, hashes and lockfiles.
for (const w of ['hello world', 'config.json', 'The quick brown fox', 'user settings', 'lorem ipsum dolor sit amet', 'walkie talkie']) neg('base64 word', `echo ${b64(w)} | base64 -d`);
neg('base64 word', `data:image/png;base64,${b64('\x89PNG\r\n\x1a\n' + 'IHDR')}`);
neg('base64 word', `"content": "${b64('# Title\n\nSome markdown text.')}"`);
neg('lockfile hash', `"integrity": "sha512-${r(86, B64)}=="`);
neg('lockfile hash', `  integrity sha512-${r(86, B64)}==`);
neg('lockfile hash', `"integrity": "sha1-${r(27, B64)}="`);
neg('lockfile hash', `checksum = "${r(64, HEX)}"`);
neg('lockfile hash', `github.com/stretchr/testify v1.9.0 h1:${r(43, B64)}=`);
neg('lockfile hash', `golang.org/x/sys v0.20.0/go.mod h1:${r(43, B64)}=`);
neg('lockfile hash', `requests==2.32.3 --hash=sha256:${r(64, HEX)}`);
neg('lockfile hash', `  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#${sha()}"`);
neg('lockfile hash', `  checksum: ${r(128, HEX)}`);
neg('lockfile hash', `${r(64, HEX)}  dist/walkie-0.1.0.vsix`);
neg('lockfile hash', `FROM node:20-alpine@sha256:${r(64, HEX)}`);
neg('lockfile hash', `sha256: ${r(64, HEX)}`);
neg('lockfile hash', `md5: ${r(32, HEX)}`);
neg('lockfile hash', `ETag: "${r(32, HEX)}"`);
neg('lockfile hash', `"contentHash": "${r(40, HEX)}"`);
neg('lockfile hash', `pnpm-lock: resolution: {integrity: sha512-${r(86, B64)}==}`);
// password= with nothing secret in it.
for (const t of ['password=', 'PASSWORD=""', "DB_PASS=''", 'password: $PASSWORD', 'password=$DB_PASSWORD', 'DB_PASS=${DB_PASS}', 'export DB_PASS="$(cat /run/secrets/db_pass)"',
  'password=<password>', 'password: <your-password>', 'password: ***', 'password=********', 'PASSWORD=xxxxxxxx', 'password: changeme', 'DB_PASSWORD=changeme', 'password: REDACTED',
  'password: [redacted]', '"password": null', '"password": ""', 'password: {{ .Values.db.password }}', 'password: ${{ secrets.DB_PASSWORD }}', "password = os.environ['DB_PASSWORD']",
  'password = getpass.getpass()', 'const password = process.env.DB_PASSWORD;', 'password: !vault |', 'password_min_length: 12', 'password-reset-token-ttl: 3600', 'PASSWORD_FILE=/run/secrets/db_password',
  'token: ${GITHUB_TOKEN}', 'api_key: YOUR_API_KEY', 'API_KEY=your-api-key-here', 'apiKey: "<API_KEY>"', 'SECRET_KEY=%(secret)s', "password = '%s' % pw", 'Authorization: Bearer $TOKEN',
  'Authorization: Bearer ${{ secrets.GH_TOKEN }}', 'Authorization: Token <your-token>', 'Authorization: Basic $(echo -n "$USER:$PASS" | base64)', 'X-API-Key: $API_KEY',
  'aws configure set aws_secret_access_key $AWS_SECRET_ACCESS_KEY', 'aws configure set region us-east-1', 'aws configure set output json', 'aws_secret_access_key = <secret>',
  'rediss://:${REDIS_PASSWORD}@cache:6380', 'postgres://app:$DB_PASS@db/app', 'postgres://localhost:5432/app', 'mongodb://mongo:27017/test', 'redis://localhost:6379/0', 'amqp://rabbit:5672',
  'https://user@example.com/repo.git', 'ssh://git@github.com/owner/repo.git', 'http://localhost:3000/api/v1/users?id=42', 'https://example.com:8443/path', 'git@github.com:owner/repo.git',
  'postgres://app:<password>@db/app', 'mysql://root:****@localhost/shop']) neg('placeholder', t);
// Ordinary shell commands (including the -p flags that are NOT passwords).
for (const t of ['npm install --save-dev typescript', 'git push -u origin main', 'ls -la ~/.ssh', 'docker run -p 8080:80 nginx', 'ssh -p 2222 deploy@10.0.0.12', 'scp -P 2222 a.txt host:/tmp',
  'mkdir -p src/core/redaction', 'cp -pr assets dist/', 'mysql -u root -p shop', 'mysql -u root -p', 'mysql -h db -P 3306 -u app -p', 'docker login registry.example.com',
  'docker login -u alice --password-stdin ghcr.io', 'sshpass -e ssh deploy@host', 'sshpass -f ~/.sshpass scp a b:', 'psql -h db -U app -W', 'redis-cli -h localhost -p 6379 ping',
  'python -m pytest -k test_password_reset', 'grep -rn "token" src/', 'kill -9 48213', 'tar -xzf node-v20.20.2-linux-x64.tar.gz', 'npm run build -- --production',
  'git log --author=alice --since=2.weeks', 'curl -u "$USER:$TOKEN" https://api.example.com', 'curl -s https://api.github.com/repos/owner/repo', 'chmod 600 ~/.ssh/id_ed25519',
  'ssh-keygen -t ed25519 -C "alice@example.com"', 'openssl rand -hex 32', 'openssl req -new -key server.key -out server.csr', 'gpg --list-secret-keys --keyid-format=long',
  'kubectl get secret db-creds -o yaml', 'vault kv get secret/db', 'aws sts get-caller-identity', 'gh auth status', 'npm whoami', 'git config --global user.email alice@example.com',
  'htpasswd -c /etc/nginx/.htpasswd admin', 'docker compose up -d --build', 'pip install -r requirements.txt', 'rsync -avz --delete dist/ web1:/srv/www/', 'cargo build --release',
  'go test ./... -run TestTokenRefresh', 'node --max-old-space-size=4096 build.js', 'terraform plan -var-file=prod.tfvars', 'helm upgrade --install api ./chart -n prod',
  'brew install sshpass', 'telnet 10.0.0.1 25', 'nc -zv 10.0.0.1 5432', 'watch -n 2 kubectl get pods']) neg('shell command', t);
// Paths, versions, test names, prose, other numbers.
for (const t of ['/home/alice/.ssh/id_rsa', '~/.aws/credentials', 'src/core/redaction/secretScanner.ts', 'C:\\Users\\bob\\AppData\\Roaming\\Code\\User\\settings.json', 'secrets/tokens.json',
  'node_modules/.pnpm/@secretlint+core@13.1.0/node_modules/@secretlint/core/module/index.js', '/var/run/secrets/kubernetes.io/serviceaccount/token', 'test/fixtures/secrets/corpus.json',
  'v2.1.330', '1.0.0-beta.3+sha.5114f85', 'node v20.20.2', 'typescript@5.6.3', 'Python 3.12.1', 'go version go1.22.3 linux/amd64', 'Chrome/124.0.6367.118 Safari/537.36', 'claude-sonnet-4-20250514',
  "it('redacts the password of a URL with credentials, once')", 'test_token_refresh_expires_after_one_hour', "describe('ApprovalBroker')", 'PasswordResetTokenTest.testExpiredToken',
  'FAIL src/auth/apiKey.test.ts > rejects an expired API key', 'ok 12 - secret scanner leaves git SHAs alone',
  'Rotate the GitHub token and update the CI secret.', 'Set AWS_SECRET_ACCESS_KEY in your environment before running.', 'Bearer authentication is used here.',
  'The Private-Lines header in a PuTTY key says how many lines follow.', 'Use `mysql -p` so the password is prompted for, never typed on the command line.',
  'The api key must start with sk- and be kept secret.', 'Telegram bot tokens look like 123456:ABC-DEF; never commit one.', 'Vault service tokens start with hvs.; batch tokens with hvb.',
  'color: #ff00aa; background: #0a0b0c;', 'fe80::1ff:fe23:4567:890a', 'MAC 00:1b:44:11:3a:b7', 'ISBN 978-0-13-468599-1', '2024-05-01T10:42:07.123Z', 'Elapsed 12:34:56.789',
  'ratio 1234567890:987654321', 'at Object.<anonymous> (/app/src/index.js:42:17)', 'Listening on 0.0.0.0:8080', 'tokens_used: 12345678', 'max_tokens = 4096',
  'SKU-1234567890ABCDEF', 'key-value store', 'task-runner', 'The sk-learn package (scikit-learn) is installed.', 'TODO(alice): rotate keys before 2025-01-01',
  "const token = tokens[i];", 'if (token === undefined) return;', 'secret_key = settings.SECRET_KEY', "token_type = 'access_token'", 'password_hash = bcrypt_hash(password)',
  'for (const [key, value] of Object.entries(env)) {}', 'export function redactSecrets(text: string)', '-----BEGIN CERTIFICATE-----', '-----BEGIN PUBLIC KEY-----',
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI' + r(43, B64) + ' alice@laptop', 'age1' + r(58, BECH32.toLowerCase()), 'AC' + r(32, HEX) + ' is the account SID',
  // Look-alikes at the edges of the shell rules: references and prompts where a password would go.
  'mysql -uroot -p"$MYSQL_PWD" shop', 'sshpass -p "$SSHPASS" ssh deploy@host', 'docker login -u gitlab-ci-token -p "$CI_REGISTRY_PASSWORD" $CI_REGISTRY',
  'redis-cli -a $REDIS_PASSWORD ping', 'openssl enc -aes-256-cbc -pass env:BACKUP_PASSPHRASE -in db.sql', 'keytool -list -keystore ks.jks -storepass:env STOREPASS',
  'smbclient //files/share -U alice', 'htpasswd -B /etc/nginx/.htpasswd admin', `Cache restored from key: npm-cache-key-${r(32, HEX)}`, `etag key-${r(8, HEX)}`,
  'PASSWORD_FILE=/run/secrets/db_password', 'PASSWORD_MIN_LENGTH=12', 'aws configure set aws_secret_access_key', `echo "${r(32, HEX)}" > .cache/last-build`,
  'wss://relay.example.com/v1/host', 'https://api.telegram.org/bot<token>/getMe', 'aws s3 cp s3://bucket/key-2024-05-01.json .']) neg('other', t);

const entries = [
  ...positives.map((p, i) => {
    if (!p.text.includes('{{SECRET}}')) throw new Error(`positive ${p.kind} has no {{SECRET}}`);
    return { id: `pos-${String(i + 1).padStart(3, '0')}`, kind: p.kind, expected: 'secret', text: p.text, secret_b64: b64(p.secret) };
  }),
  ...negatives.map((n, i) => ({ id: `neg-${String(i + 1).padStart(3, '0')}`, kind: n.kind, expected: 'none', text: n.text })),
];
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, JSON.stringify({ generated_by: 'scripts/make-secret-corpus.mjs', positives: positives.length, negatives: negatives.length, entries }, null, 1) + '\n');
console.log(`wrote ${path.relative(ROOT, OUT)}: ${positives.length} positives, ${negatives.length} negatives`);
