import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { CloseCode } from '../../../src/core/wire/closeCodes';
import { hostIdFromSecret, signRelayChallenge } from '../../../src/core/wire/relayAuth';
import type { RelayServer } from '../../../src/relay/relayServer';
import { connectDevice, connectHost, eventually, Inbox, newSecret, startRelay } from './relayTestKit';

/** Answers the challenge on `/v1/host/<stated>` with `secret`'s key. */
async function hostStating(base: string, stated: string, secret: Uint8Array): Promise<Inbox> {
  const inbox = new Inbox(new WebSocket(`${base}/v1/host/${stated}`));
  const challenge = await inbox.nextJson();
  inbox.ws.send(JSON.stringify({ type: 'auth', ...signRelayChallenge(secret, String(challenge.nonce)) }));
  return inbox;
}

describe('RelayServer as one node of many', function () {
  this.timeout(10000);
  let relay: RelayServer;
  let base: string;
  let port: number;
  const sockets: WebSocket[] = [];

  beforeEach(async () => {
    ({ relay, base, port } = await startRelay());
  });
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await relay.close();
  });

  it('accepts a host at /v1/host/<hostId> that proves that very id', async () => {
    const secret = newSecret();
    const inbox = await hostStating(base, hostIdFromSecret(secret), secret);
    sockets.push(inbox.ws);
    assert.deepEqual(await inbox.nextJson(), { type: 'ready', hostId: hostIdFromSecret(secret) });
    const device = await connectDevice(base, { inbox, hostId: hostIdFromSecret(secret) });
    sockets.push(device.inbox.ws);
    assert.equal(device.conn, 1);
  });

  it('refuses a host that states one id and proves another with 4006', async () => {
    const inbox = await hostStating(base, hostIdFromSecret(newSecret()), newSecret());
    sockets.push(inbox.ws);
    assert.equal((await inbox.closed).code, CloseCode.hostAuthFailed);
    assert.equal(relay.stats().hosts, 0);
  });

  it('answers a malformed stated id with HTTP 404 before any WebSocket exists', async () => {
    const ws = new WebSocket(`${base}/v1/host/not-a-host-id`);
    ws.on('error', () => {});
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    ws.terminate();
    assert.equal(status, 404);
  });

  it('serves its own counts at /metrics in the Prometheus text format', async () => {
    const host = await connectHost(base);
    sockets.push(host.inbox.ws);
    sockets.push((await connectDevice(base, host)).inbox.ws);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^walkie_relay_hosts 1$/m);
    assert.match(text, /^walkie_relay_host_devices 1$/m);
    assert.match(text, /^walkie_relay_sockets 2$/m);
    assert.doesNotMatch(text, new RegExp(host.hostId), 'no host ids in the metrics');
  });

  it('drains: peers are told 1001 (reconnect now), new upgrades get 503, and it returns once they are gone', async () => {
    const host = await connectHost(base);
    const device = await connectDevice(base, host);
    sockets.push(host.inbox.ws, device.inbox.ws);
    const t0 = Date.now();
    const drained = relay.close(5000);
    const late = new WebSocket(`${base}/v1/device/${host.hostId}`);
    const status = await new Promise<number>((resolve) => {
      late.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      late.on('error', () => resolve(0));
    });
    late.terminate();
    assert.equal((await host.inbox.closed).code, CloseCode.goingAway);
    assert.equal((await device.inbox.closed).code, CloseCode.goingAway);
    await drained;
    assert.ok(Date.now() - t0 < 4000, 'the drain ended when the peers left, not at its bound');
    assert.ok(status === 503 || status === 0, `a late upgrade was refused (${status})`);
    await eventually(() => relay.stats().hosts === 0);
  });
});
