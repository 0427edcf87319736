// Per-connection rate limiting: two token buckets, one counting messages and one counting bytes. A peer
// may burst up to the bucket size, then is held to the refill rate; the relay closes a peer that runs a
// bucket dry (CloseCode.rateLimited) rather than queueing for it, so one peer cannot starve the others.

export interface RateLimit {
  /** Messages per second refilled, and the most that can be spent at once. */
  readonly msgsPerSec: number;
  readonly msgsBurst: number;
  /** Bytes per second refilled, and the most that can be spent at once (≥ one max-size message). */
  readonly bytesPerSec: number;
  readonly bytesBurst: number;
}

export class RateLimiter {
  private msgs: number;
  private bytes: number;
  private last: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
  ) {
    this.msgs = limit.msgsBurst;
    this.bytes = limit.bytesBurst;
    this.last = now();
  }

  /** Spends one message of `size` bytes; false when either bucket cannot pay (nothing is spent then). */
  take(size: number): boolean {
    const t = this.now();
    const elapsed = Math.max(0, t - this.last) / 1000;
    this.last = t;
    this.msgs = Math.min(this.limit.msgsBurst, this.msgs + elapsed * this.limit.msgsPerSec);
    this.bytes = Math.min(this.limit.bytesBurst, this.bytes + elapsed * this.limit.bytesPerSec);
    if (this.msgs < 1 || this.bytes < size) return false;
    this.msgs -= 1;
    this.bytes -= size;
    return true;
  }
}
