// The relay cluster behind HAProxy (Debian's `haproxy`) routing by host id, with the configuration that
// docs/relay.md gives (minus TLS): a host at /v1/host/<hostId> and its devices at /v1/device/<hostId> land
// on the same node, so no frame crosses Redis, while a round-robin of the same nodes still works through it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { hostIdFromSecret, signRelayChallenge } from '../../src/core/wire/relayAuth';
import { RedisHostDirectory } from '../../src/relay/redisHostDirectory';
import type { RelayServer } from '../../src/relay/relayServer';
import { freePort, RedisTestServer } from '../unit/relay/redisTestServer';
import { connFrame, eventually, Inbox, newSecret, startRelay } from '../unit/relay/relayTestKit';

/** Debian puts it in /usr/sbin, which is not on every user's PATH. */
const HAPROXY = fs.existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';

function haproxyConfig(port: number, nodes: number[]): string {
  return `global
    maxconn 1000
defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    timeout tunnel 120s
frontend walkie
    bind 127.0.0.1:${port}
    default_backend relays
backend relays
    http-request set-header X-Walkie-Host %[path,field(4,/)]
    balance hdr(X-Walkie-Host)
    hash-type consistent
    option forwardfor
${nodes.map((p, i) => `    server r${i + 1} 127.0.0.1:${p}`).join('\n')}
`;
}

describe('relay cluster behind HAProxy, routed by host id', function () {
  this.timeout(30_000);
  let redis: RedisTestServer;
  let nodes: RelayServer[];
  const ports: number[] = [];
  let haproxy: ChildProcess;
  let base: string;
  let dir: string;
  const sockets: WebSocket[] = [];

  before(async () => {
    redis = await RedisTestServer.start();
    nodes = [];
    for (let i = 0; i < 3; i++) {
      const n = await startRelay({ directory: (ctx) => new RedisHostDirectory(ctx, { url: redis.url }), trustProxy: true });
      nodes.push(n.relay);
      ports.push(n.port);
    }
    const port = await freePort();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-haproxy-'));
    fs.writeFileSync(path.join(dir, 'haproxy.cfg'), haproxyConfig(port, ports));
    haproxy = spawn(HAPROXY, ['-db', '-f', path.join(dir, 'haproxy.cfg')], { stdio: 'ignore' });
    base = `ws://127.0.0.1:${port}`;
    // Ready once it answers through to a node.
    await eventually(() => haproxy.exitCode === null, 2000);
    const end = Date.now() + 5000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > end) throw new Error('haproxy did not come up');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  after(async () => {
    for (const ws of sockets) ws.terminate();
    haproxy?.kill('SIGKILL');
    await Promise.all((nodes ?? []).map((n) => n.close(200)));
    await redis?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('puts each host and its devices on one node, and they talk through the proxy', async () => {
    for (let i = 0; i < 6; i++) {
      const secret = newSecret();
      const hostId = hostIdFromSecret(secret);
      const host = new Inbox(new WebSocket(`${base}/v1/host/${hostId}`));
      sockets.push(host.ws);
      const challenge = await host.nextJson();
      host.ws.send(JSON.stringify({ type: 'auth', ...signRelayChallenge(secret, String(challenge.nonce)) }));
      assert.equal((await host.nextJson()).type, 'ready');
      const device = new Inbox(new WebSocket(`${base}/v1/device/${hostId}`));
      sockets.push(device.ws);
      await device.opened;
      const open = await host.nextJson();
      assert.equal(open.type, 'open');
      device.ws.send(Buffer.from('ping'));
      assert.deepEqual((await host.nextBinary()).subarray(4), Buffer.from('ping'));
      host.ws.send(connFrame(open.conn as number, Buffer.from('pong')));
      assert.deepEqual(await device.nextBinary(), Buffer.from('pong'));
    }
    const stats = nodes.map((n) => n.stats());
    assert.equal(stats.reduce((a, s) => a + s.hosts, 0), 6);
    assert.equal(stats.reduce((a, s) => a + s.devices, 0), 6);
    const remote = await Promise.all(ports.map(async (p) => (await (await fetch(`http://127.0.0.1:${p}/metrics`)).text()).match(/^walkie_relay_remote_devices (\d+)$/m)?.[1]));
    assert.deepEqual(remote, ['0', '0', '0'], 'no frame crossed Redis');
  });
});
