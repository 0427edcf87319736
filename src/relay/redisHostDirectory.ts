// The cluster HostDirectory (docs/relay.md, "Several nodes"): relay nodes share one Redis. A node keeps
// its own hosts in a LocalHostDirectory and announces each in Redis (`host:<hostId>` → `<node>/<token>`,
// with a TTL its node refreshes, so a dead node's hosts vanish within ttlMs). A device that lands on
// another node is attached there and its frames cross through Redis pub/sub on the host node's channel;
// the host's frames come back on the device node's channel. Nodes also keep `node:<id>` alive with a TTL,
// so when a node dies the others close what went through it and its clients reconnect elsewhere.
// What Redis sees: host ids, node ids, conn ids and Noise ciphertext — never keys or plaintext.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { WebSocket } from 'ws';
import type { TimerHandle } from '../core/base/clock';
import { CloseCode } from '../core/wire/closeCodes';
import { HOST_ID_PATTERN } from '../core/wire/relayAuth';
import { ClusterPublisher, splitBatch } from './clusterPublisher';
import { ClusterKind, decodeClusterMessage, encodeClose, encodeClusterMessage, type ClusterMessage } from './clusterMessage';
import type { DeviceTarget, HostDirectory } from './hostDirectory';
import type { HostSession } from './hostSession';
import { LocalHostDirectory, replaceSession } from './localHostDirectory';
import { RemoteDevices } from './remoteDevices';
import { RelayError, closeCodeOf } from './relayError';
import { failPeer, shortId, type RelayContext } from './relayPeer';
import { CLAIM, LOCATE, REFRESH, RELEASE } from './redisScripts';

export interface RedisDirectoryOptions {
  /** redis://[user:password@]host:port[/db] — never logged (it may hold a password). */
  readonly url: string;
  /** How long a host or node stays known without a refresh; refreshed every third of it. */
  readonly ttlMs?: number;
  /** Key and channel prefix, so several clusters can share one Redis. */
  readonly prefix?: string;
}

/** A host connection on another node, as the host side sees one of its remote conns. */
interface RemoteConn {
  readonly session: HostSession;
  readonly node: string;
}

export class RedisHostDirectory implements HostDirectory {
  readonly nodeId = randomBytes(8).toString('hex');
  private readonly local: LocalHostDirectory;
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private readonly ttlMs: number;
  private readonly prefix: string;
  /** The registration value (`<node>/<token>`) of each local session. */
  private readonly claims = new Map<HostSession, string>();
  /** Host side: conns of local sessions whose device is on another node, by `hostId:conn`. */
  private readonly remoteConns = new Map<string, RemoteConn>();
  private readonly devices: RemoteDevices;
  private readonly publisher: ClusterPublisher;
  private timer: TimerHandle | undefined;
  private closed = false;
  private redisUp = 0;

  constructor(
    private readonly ctx: RelayContext,
    o: RedisDirectoryOptions,
  ) {
    this.local = new LocalHostDirectory(ctx);
    this.ttlMs = o.ttlMs ?? 6_000;
    this.prefix = o.prefix ?? 'walkie:';
    // No offline queue: while Redis is away a command fails at once (and its device is told to retry)
    // instead of piling frames up in memory to deliver, stale, later.
    const common = { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: (n: number) => Math.min(100 * n, 1_000) } as const;
    this.cmd = new Redis(o.url, { ...common, enableAutoPipelining: true, connectionName: `walkie-relay-${this.nodeId}` });
    this.sub = new Redis(o.url, { ...common, connectionName: `walkie-relay-sub-${this.nodeId}` });
    this.publisher = new ClusterPublisher((node, batch) => this.cmd.publish(this.channel(node), batch));
    this.devices = new RemoteDevices(ctx, (node, msg, onFail) => this.publish(node, msg, onFail));
    for (const client of [this.cmd, this.sub]) client.on('error', () => this.ctx.logger.debug('relay: redis error'));
    this.sub.on('messageBuffer', (_channel: Buffer, data: Buffer) => this.onBusMessage(data));
    this.sub.on('ready', () => (this.redisUp = 1));
    // Pub/sub is at-most-once: once the subscription drops, frames may have been lost, so every cross-node
    // conn is closed (its device reconnects, its host sees `close`) rather than left silently broken.
    this.sub.on('close', () => {
      this.redisUp = 0;
      this.dropCrossNode(CloseCode.tryAgainLater, 'relay cluster unavailable');
    });
  }

