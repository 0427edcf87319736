// The sync of a peer without feature `window` — a v1 peer (one that never sent `hello`: a `walkie device` or
// a cached phone page from before features), or one from before `window` — correct at any session length
// (issue 17); "legacy peers" below. Before feature `window` a sync answered with every
// event after the peer's cursor, one `chat` message each: past ~5,000 events that flooded the relay's budget
// for the host link and the peer got nothing. Now a legacy peer gets only the newest LEGACY_SYNC_TAIL events,
// still one `chat` each (all a legacy peer parses), paced by a host-wide budget.
//
// A legacy peer delivers a `chat` only when its seq is the next one (seq = last + 1; src/core/bridge/chatCursor.ts
// as it shipped): a tail that starts after a hole would be dropped whole. So each legacy peer sees the session
// renumbered: the host keeps, per device and session, how many events it left out (`offset`), and shows
// that peer seq − offset everywhere (chat, synced, a session's lastSeq) and reads its `sync.after` as
// after + offset. Offsets only grow and live as long as this host does (in memory, per device id).
import type { Clock, TimerHandle } from '../base/clock';
import type { Disposable } from '../base/dispose';
import type { HostMessage, SessionInfo } from '../wire/protocol';

/**
 * A legacy sync sends at most this many events (the same as the windowed sync, SYNC_WINDOW). Each is its own
 * frame (a legacy peer knows no batches) of at most one Noise message, 64 KiB, shortened to fit by the bridge
 * (frameFit.ts). 200 frames is 1/32 of the relay's burst for a host link (6,400 messages, src/relay/
 * relayLimits.ts hostRate); even all 16 devices a relay lets a host have (maxDevicesPerHost), syncing at
 * once, stay at half that burst, and the pacing below spreads them out anyway.
 */
export const LEGACY_SYNC_TAIL = 200;

/**
 * The host-wide budget for messages to legacy peers: 1,000 messages and 8 MiB a second, bursts of 200. The relay
 * closes a host link that sends more than 3,200 messages or 32 MiB a second (4008, after a burst of twice
 * that): this leaves over two thirds of it to live traffic and windowed syncs, however many legacy peers sync.
 */
export const LEGACY_BUDGET = { msgsPerSec: 1_000, msgsBurst: 200, bytesPerSec: 8 * 1024 * 1024, bytesBurst: 2 * 1024 * 1024 } as const;
const TICK_MS = 20;
/** Devices × sessions whose offsets are kept; the oldest is forgotten first. */
const MAX_OFFSETS = 4_096;

interface Target {
  send(message: HostMessage): void;
}

