import net from 'node:net';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { WebSocket, WebSocketServer } from 'ws';
import { CloseCode } from '../../../../src/core/wire/closeCodes';
import { hostIdFromPublicKey, hostIdFromSecret } from '../../../../src/core/wire/relayAuth';
import { generateHostIdentity, RelayHostLink } from '../../../../src/node/host/relayHostLink';
import { runRelayCommand } from '../../../../src/node/cli/relayCommand';
import { lanAddress } from '../../../../src/node/host/lanAddress';
import { RelayError } from '../../../../src/relay/relayError';
import { RelayServer } from '../../../../src/relay/relayServer';
import { eventually, Inbox, startRelay } from '../../relay/relayTestKit';

/** Records a link's events in order. */
function record(link: RelayHostLink) {
  const events: string[] = [];
  const frames: { conn: number; frame: Buffer }[] = [];
  link.onOpen((c) => events.push(`open ${c}`));
  link.onClose((c) => events.push(`close ${c}`));
  link.onState((s) => events.push(s));
  link.onFrame(({ conn, frame }) => frames.push({ conn, frame: Buffer.from(frame) }));
  return { events, frames };
}

async function device(base: string, hostId: string): Promise<Inbox> {
  const inbox = new Inbox(new WebSocket(`${base}/v1/device/${hostId}`));
  await inbox.opened;
  return inbox;
}

