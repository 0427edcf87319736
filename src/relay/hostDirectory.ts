// The relay's routing seam: which node holds a host id's connection, and how a device reaches it. One
// relay process uses LocalHostDirectory (a map, exactly the relay it always was); a cluster of relay
// nodes uses RedisHostDirectory (src/relay/redisHostDirectory.ts), which keeps the local map for the hosts
// connected here and reaches the others through Redis.
import type { WebSocket } from 'ws';
import type { HostSession } from './hostSession';

/** Where a device for a host id goes, decided before its WebSocket upgrade. */
export interface DeviceTarget {
  /** Takes the freshly upgraded device socket (and from then on owns it). */
  attach(ws: WebSocket): void;
}

export interface HostDirectory {
  /** Connects what the directory needs (Redis) before the relay listens; rejects when it cannot. */
  start?(): Promise<void>;
  /** Host connections proven on this node. */
  readonly localHostCount: number;
  localSessions(): Iterable<HostSession>;
  /** The session proven on this node for `hostId`, if any. */
  localSession(hostId: string): HostSession | undefined;
  /**
   * A host connection just proved `session.hostId` on this node. The newer connection wins: an older one
   * for the same id, on this node or any other, is closed with CloseCode.hostReplaced and its devices with
   * CloseCode.hostOffline (they reconnect to the new one). A promise, when there is one, settles once every
   * node can find the host: the relay says `ready` only then, so a device sent by the host right away
   * cannot beat the announcement.
   */
  hostOnline(session: HostSession): void | Promise<void>;
  /** The session's host socket closed (its devices are already being closed). */
  hostOffline(session: HostSession): void;
  /** Where a device for `hostId` attaches; undefined when no node holds that host. Never rejects. */
  findHost(hostId: string): DeviceTarget | undefined | Promise<DeviceTarget | undefined>;
  /** Counts for /metrics (name → value), beyond what the server counts itself. */
  metrics(): Record<string, number>;
  /** Stops routing: hosts of this node are withdrawn from the cluster. Idempotent. */
  close(): Promise<void>;
}
