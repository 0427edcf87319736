// `walkie device --json` end to end: the real relay on 127.0.0.1:0, a BridgeHost over the real
// RelayHostLink, and the CLI over real `ws` sockets, driven through its stdin/stdout as JSON lines.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { BridgeHost } from '../../../../src/core/bridge/bridgeHost';
import { systemClock } from '../../../../src/core/base/clock';
import { CloseCode } from '../../../../src/core/wire/closeCodes';
import { DeviceRegistry } from '../../../../src/core/pairing/deviceRegistry';
import { generateKeyPair } from '../../../../src/core/noise/dh';
import { PairingOffers } from '../../../../src/core/pairing/pairingOffers';
import { encodePairingUrl } from '../../../../src/core/pairing/pairingPayload';
import type { ApprovalRequest, DeviceMessage } from '../../../../src/core/wire/protocol';
import { deviceOutputLine } from '../../../../src/core/bridge/deviceOutput';
import { runDeviceCommand } from '../../../../src/node/cli/deviceCli';
import { generateHostIdentity, RelayHostLink } from '../../../../src/node/host/relayHostLink';
import { RelayServer } from '../../../../src/relay/relayServer';
import { FakeHostApp } from '../../core/bridge/fakeBridgeLinks';

type Line = Record<string, unknown> & { type: string };