describe('RelayHostLink', function () {
  this.timeout(15000);
  let relay: RelayServer;
  let base: string;
  let port: number;
  const links: RelayHostLink[] = [];
  const newLink = (secret = generateHostIdentity(), url = base): RelayHostLink => {
    const link = new RelayHostLink({ relayUrl: url, identitySecret: secret, backoff: { baseMs: 20, capMs: 200 } });
    links.push(link);
    return link;
  };

  beforeEach(async () => {
    ({ relay, base, port } = await startRelay());
  });
  afterEach(async () => {
    for (const l of links.splice(0)) l.dispose();
    await relay.close();
  });

  it('authenticates with its identity and goes online under the id its key implies', async () => {
    const secret = generateHostIdentity();
    const link = newLink(secret);
    const { events } = record(link);
    assert.equal(link.hostId, hostIdFromSecret(secret));
    link.start();
    await eventually(() => events.includes('online'));
    assert.deepEqual(relay.stats(), { hosts: 1, devices: 0 });
  });

  it('falls back to /v1/host on a relay from before /v1/host/<id> (it answers 404)', async () => {
    // An "old relay": the real one behind a front that refuses /v1/host/<id> as an old relay would.
    const seen: string[] = [];
    const front = net.createServer((client) => {
      client.once('data', (head) => {
        const line = head.toString('latin1').split('\r\n')[0] ?? '';
        seen.push(line);
        if (/^GET \/v1\/host\/\S+ /.test(line)) return client.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        const upstream = net.connect(port, '127.0.0.1', () => {
          upstream.write(head);
          client.pipe(upstream).pipe(client);
        });
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      });
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    try {
      const link = newLink(undefined, `ws://127.0.0.1:${(front.address() as net.AddressInfo).port}`);
      const { events } = record(link);
      link.start();
      await eventually(() => events.includes('online'), 5000);
      assert.match(seen[0]!, /^GET \/v1\/host\/[A-Za-z0-9_-]{43} /);
      assert.ok(seen.some((l) => /^GET \/v1\/host HTTP/.test(l)));
      assert.deepEqual(relay.stats(), { hosts: 1, devices: 0 });
    } finally {
      for (const l of links.splice(0)) l.dispose();
      front.close();
    }
  });

  it('announces devices, carries frames both ways and reports their close', async () => {
    const link = newLink();
    const { events, frames } = record(link);
    link.start();
    await eventually(() => link.isOnline);
    const a = await device(base, link.hostId);
    const b = await device(base, link.hostId);
    await eventually(() => events.filter((e) => e.startsWith('open')).length === 2);
    const [connA, connB] = events.filter((e) => e.startsWith('open')).map((e) => Number(e.split(' ')[1]));
    a.ws.send(Buffer.from('from a'));
    b.ws.send(Buffer.from('from b'));
    await eventually(() => frames.length === 2);
    assert.deepEqual(new Map(frames.map((f) => [f.conn, f.frame.toString()])), new Map([[connA, 'from a'], [connB, 'from b']]));
    link.send(connB!, Buffer.from('to b'));
    assert.equal((await b.nextBinary()).toString(), 'to b');
    a.ws.close(1000);
    await eventually(() => events.includes(`close ${connA}`));
    b.ws.close();
  });

  it('closes one conn with a code, reaching only that device, and reports the close once', async () => {
    const link = newLink();
    const { events } = record(link);
    link.start();
    await eventually(() => link.isOnline);
    const a = await device(base, link.hostId);
    const b = await device(base, link.hostId);
    await eventually(() => events.filter((e) => e.startsWith('open')).length === 2);
    const [connA, connB] = events.filter((e) => e.startsWith('open')).map((e) => Number(e.split(' ')[1]));
    link.close(connA!, CloseCode.revoked, 'revoked');
    assert.deepEqual(await a.closed, { code: CloseCode.revoked, reason: 'revoked' });
    link.close(connA!, CloseCode.revoked, 'again');
    assert.equal(events.filter((e) => e === `close ${connA}`).length, 1);
    link.send(connB!, Buffer.from('b is fine'));
    assert.equal((await b.nextBinary()).toString(), 'b is fine');
    b.ws.close();
  });

  it('reconnects after the relay restarts on the same port, with new conns', async () => {
    const link = newLink();
    const { events } = record(link);
    link.start();
    await eventually(() => link.isOnline);
    const d = await device(base, link.hostId);
    await eventually(() => events.includes('open 1'));
    await relay.close();
    await eventually(() => events.includes('offline'));
    assert.ok(events.indexOf('close 1') < events.indexOf('offline'), `conns close before offline: ${events.join(', ')}`);
    assert.equal((await d.closed).code, CloseCode.goingAway);
    relay = new RelayServer({ port });
    await relay.start();
    await eventually(() => events.filter((e) => e === 'online').length === 2, 5000);
    const again = await device(base, link.hostId);
    await eventually(() => events.filter((e) => e.startsWith('open')).length === 2);
    again.ws.send(Buffer.from('back'));
    await eventually(() => relay.stats().devices === 1);
    again.ws.close();
  });

  it('stops reconnecting when another process with the same identity takes over', async () => {
    const secret = generateHostIdentity();
    const first = newLink(secret);
    const { events } = record(first);
    first.start();
    await eventually(() => first.isOnline);
    const second = newLink(secret);
    second.start();
    await eventually(() => second.isOnline && events.includes('offline'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(first.isOnline, false);
    assert.equal(events.filter((e) => e === 'online').length, 1, 'the replaced link fought back');
    assert.equal(relay.stats().hosts, 1);
  });

  it('goes offline and stays so when disposed, closing its conns first', async () => {
    const link = newLink();
    const { events } = record(link);
    link.start();
    await eventually(() => link.isOnline);
    const d = await device(base, link.hostId);
    await eventually(() => events.includes('open 1'));
    link.dispose();
    assert.deepEqual(events.slice(-2), ['close 1', 'offline']);
    assert.equal((await d.closed).code, CloseCode.hostOffline);
    await eventually(() => relay.stats().hosts === 0);
  });

  it('keeps retrying while no relay listens, then connects when one appears', async () => {
    await relay.close();
    const link = newLink();
    const { events } = record(link);
    link.start();
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(link.isOnline, false);
    relay = new RelayServer({ port });
    await relay.start();
    await eventually(() => events.includes('online'), 5000);
  });

  it('gives up on a relay that goes silent and on one that names it wrongly, and reconnects', async () => {
    // A fake relay: the first connection is answered correctly and then ignored (no pings, and no pongs to
    // the host's pings, as over a half-open TCP connection); the second is told a wrong host id; the third is
    // answered correctly again.
    const fake = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
    await new Promise((r) => fake.once('listening', r));
    const seen: number[] = [];
    fake.on('connection', (ws) => {
      const n = seen.push(seen.length + 1);
      ws.on('error', () => {});
      ws.on('close', (code) => (seen[n - 1] = code));
      ws.on('message', (data) => {
        const auth = JSON.parse(String(data)) as { publicKey: string };
        const id = n === 2 ? hostIdFromSecret(generateHostIdentity()) : hostIdFromPublicKey(Buffer.from(auth.publicKey, 'base64url'));
        ws.send(JSON.stringify({ type: 'ready', hostId: id }));
      });
      ws.send(JSON.stringify({ type: 'challenge', nonce: randomBytes(32).toString('base64url') }));
    });
    const link = new RelayHostLink({
      relayUrl: `ws://127.0.0.1:${(fake.address() as { port: number }).port}`,
      identitySecret: generateHostIdentity(),
      backoff: { baseMs: 10, capMs: 50 },
      idleTimeoutMs: 200,
    });
    links.push(link);
    const { events } = record(link);
    link.start();
    try {
      await eventually(() => seen.length >= 3 && events.filter((e) => e === 'online').length >= 2, 5000);
      assert.equal(seen[0], 1006, 'the silent relay was not cut off');
      assert.equal(seen[1], CloseCode.protocolError, 'a ready for another host id was accepted');
      assert.deepEqual(events.slice(0, 3), ['online', 'offline', 'online']);
    } finally {
      link.dispose();
      await new Promise((r) => fake.close(r));
    }
  });

  it('refuses a frame larger than the relay accepts, and bad construction arguments', () => {
    const link = newLink();
    assert.throws(() => link.send(1, new Uint8Array(70_001)), (e: unknown) => e instanceof RelayError && e.code === 'RELAY_ERR_PAYLOAD_TOO_LARGE');
    assert.throws(() => new RelayHostLink({ relayUrl: base, identitySecret: new Uint8Array(31) }), RangeError);
    assert.throws(() => new RelayHostLink({ relayUrl: 'http://127.0.0.1:1', identitySecret: generateHostIdentity() }), TypeError);
  });

  it('makes a fresh 32-byte identity each time', () => {
    const a = generateHostIdentity();
    assert.equal(a.length, 32);
    assert.notDeepEqual(a, generateHostIdentity());
  });
});

describe('runRelayCommand', function () {
  this.timeout(10000);

  it('prints the URL it listens on, serves /healthz and stops cleanly on SIGTERM', async () => {
    let out = '';
    const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true } };
    const done = runRelayCommand(['--port', '0', '--bind', '127.0.0.1', '--web-root', '/nonexistent-walkie'], io);
    await eventually(() => /listening on http:\/\/127\.0\.0\.1:\d+\//.test(out));
    const url = /listening on (\S+)/.exec(out)![1]!;
    const status = await new Promise<number>((resolve, reject) => http.get(`${url}healthz`, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject));
    assert.equal(status, 200);
    process.emit('SIGTERM');
    assert.equal(await done, 0);
    assert.match(out, /shutting down/);
  });

  it('rejects unknown options and bad ports with exit code 2', async () => {
    const io = { stdout: { write: () => true }, stderr: { write: () => true } };
    assert.equal(await runRelayCommand(['--nope'], io), 2);
    assert.equal(await runRelayCommand(['--port', 'x'], io), 2);
    assert.equal(await runRelayCommand(['--port', '70000'], io), 2);
    assert.equal(await runRelayCommand(['--port'], io), 2);
  });

  it('finds a LAN address that is a non-loopback IPv4, or none', () => {
    const a = lanAddress();
    if (a !== undefined) {
      assert.match(a, /^\d+\.\d+\.\d+\.\d+$/);
      assert.ok(!a.startsWith('127.'));
    }
  });
});
