// Per-source limits on new connections, so one address cannot crowd out everyone else (issue: 260 silent
// `/v1/host` connections from one machine made the relay answer every real host 503). Two rules per source
// address: a token bucket on WebSocket upgrades of any kind, and a cap on host connections that have not
// yet answered their challenge. A source over either gets HTTP 429 before any WebSocket exists. The global
// caps (RelayLimits.maxPendingHosts, maxHosts) still bound the total.
//
// The source is the TCP peer address; behind a reverse proxy every connection comes from the proxy, so the
// operator sets `trustProxy` and the right-most X-Forwarded-For entry (the one the proxy itself added) is
// used instead. Limits are per relay process (docs/relay.md).
import type http from 'node:http';

export interface SourceLimits {
  /** Upgrades a source may start per second, and how many at once. */
  readonly upgradesPerSec: number;
  readonly upgradesBurst: number;
  /** Host connections from one source still answering their challenge. */
  readonly maxPendingHostsPerSource: number;
}

interface Source {
  tokens: number;
  last: number;
  pendingHosts: number;
}

/** Sources remembered at once; the least recently seen idle one is forgotten first. */
const MAX_SOURCES = 65_536;

export class SourceLimiter {
  private readonly sources = new Map<string, Source>();

  constructor(
    private readonly limits: SourceLimits,
    private readonly now: () => number,
  ) {}

  /** Spends one upgrade token of `source`; false when it has none left. */
  admit(source: string): boolean {
    const s = this.get(source);
    const t = this.now();
    s.tokens = Math.min(this.limits.upgradesBurst, s.tokens + (Math.max(0, t - s.last) / 1000) * this.limits.upgradesPerSec);
    s.last = t;
    if (s.tokens < 1) return false;
    s.tokens -= 1;
    return true;
  }

  /** Holds one pending-host slot of `source`; the returned function releases it (once). Undefined: full. */
  holdPendingHost(source: string): (() => void) | undefined {
    const s = this.get(source);
    if (s.pendingHosts >= this.limits.maxPendingHostsPerSource) return undefined;
    s.pendingHosts++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      s.pendingHosts--;
    };
  }

  get size(): number {
    return this.sources.size;
  }

  private get(source: string): Source {
    let s = this.sources.get(source);
    if (s) {
      // Most recently seen last, so the first entries are the ones to forget.
      this.sources.delete(source);
      this.sources.set(source, s);
      return s;
    }
    s = { tokens: this.limits.upgradesBurst, last: this.now(), pendingHosts: 0 };
    this.sources.set(source, s);
    if (this.sources.size > MAX_SOURCES) {
      for (const [key, old] of this.sources) {
        if (this.sources.size <= MAX_SOURCES) break;
        if (old.pendingHosts === 0) this.sources.delete(key);
      }
    }
    return s;
  }
}

/** The address a request comes from: the TCP peer, or behind a trusted proxy the entry it appended. */
export function sourceOf(req: http.IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = req.headers['x-forwarded-for'];
    const last = (Array.isArray(xff) ? xff.join(',') : (xff ?? '')).split(',').map((s) => s.trim()).filter(Boolean).at(-1);
    if (last) return last.slice(0, 64);
  }
  return req.socket.remoteAddress ?? 'unknown';
}
