// The single-process HostDirectory: a map from host id to the HostSession connected to this relay. What
// `walkie relay` without --redis and the relay embedded in the host use.
import { CloseCode } from '../core/wire/closeCodes';
import type { DeviceTarget, HostDirectory } from './hostDirectory';
import type { HostSession } from './hostSession';
import { shortId, type RelayContext } from './relayPeer';

export class LocalHostDirectory implements HostDirectory {
  private readonly hosts = new Map<string, HostSession>();

  constructor(private readonly ctx: RelayContext) {}

  get localHostCount(): number {
    return this.hosts.size;
  }

  localSessions(): Iterable<HostSession> {
    return this.hosts.values();
  }

  localSession(hostId: string): HostSession | undefined {
    return this.hosts.get(hostId);
  }

  /** Registers `session`, closing an older session for the same id on this node. */
  hostOnline(session: HostSession): void {
    const old = this.hosts.get(session.hostId);
    if (old) {
      // The newer connection has just proven the key, so it wins: the old one (a stale socket, or another
      // copy of the same identity) is told why, and its devices reconnect to the new one.
      replaceSession(old);
      this.ctx.logger.info(`relay: host ${shortId(session.hostId)} replaced`);
    }
    this.hosts.set(session.hostId, session);
  }

  hostOffline(session: HostSession): void {
    if (this.hosts.get(session.hostId) === session) this.hosts.delete(session.hostId);
  }

  findHost(hostId: string): DeviceTarget | undefined {
    const session = this.hosts.get(hostId);
    return session && { attach: (ws) => session.addDevice(ws) };
  }

  metrics(): Record<string, number> {
    return {};
  }

  async close(): Promise<void> {
    this.hosts.clear();
  }
}

/** Closes a host connection that a newer one for the same id has replaced. */
export function replaceSession(old: HostSession): void {
  old.end(CloseCode.hostOffline, 'host replaced');
  try {
    old.ws.close(CloseCode.hostReplaced, 'host replaced');
  } catch {
    old.ws.terminate();
  }
}
