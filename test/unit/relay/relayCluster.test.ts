import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { CloseCode } from '../../../src/core/wire/closeCodes';
import { RedisHostDirectory } from '../../../src/relay/redisHostDirectory';
import type { RelayServer } from '../../../src/relay/relayServer';
import { RedisTestServer } from './redisTestServer';
import { connectDevice, connectHost, connFrame, eventually, Inbox, newSecret, startRelay } from './relayTestKit';

const TTL_MS = 600;

/** A device that keeps reconnecting (as a real one does) until the relay attaches it to `host`. */
async function reachableDevice(base: string, host: { inbox: Inbox; hostId: string }, timeoutMs: number): Promise<{ inbox: Inbox; conn: number }> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const inbox = new Inbox(new WebSocket(`${base}/v1/device/${host.hostId}`));
    // A refused device is closed right after its upgrade; one still open a moment later is attached.
    const refused = await Promise.race([inbox.closed.then(() => true), inbox.opened.then(() => new Promise((r) => setTimeout(() => r(false), 300)))]).catch(() => true);
    if (!refused && inbox.ws.readyState === WebSocket.OPEN) {
      const open = await host.inbox.nextJson();
      if (open.type === 'open') return { inbox, conn: open.conn as number };
    }
    inbox.ws.terminate();
    if (Date.now() > end) throw new Error('the device never reached its host');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('RelayServer cluster (three nodes, one real Redis)', function () {
  this.timeout(20000);
  let redis: RedisTestServer;
  let nodes: { relay: RelayServer; base: string; directory: RedisHostDirectory }[];
  const sockets: WebSocket[] = [];
  const track = <T extends { inbox: Inbox }>(x: T): T => (sockets.push(x.inbox.ws), x);

  const startNode = async () => {
    let directory!: RedisHostDirectory;
    const { relay, base } = await startRelay({ directory: (ctx) => (directory = new RedisHostDirectory(ctx, { url: redis.url, ttlMs: TTL_MS })) });
    return { relay, base, directory };
  };

  before(async () => {
    redis = await RedisTestServer.start();
  });
  after(async () => {
    await redis?.stop();
  });
  beforeEach(async () => {
    nodes = [await startNode(), await startNode(), await startNode()];
  });
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await Promise.all(nodes.map((n) => n.relay.close(200)));
  });

  it('routes frames between a host on node 1 and devices on nodes 2 and 3, with conn ids unique across nodes', async () => {
    const host = track(await connectHost(nodes[0]!.base));
    const d2 = track(await connectDevice(nodes[1]!.base, host));
    const d3 = track(await connectDevice(nodes[2]!.base, host));
    const d1 = track(await connectDevice(nodes[0]!.base, host));
    assert.equal(new Set([d1.conn, d2.conn, d3.conn]).size, 3);
    for (const d of [d2, d3, d1]) {
      const payload = randomBytes(1024);
      d.inbox.ws.send(payload);
      const got = await host.inbox.nextBinary();
      assert.equal(got.readUInt32BE(0), d.conn);
      assert.deepEqual(got.subarray(4), payload);
    }
    for (const d of [d3, d1, d2]) {
      const payload = randomBytes(300);
      host.inbox.ws.send(connFrame(d.conn, payload));
      assert.deepEqual(await d.inbox.nextBinary(), payload);
    }
    assert.deepEqual(nodes[0]!.relay.stats(), { hosts: 1, devices: 3 });
    assert.equal(nodes[1]!.directory.metrics().walkie_relay_remote_devices, 1);
  });

  it('keeps frame order across nodes', async () => {
    const host = track(await connectHost(nodes[0]!.base));
    const d = track(await connectDevice(nodes[1]!.base, host));
    for (let i = 0; i < 50; i++) d.inbox.ws.send(Buffer.from([i]));
    for (let i = 0; i < 50; i++) assert.equal((await host.inbox.nextBinary())[4], i);
  });

  it('holds a device on another node to its own node\'s rules: text → 1003, over its rate → 4008', async () => {
    const strict = await startRelay({
      directory: (ctx) => new RedisHostDirectory(ctx, { url: redis.url, ttlMs: TTL_MS }),
      limits: { deviceRate: { msgsPerSec: 1, msgsBurst: 3, bytesPerSec: 1e6, bytesBurst: 1e6 } },
    });
    try {
      const host = track(await connectHost(nodes[0]!.base));
      const chatty = track(await connectDevice(strict.base, host));
      for (let i = 0; i < 3; i++) chatty.inbox.ws.send(Buffer.from([i]));
      for (let i = 0; i < 3; i++) assert.equal((await host.inbox.nextBinary())[4], i);
      chatty.inbox.ws.send(Buffer.from([3]));
      assert.equal((await chatty.inbox.closed).code, CloseCode.rateLimited);
      assert.deepEqual(await host.inbox.nextJson(), { type: 'close', conn: chatty.conn });
      const texter = track(await connectDevice(strict.base, host));
      texter.inbox.ws.send('hello');
      assert.equal((await texter.inbox.closed).code, CloseCode.unsupportedData);
    } finally {
      await strict.relay.close(200);
    }
  });

  it('tells the host when a device on another node leaves, and closes that device when the host asks', async () => {
    const host = track(await connectHost(nodes[0]!.base));
    const a = track(await connectDevice(nodes[1]!.base, host));
    const b = track(await connectDevice(nodes[2]!.base, host));
    a.inbox.ws.close(1000);
    assert.deepEqual(await host.inbox.nextJson(), { type: 'close', conn: a.conn });
    host.inbox.ws.send(JSON.stringify({ type: 'close', conn: b.conn, code: 4410, reason: 'revoked' }));
    assert.deepEqual(await b.inbox.closed, { code: 4410, reason: 'revoked' });
    await eventually(() => nodes[2]!.directory.metrics().walkie_relay_remote_devices === 0);
    assert.equal(host.inbox.pending, 0);
  });

  it('closes a device with 4004 when its host is connected to no node', async () => {
    const secret = newSecret();
    const host = await connectHost(nodes[0]!.base, secret);
    host.inbox.ws.close(1000);
    await eventually(() => nodes[0]!.relay.stats().hosts === 0);
    const device = new Inbox(new WebSocket(`${nodes[1]!.base}/v1/device/${host.hostId}`));
    assert.equal((await device.closed).code, CloseCode.hostOffline);
  });

  it('lets a newer host connection on node 3 replace the one on node 1: 4005 to the old host, 4004 to its devices', async () => {
    const secret = newSecret();
    const oldHost = track(await connectHost(nodes[0]!.base, secret));
    const device = track(await connectDevice(nodes[1]!.base, oldHost));
    const newHost = track(await connectHost(nodes[2]!.base, secret));
    assert.equal((await oldHost.inbox.closed).code, CloseCode.hostReplaced);
    assert.equal((await device.inbox.closed).code, CloseCode.hostOffline);
    // The device reconnects (through any node) and reaches the new connection.
    const again = track(await connectDevice(nodes[1]!.base, newHost));
    again.inbox.ws.send(Buffer.from('hi'));
    assert.deepEqual((await newHost.inbox.nextBinary()).subarray(4), Buffer.from('hi'));
    assert.equal(nodes[0]!.relay.stats().hosts, 0);
  });

  it('forgets the hosts of a node that goes silent within the TTL, and closes their devices on other nodes with 4004', async () => {
    const host = track(await connectHost(nodes[0]!.base));
    const device = track(await connectDevice(nodes[1]!.base, host));
    // Node 1 loses Redis for good, as if killed: no goodbye, its keys simply stop being refreshed.
    const silent = nodes[0]!.directory as unknown as { cmd: Redis; sub: Redis };
    silent.cmd.disconnect();
    silent.sub.disconnect();
    const t0 = Date.now();
    assert.equal((await device.inbox.closed).code, CloseCode.hostOffline);
    assert.ok(Date.now() - t0 < 3 * TTL_MS, `closed after ${Date.now() - t0} ms`);
    const late = new Inbox(new WebSocket(`${nodes[2]!.base}/v1/device/${host.hostId}`));
    assert.equal((await late.closed).code, CloseCode.hostOffline);
  });

  it('stores only host ids, node ids and conn counters in Redis, and publishes only ids and ciphertext', async () => {
    const probe = new Redis(redis.url);
    const sub = new Redis(redis.url);
    try {
      const seen: Buffer[] = [];
      await sub.psubscribe('walkie:*');
      sub.on('pmessageBuffer', (_p: Buffer, _c: Buffer, m: Buffer) => seen.push(m));
      const host = track(await connectHost(nodes[0]!.base));
      const d = track(await connectDevice(nodes[1]!.base, host));
      const payload = randomBytes(64);
      d.inbox.ws.send(payload);
      await host.inbox.nextBinary();
      const keys = (await probe.keys('*')).sort();
      assert.ok(keys.length > 0);
      for (const k of keys) assert.match(k, /^walkie:(host|conn):[A-Za-z0-9_-]{43}$|^walkie:node:[0-9a-f]{16}$/);
      assert.match((await probe.get(`walkie:host:${host.hostId}`)) ?? '', /^[0-9a-f]{16}\/[0-9a-f]{12}$/);
      await eventually(() => seen.some((m) => m.includes(payload)));
      for (const m of seen) assert.ok(m.includes(Buffer.from(host.hostId)), 'every message is addressed by host id');
    } finally {
      probe.disconnect();
      sub.disconnect();
    }
  });

  it('recovers from a Redis restart: cross-node devices are told to retry, then reach the host again', async () => {
    const host = track(await connectHost(nodes[0]!.base));
    const device = track(await connectDevice(nodes[1]!.base, host));
    await redis.stop();
    assert.equal((await device.inbox.closed).code, CloseCode.tryAgainLater);
    assert.deepEqual(await host.inbox.nextJson(), { type: 'close', conn: device.conn });
    const meanwhile = new Inbox(new WebSocket(`${nodes[2]!.base}/v1/device/${host.hostId}`));
    assert.equal((await meanwhile.closed).code, CloseCode.tryAgainLater, 'while Redis is away, devices are told to retry');
    await redis.launch();
    // The host stayed connected to node 1; node 1 re-announces it within a refresh.
    await eventually(() => nodes.every((n) => n.directory.metrics().walkie_relay_redis_up === 1), 5000);
    const again = track(await reachableDevice(nodes[2]!.base, host, 6000));
    assert.notEqual(again.conn, device.conn, 'a conn id is not reused after the restart');
    again.inbox.ws.send(Buffer.from('back'));
    assert.deepEqual((await host.inbox.nextBinary()).subarray(4), Buffer.from('back'));
  });
});