  /** Connects to Redis and subscribes to this node's channel; rejects when Redis cannot be reached. */
  async start(): Promise<void> {
    try {
      await Promise.all([this.cmd.connect(), this.sub.connect()]);
      await this.sub.subscribe(this.channel(this.nodeId));
    } catch (e) {
      this.cmd.disconnect();
      this.sub.disconnect();
      throw new RelayError('RELAY_ERR_CLUSTER_UNAVAILABLE', 'cannot reach redis', { cause: e });
    }
    this.redisUp = 1;
    await this.tick();
  }

  get localHostCount(): number {
    return this.local.localHostCount;
  }

  localSessions(): Iterable<HostSession> {
    return this.local.localSessions();
  }

  localSession(hostId: string): HostSession | undefined {
    return this.local.localSession(hostId);
  }

  hostOnline(session: HostSession): Promise<void> {
    this.local.hostOnline(session);
    const value = `${this.nodeId}/${randomBytes(6).toString('hex')}`;
    this.claims.set(session, value);
    const { hostId } = session;
    return this.cmd
      .eval(CLAIM, 2, this.key('host', hostId), this.key('conn', hostId), value, this.ttlMs, session.highestConn)
      .then((old) => {
        const [node, token] = typeof old === 'string' ? old.split('/') : [];
        // The newer connection wins across nodes too: the node holding the older one closes it.
        if (node && token && node !== this.nodeId) this.publish(node, encodeClusterMessage(ClusterKind.replaced, hostId, 0, Buffer.from(old as string)));
      })
      .catch(() => this.ctx.logger.warn(`relay: could not announce host ${shortId(hostId)} (redis)`));
  }

  hostOffline(session: HostSession): void {
    this.local.hostOffline(session);
    this.release(session);
  }

  async findHost(hostId: string): Promise<DeviceTarget | undefined> {
    let found: unknown;
    try {
      found = await this.cmd.eval(LOCATE, 2, this.key('host', hostId), this.key('conn', hostId));
    } catch {
      return { attach: (ws) => failPeer(ws, new RelayError('RELAY_ERR_CLUSTER_UNAVAILABLE', 'try again later'), this.ctx, 'device') };
    }
    if (!Array.isArray(found) || typeof found[0] !== 'string' || typeof found[1] !== 'number') return undefined;
    const [value, conn] = found as [string, number];
    const node = value.split('/')[0]!;
    if (node === this.nodeId) {
      const session = this.local.localSession(hostId);
      if (!session || this.claims.get(session) !== value) return undefined;
      return { attach: (ws) => session.addDevice(ws, conn) };
    }
    return { attach: (ws: WebSocket) => this.devices.attach(ws, hostId, conn, node, this.nodeId) };
  }

  metrics(): Record<string, number> {
    return { walkie_relay_remote_devices: this.devices.size, walkie_relay_remote_conns: this.remoteConns.size, walkie_relay_redis_up: this.redisUp };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.ctx.clock.clearTimeout(this.timer);
    this.dropCrossNode(CloseCode.goingAway, 'relay shutting down');
    this.publisher.flushAll();
    await Promise.allSettled([...this.claims.keys()].map((s) => this.release(s)));
    await this.cmd.del(this.key('node', this.nodeId)).catch(() => {});
    await Promise.allSettled([this.cmd, this.sub].map((c) => (c.status === 'ready' ? c.quit() : undefined)));
    this.cmd.disconnect();
    this.sub.disconnect();
  }

  private onBusMessage(batch: Buffer): void {
    const messages = splitBatch(batch);
    if (!messages) return this.ctx.logger.debug('relay: dropped a malformed cluster batch');
    for (const data of messages) {
      try {
        const msg = decodeClusterMessage(data, HOST_ID_PATTERN);
        if (!msg) {
          this.ctx.logger.debug('relay: dropped a malformed cluster message');
          continue;
        }
        if (msg.kind === ClusterKind.toDevice || msg.kind === ClusterKind.closeDevice) this.devices.onMessage(msg);
        else this.onHostSideMessage(msg);
      } catch {
        this.ctx.logger.warn('relay: a cluster message failed');
      }
    }
  }

