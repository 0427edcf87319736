// One session's chat history with sequence numbers, so a device that reconnects can ask for everything
// after the last seq it saw (`sync`). Sequence numbers start at 1 and have no gaps; only the last `max`
// entries are kept, so `since()` may begin later than asked (the device sees the jump in seq).
import type { Clock } from '../base/clock';
import { Emitter, type Event } from '../base/event';
import { LIMITS, type ChatEvent } from '../wire/protocol';
import { capText } from '../redaction/secretScanner';

export interface ChatEntry {
  seq: number;
  /** ms since the epoch. */
  at: number;
  event: ChatEvent;
}

export const DEFAULT_CHAT_MAX = 5000;

export class ChatLog {
  private readonly clock: Clock;
  private readonly max: number;
  private entries: ChatEntry[] = [];
  private seq = 0;
  private readonly appendEmitter = new Emitter<ChatEntry>();

  readonly onAppend: Event<ChatEntry> = this.appendEmitter.event;

  constructor(o: { clock: Clock; max?: number }) {
    this.clock = o.clock;
    this.max = o.max ?? DEFAULT_CHAT_MAX;
    if (!Number.isInteger(this.max) || this.max < 1) throw new RangeError(`max must be a positive integer, got ${this.max}`);
  }

  append(event: ChatEvent): ChatEntry {
    const entry: ChatEntry = { seq: ++this.seq, at: this.clock.now(), event: clamp(event) };
    this.entries.push(entry);
    // Trim in batches so a long session does not shift the array on every append.
    if (this.entries.length > this.max + Math.max(1, this.max >> 3)) this.entries = this.entries.slice(-this.max);
    this.appendEmitter.fire(entry);
    return entry;
  }

  /** Entries with seq > `after`, oldest first (as many as are kept). */
  since(after: number): ChatEntry[] {
    const kept = this.entries.length > this.max ? this.entries.slice(-this.max) : this.entries;
    if (!kept.length) return [];
    const first = kept[0]!.seq;
    const from = Math.max(0, Math.floor(after) - first + 1);
    return kept.slice(from);
  }

  /** Up to `limit` entries with seq < `before`, oldest first (the newest of them, as many as are kept). */
  before(before: number, limit: number): ChatEntry[] {
    const kept = this.entries.length > this.max ? this.entries.slice(-this.max) : this.entries;
    if (!kept.length || limit < 1) return [];
    const end = Math.max(0, Math.min(kept.length, Math.floor(before) - kept[0]!.seq));
    return kept.slice(Math.max(0, end - limit), end);
  }

  /** The lowest seq still kept; 0 before the first event. */
  get firstSeq(): number {
    const kept = this.entries.length > this.max ? this.entries[this.entries.length - this.max] : this.entries[0];
    return kept?.seq ?? 0;
  }

  /** The highest seq so far; 0 before the first event. */
  get lastSeq(): number {
    return this.seq;
  }

  dispose(): void {
    this.appendEmitter.dispose();
  }
}

/** Keeps every event within the protocol's caps, so one oversized event cannot make the device drop it. */
function clamp(event: ChatEvent): ChatEvent {
  switch (event.kind) {
    case 'user':
    case 'assistant':
      return event.text.length > LIMITS.text ? { ...event, text: capText(event.text, LIMITS.text) } : event;
    case 'tool':
      return event.summary.length > LIMITS.summary ? { ...event, summary: capText(event.summary, LIMITS.summary) } : event;
    case 'notice':
      return event.text.length > LIMITS.summary * 4 ? { ...event, text: capText(event.text, LIMITS.summary * 4) } : event;
  }
}