/** Runs the CLI with piped stdio; `next(pred)` waits for the first not-yet-consumed matching line. */
function startCli(argv: string[]) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const lines: Line[] = [];
  let buffered = '';
  const waiters: (() => void)[] = [];
  stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const text = buffered.slice(0, nl);
      // Human mode prints text: keep it as a 'text' line.
      lines.push(text.startsWith('{') ? (JSON.parse(text) as Line) : { type: 'text', text });
      buffered = buffered.slice(nl + 1);
    }
    for (const w of waiters.splice(0)) w();
  });
  const done = runDeviceCommand(argv, { stdin, stdout, stderr });
  let consumed = 0;
  const next = async (pred: (l: Line) => boolean, what: string): Promise<Line> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const i = lines.findIndex((l, idx) => idx >= consumed && pred(l));
      if (i >= 0) {
        consumed = i + 1;
        return lines[i]!;
      }
      if (Date.now() > deadline) throw new Error(`no ${what} line; got ${JSON.stringify(lines)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  const write = (value: unknown) => stdin.write(typeof value === 'string' ? `${value}\n` : `${JSON.stringify(value)}\n`);
  return { stdin, lines, next, write, done, end: () => stdin.end() };
}

function approval(session: string): ApprovalRequest {
  return {
    id: `ap-${randomBytes(4).toString('hex')}`,
    session,
    tool: 'Bash',
    summary: 'Run `npm test`',
    detail: { kind: 'command', command: 'npm test' },
    cwd: '/w',
    risk: { level: 'low', reasons: [] },
    inputHash: randomBytes(32).toString('hex'),
    createdAt: 1,
    expiresAt: 2,
  };
}

describe('walkie device (--json, through the real relay)', function () {
  this.timeout(20_000);
  let relay: RelayServer;
  let link: RelayHostLink;
  let host: BridgeHost;
  let app: FakeHostApp;
  let offers: PairingOffers;
  let registry: DeviceRegistry;
  let origin: string;
  let stateDir: string;
  const paired: string[] = [];
  const received: DeviceMessage[] = [];

  before(async () => {
    relay = new RelayServer();
    const { port } = await relay.start();
    origin = `http://127.0.0.1:${port}`;
    link = new RelayHostLink({ relayUrl: `ws://127.0.0.1:${port}`, identitySecret: generateHostIdentity() });
    const online = new Promise<void>((resolve) => link.onState((s) => s === 'online' && resolve()));
    link.start();
    await online;
    const hostKey = generateKeyPair();
    offers = new PairingOffers({ clock: systemClock, hostId: link.hostId, hostPublicKey: hostKey.publicKey, relayUrl: `ws://127.0.0.1:${port}` });
    registry = await DeviceRegistry.open({ load: async () => undefined, save: async () => undefined }, systemClock);
    host = new BridgeHost({ link, staticKey: hostKey, hostId: link.hostId, hostName: 'ci host', offers, registry, clock: systemClock });
    host.onPaired((p) => paired.push(p.sas));
    host.onMessage((m) => received.push(m.message));
    app = new FakeHostApp(host);
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-device-'));
  });

  after(async () => {
    app.dispose();
    host.dispose();
    link.dispose();
    await relay.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('pairs with the URL, shows the same words as the host, chats, decides and survives bad lines', async () => {
    app.append({ kind: 'assistant', text: 'ready' });
    const url = encodePairingUrl(origin, offers.create());
    const cli = startCli([url, '--json', '--state-dir', stateDir, '--name', 'ci phone']);
    const pairedLine = await cli.next((l) => l.type === 'paired', 'paired');
    assert.equal(pairedLine.sas, paired[0]);
    assert.equal(pairedLine.hostName, 'ci host');
    assert.equal((await cli.next((l) => l.type === 'session', 'session')).session && true, true);
    assert.equal((await cli.next((l) => l.type === 'chat', 'history')).seq, 1);

    cli.write({ type: 'prompt', text: 'run the tests' });
    const echo = await cli.next((l) => l.type === 'chat' && (l.event as { kind: string }).kind === 'user', 'prompt echo');
    assert.equal((echo.event as { text: string }).text, 'run the tests');
    assert.deepEqual(app.typed, ['run the tests']);

    const request = approval(app.sessionId);
    host.send('all', { type: 'approval', request });
    const card = await cli.next((l) => l.type === 'approval', 'approval');
    assert.deepEqual([card.id, card.tool, card.summary, card.inputHash], [request.id, 'Bash', 'Run `npm test`', request.inputHash]);
    assert.deepEqual(card.detail, request.detail);

    cli.write('this is not json');
    assert.equal((await cli.next((l) => l.type === 'error', 'bad line error')).code, 'CLI_ERR_BAD_LINE');
    cli.write({ type: 'decide', id: 'nope', decision: 'allow' });
    assert.equal((await cli.next((l) => l.type === 'error', 'unknown approval')).code, 'CLI_ERR_UNKNOWN_APPROVAL');
    cli.write({ type: 'launch', what: 'missiles' });
    assert.equal((await cli.next((l) => l.type === 'error', 'unknown command')).code, 'CLI_ERR_BAD_LINE');

    cli.write({ type: 'decide', id: request.id, decision: 'allow', message: 'go' });
    cli.write({ type: 'interrupt' });
    const deadline = Date.now() + 5000;
    while (!received.some((m) => m.type === 'interrupt') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const decision = received.find((m) => m.type === 'decide');
    assert.deepEqual(decision, { type: 'decide', id: request.id, inputHash: request.inputHash, decision: 'allow', message: 'go' });
    assert.deepEqual(received.find((m) => m.type === 'interrupt'), { type: 'interrupt', session: app.sessionId });

    host.send('all', { type: 'resolved', id: request.id, session: app.sessionId, resolution: 'allowed', by: 'ci phone' });
    assert.equal((await cli.next((l) => l.type === 'resolved', 'resolved')).resolution, 'allowed');

    cli.end();
    assert.equal(await cli.done, 0);
    const file = path.join(stateDir, 'device.json');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(stateDir).mode & 0o077, 0);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).hostName, 'ci host');
  });

  it('in human mode, shows the approval card and allows it with the a key', async () => {
    const cli = startCli(['--state-dir', stateDir]);
    await cli.next((l) => l.type === 'text' && l.text === '● online', 'online');
    const request = approval(app.sessionId);
    host.send('all', { type: 'approval', request });
    await cli.next((l) => l.type === 'text' && String(l.text).startsWith('APPROVAL Bash: Run `npm test`'), 'approval card');
    const before = received.length;
    cli.write('a');
    const deadline = Date.now() + 5000;
    while (received.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(received.at(-1), { type: 'decide', id: request.id, inputHash: request.inputHash, decision: 'allow' });
    cli.write('d');
    assert.match(String((await cli.next((l) => l.type === 'text' && String(l.text).startsWith('error'), 'no approval left')).text), /CLI_ERR_NO_APPROVAL/);
    cli.write('q');
    assert.equal(await cli.done, 0);
  });

  it('with --stay, runs a command piped in before the link is up and keeps running after stdin ends', async () => {
    const cli = startCli(['--json', '--stay', '--state-dir', stateDir]);
    // A script pipes one prompt and closes stdin at once, before the device is even online.
    cli.write({ type: 'prompt', text: 'piped before online' });
    cli.end();
    await cli.next((l) => l.type === 'status' && l.state === 'online', 'online');
    await cli.next((l) => l.type === 'chat' && (l.event as { text?: string }).text === 'piped before online', 'prompt echo');
    assert.equal(app.typed.at(-1), 'piped before online');
    assert.equal(cli.lines.some((l) => l.type === 'error'), false, JSON.stringify(cli.lines));
    // Still there for what follows the command: an approval that comes later is shown.
    const request = approval(app.sessionId);
    host.send('all', { type: 'approval', request });
    assert.equal((await cli.next((l) => l.type === 'approval', 'approval after stdin ended')).id, request.id);
    process.emit('SIGINT');
    assert.equal(await cli.done, 130);
  });

  it('reconnects without the URL, asks which session when there are two, and stops when revoked', async () => {
    const cli = startCli(['--json', '--state-dir', stateDir]);
    await cli.next((l) => l.type === 'status' && l.state === 'online', 'online');
    await cli.next((l) => l.type === 'session', 'session');
    assert.equal(cli.lines.some((l) => l.type === 'paired'), false);
    host.send('all', { type: 'session', session: { ...app.info(), id: 's2', title: 'other' } });
    await cli.next((l) => l.type === 'session' && (l.session as { id: string }).id === 's2', 'second session');
    cli.write({ type: 'prompt', text: 'which one?' });
    assert.equal((await cli.next((l) => l.type === 'error', 'ambiguous')).code, 'CLI_ERR_AMBIGUOUS_SESSION');

    assert.equal(host.revoke(registry.list()[0]!.id), true);
    const status = await cli.next((l) => l.type === 'status' && l.state === 'offline', 'revoked');
    assert.equal(status.code, CloseCode.revoked);
    assert.equal(await cli.done, 1);
  });

  it('refuses a bad pairing URL, a missing state, and bad arguments', async () => {
    const bad = startCli(['https://example.com/#junk!', '--json', '--state-dir', stateDir + '-none']);
    assert.equal(await bad.done, 1);
    assert.equal(bad.lines[0]!.code, 'PAIRING_ERR_ENCODING');
    const none = startCli(['--json', '--state-dir', stateDir + '-none']);
    assert.equal(await none.done, 1);
    assert.equal(none.lines[0]!.code, 'CLI_ERR_NOT_PAIRED');
    assert.equal(await startCli(['--bogus']).done, 2);
  });
});