  /** Messages for the hosts on this node, from the nodes their devices are on. */
  private onHostSideMessage(msg: ClusterMessage): void {
    const session = this.local.localSession(msg.hostId);
    const key = `${msg.hostId}:${msg.conn}`;
    switch (msg.kind) {
      case ClusterKind.open: {
        const node = Buffer.from(msg.body).toString('latin1');
        if (!/^[0-9a-f]{16}$/.test(node)) return;
        const refuse = (code: number, reason: string): void => this.publish(node, encodeClusterMessage(ClusterKind.closeDevice, msg.hostId, msg.conn, encodeClose(code, reason)));
        if (!session) return refuse(CloseCode.hostOffline, 'host offline');
        try {
          session.addRemoteDevice(msg.conn, {
            send: (payload) => this.publish(node, encodeClusterMessage(ClusterKind.toDevice, msg.hostId, msg.conn, payload)),
            close: (code, reason) => {
              if (this.remoteConns.get(key)?.session === session) this.remoteConns.delete(key);
              refuse(code, reason);
            },
          });
          this.remoteConns.set(key, { session, node });
        } catch (e) {
          refuse(closeCodeOf(e), e instanceof RelayError ? e.message : 'internal error');
        }
        return;
      }
      case ClusterKind.toHost:
        if (this.remoteConns.get(key)?.session === session) session?.fromRemoteDevice(msg.conn, msg.body);
        return;
      case ClusterKind.deviceClosed:
        if (session && this.remoteConns.get(key)?.session === session) {
          this.remoteConns.delete(key);
          session.remoteDeviceClosed(msg.conn);
        }
        return;
      case ClusterKind.replaced:
        if (session && this.claims.get(session) === Buffer.from(msg.body).toString('latin1')) {
          this.ctx.logger.info(`relay: host ${shortId(msg.hostId)} replaced on another node`);
          replaceSession(session);
        }
        return;
    }
  }

  /** Every ttlMs/3: keep this node and its hosts alive in Redis; close what went through dead nodes. */
  private async tick(): Promise<void> {
    if (this.closed) return;
    try {
      const pipeline = this.cmd.pipeline().set(this.key('node', this.nodeId), '1', 'PX', this.ttlMs);
      const sessions = [...this.claims];
      for (const [s, value] of sessions) pipeline.eval(REFRESH, 2, this.key('host', s.hostId), this.key('conn', s.hostId), value, this.ttlMs, s.highestConn);
      const peers = [...new Set([...this.devices.nodes(), ...[...this.remoteConns.values()].map((c) => c.node)])];
      for (const node of peers) pipeline.exists(this.key('node', node));
      const results = (await pipeline.exec()) ?? [];
      sessions.forEach(([s], i) => {
        // Someone else owns the id now (we missed the `replaced` message): the newer connection wins.
        if (results[1 + i]?.[1] === 0 && this.claims.has(s)) replaceSession(s);
      });
      peers.forEach((node, i) => {
        if (results[1 + sessions.length + i]?.[1] === 0) this.nodeGone(node);
      });
    } catch {
      this.ctx.logger.debug('relay: cluster refresh failed (redis)');
    }
    if (!this.closed) this.timer = this.ctx.clock.setTimeout(() => void this.tick(), Math.max(50, Math.floor(this.ttlMs / 3)));
  }

  /** A node stopped refreshing its key: its devices' conns end here, its hosts' devices reconnect. */
  private nodeGone(node: string): void {
    this.ctx.logger.info('relay: a cluster node is gone');
    this.devices.closeNode(node, CloseCode.hostOffline, 'host offline');
    for (const [key, c] of this.remoteConns) {
      if (c.node !== node) continue;
      this.remoteConns.delete(key);
      c.session.remoteDeviceClosed(Number(key.slice(key.lastIndexOf(':') + 1)));
    }
  }

  private dropCrossNode(code: number, reason: string): void {
    this.devices.closeAll(code, reason);
    for (const [key, c] of this.remoteConns) {
      this.remoteConns.delete(key);
      c.session.remoteDeviceClosed(Number(key.slice(key.lastIndexOf(':') + 1)));
    }
  }

  private async release(session: HostSession): Promise<void> {
    const value = this.claims.get(session);
    if (value === undefined) return;
    this.claims.delete(session);
    await this.cmd.eval(RELEASE, 1, this.key('host', session.hostId), value).catch(() => {});
  }

  /** Publishes on `node`'s channel; `onFail` runs when Redis would not take it. */
  private publish(node: string, message: Buffer, onFail?: () => void): void {
    this.publisher.publish(node, message, onFail);
  }

  private key(kind: 'host' | 'conn' | 'node', id: string): string {
    return `${this.prefix}${kind}:${id}`;
  }

  private channel(node: string): string {
    return `${this.prefix}n:${node}`;
  }
}