export class LegacySync implements Disposable {
  private readonly offsets = new Map<string, number>();
  /** Messages waiting for the budget, per peer connection, in the order they were sent. */
  private readonly queues = new Map<Target, HostMessage[]>();
  private msgTokens: number = LEGACY_BUDGET.msgsBurst;
  private byteTokens: number = LEGACY_BUDGET.bytesBurst;
  private refilledAt: number;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly onError: (e: unknown) => void,
  ) {
    this.refilledAt = clock.now();
  }

  /** The peer's `sync.after` (its numbering) in the host's numbering. */
  realAfter(peerId: string, session: string, after: number): number {
    return after + this.offset(peerId, session);
  }

  /**
   * Picks the tail to send for a sync from `realAfter` and renumbers the peer's view so the tail follows its
   * cursor without a hole: `events` are every event after realAfter, oldest first.
   */
  tail<T extends { seq: number }>(peerId: string, session: string, realAfter: number, events: readonly T[]): readonly T[] {
    const tail = events.slice(-LEGACY_SYNC_TAIL);
    const first = tail[0]?.seq;
    if (first !== undefined && first > realAfter + 1) {
      const key = keyOf(peerId, session);
      // The peer's cursor is realAfter − offset; the tail's first event must show as the one after it.
      const cursor = realAfter - this.offset(peerId, session);
      this.offsets.delete(key); // re-inserted last: the most recently used is forgotten last
      this.offsets.set(key, first - 1 - cursor);
      if (this.offsets.size > MAX_OFFSETS) this.offsets.delete(this.offsets.keys().next().value!);
    }
    return tail;
  }

  /** Sends `message` to a legacy peer (or one with messages still queued here): renumbered, within the budget. */
  send(peerId: string, target: Target, message: HostMessage, renumber: boolean): void {
    const shown = renumber ? this.present(peerId, message) : message;
    const queue = this.queues.get(target);
    if (queue) {
      queue.push(shown);
      return;
    }
    this.refill();
    const size = sizeOf(shown);
    if (this.msgTokens >= 1 && this.byteTokens >= size) {
      this.msgTokens -= 1;
      this.byteTokens -= size;
      return target.send(shown);
    }
    this.queues.set(target, [shown]);
    this.schedule();
  }

  /** True while messages for this peer wait for the budget (later ones must queue behind them). */
  queued(target: Target): boolean {
    return this.queues.has(target);
  }

  /** The peer connection is gone: what it had queued is dropped (its next sync starts over). */
  forget(target: Target): void {
    this.queues.delete(target);
  }

  dispose(): void {
    this.queues.clear();
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private offset(peerId: string, session: string): number {
    return this.offsets.get(keyOf(peerId, session)) ?? 0;
  }

  /** The message as this peer numbers things. */
  private present(peerId: string, m: HostMessage): HostMessage {
    const shift = (session: string, seq: number) => Math.max(0, seq - this.offset(peerId, session));
    const info = (s: SessionInfo): SessionInfo => ({ ...s, lastSeq: shift(s.id, s.lastSeq) });
    switch (m.type) {
      case 'chat':
        return { ...m, seq: shift(m.session, m.seq) };
      case 'synced':
        return { ...m, seq: shift(m.session, m.seq) };
      case 'session':
        return { ...m, session: info(m.session) };
      case 'hello':
        return { ...m, sessions: m.sessions.map(info) };
      case 'sessionList':
        return { ...m, sessions: m.sessions.map((x) => ({ ...x, lastSeq: shift(x.id, x.lastSeq) })) };
      default:
        return m;
    }
  }

  private refill(): void {
    const now = this.clock.now();
    const dt = Math.max(0, now - this.refilledAt) / 1000;
    this.refilledAt = now;
    this.msgTokens = Math.min(LEGACY_BUDGET.msgsBurst, this.msgTokens + dt * LEGACY_BUDGET.msgsPerSec);
    this.byteTokens = Math.min(LEGACY_BUDGET.bytesBurst, this.byteTokens + dt * LEGACY_BUDGET.bytesPerSec);
  }

  private schedule(): void {
    if (this.timer !== undefined || this.queues.size === 0) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.drain();
      this.schedule();
    }, TICK_MS);
  }

  /** Sends what the budget allows, one message per peer in turn, so one long sync does not starve another. */
  private drain(): void {
    this.refill();
    while (this.queues.size > 0) {
      let sent = false;
      for (const [target, queue] of [...this.queues]) {
        const next = queue[0]!;
        const size = sizeOf(next);
        // A message bigger than the whole byte burst still goes once the bucket is full, alone.
        if (this.msgTokens < 1 || (this.byteTokens < size && this.byteTokens < LEGACY_BUDGET.bytesBurst)) return;
        this.msgTokens -= 1;
        this.byteTokens -= size;
        queue.shift();
        if (queue.length === 0) this.queues.delete(target);
        sent = true;
        try {
          target.send(next);
        } catch (e) {
          this.onError(e);
        }
      }
      if (!sent) return;
    }
  }
}

function keyOf(peerId: string, session: string): string {
  return `${peerId}\n${session}`;
}

/** About the bytes a message costs on the wire (JSON; a non-ASCII text costs up to 3× this, well inside). */
function sizeOf(m: HostMessage): number {
  return JSON.stringify(m).length;
}