describe('walkie device output (human mode)', () => {
  it('strips terminal control sequences from everything the host sends', () => {
    const line = deviceOutputLine({ type: 'chat', session: 's', seq: 1, at: 1, event: { kind: 'assistant', text: 'hi\u001b[2J\u001b]0;pwned\u0007 there\u202e' } }, false);
    assert.equal(line, 'agent› hi[2J]0;pwned there\n');
    assert.ok([...line.slice(0, -1)].every((ch) => ch.charCodeAt(0) >= 0x20 && !(ch.charCodeAt(0) >= 0x7f && ch.charCodeAt(0) <= 0x9f)));
  });

  it('shows an approval card with the command, the risk and the keys', () => {
    const text = deviceOutputLine({ type: 'approval', id: 'a', session: 's', tool: 'Bash', summary: 'Run rm', detail: { kind: 'command', command: 'rm -rf build' }, risk: { level: 'high', reasons: ['deletes files recursively'] } }, false);
    assert.match(text, /APPROVAL Bash: Run rm\n {4}\$ rm -rf build\n {4}risk: high \(deletes files recursively\)\n {4}press a to allow, d to deny\n$/);
  });

  it('writes exactly one JSON object per line in --json mode', () => {
    const line = deviceOutputLine({ type: 'chat', event: { kind: 'assistant', text: 'a\nb\u001b' } }, true);
    assert.equal(line.split('\n').length, 2);
    assert.deepEqual(JSON.parse(line), { type: 'chat', event: { kind: 'assistant', text: 'a\nb\u001b' } });
  });
});
