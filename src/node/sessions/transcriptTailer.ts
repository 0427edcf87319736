// Follows an agent's transcript (JSONL, appended line by line): reads the file from the start (so a host
// restart rebuilds the history), then every appended byte, and hands over each complete line. fs.watch
// gives low latency; a poll (one fstat) is the fallback while the file does not exist yet or fs.watch is not
// available, and only a slow safety check while the watch works (an idle host must not wake twice a second).
// Nothing is allocated unless the file grew. Lines are untrusted text: the caller parses them.
import fs from 'node:fs';
import { systemClock, type Clock, type TimerHandle } from '../../core/base/clock';
import type { Disposable } from '../../core/base/dispose';
import { nullLogger, type Logger } from '../../core/base/logger';
import { errorName } from '../../core/base/errorName';

export interface TranscriptTailerOptions {
  readonly file: string;
  readonly onLine: (line: string) => void;
  readonly logger?: Logger;
  /** Poll period while there is no working fs.watch (no file yet, or watch failed). Default 500 ms. */
  readonly pollMs?: number;
  /** Safety check period while fs.watch works (a file system whose watch stays silent). Default 10 s. */
  readonly safetyPollMs?: number;
  /** Times the polls. Default: the system clock. */
  readonly clock?: Clock;
  /** A longer line is skipped (tool results can be huge). Default 16 MiB. */
  readonly maxLineBytes?: number;
}

const CHUNK = 256 * 1024;

export class TranscriptTailer implements Disposable {
  private offset = 0;
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private skipping = false;
  private fd: number | undefined;
  private watcher: fs.FSWatcher | undefined;
  private poll: TimerHandle | undefined;
  private pollDue = 0;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxLineBytes: number;
  private disposed = false;
  private reading = false;

  constructor(private readonly o: TranscriptTailerOptions) {
    this.logger = o.logger ?? nullLogger;
    this.maxLineBytes = o.maxLineBytes ?? 16 * 1024 * 1024;
    this.clock = o.clock ?? systemClock;
    this.readMore();
    this.schedulePoll();
  }

  get file(): string {
    return this.o.file;
  }

  /** Reads whatever was appended since the last read (call it when you know the file grew). */
  readMore(): void {
    if (this.disposed || this.reading) return;
    this.reading = true;
    try {
      if (!this.open()) return;
      const size = fs.fstatSync(this.fd!).size;
      if (size < this.offset) {
        // Truncated or replaced: start over.
        this.offset = 0;
        this.carry = [];
        this.carryBytes = 0;
      }
      if (size === this.offset) return;
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - this.offset));
      while (this.offset < size && !this.disposed) {
        const n = fs.readSync(this.fd!, buf, 0, Math.min(CHUNK, size - this.offset), this.offset);
        if (n <= 0) break;
        this.offset += n;
        this.split(buf.subarray(0, n));
      }
    } catch (e) {
      this.logger.warn(`transcript: read failed (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      this.closeFd();
    } finally {
      this.reading = false;
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.poll !== undefined) this.clock.clearTimeout(this.poll);
    this.poll = undefined;
    this.watcher?.close();
    this.closeFd();
  }

  private open(): boolean {
    if (this.fd !== undefined) return true;
    try {
      this.fd = fs.openSync(this.o.file, 'r');
    } catch {
      return false; // not there yet: the poll retries
    }
    try {
      this.watcher = fs.watch(this.o.file, { persistent: false }, () => this.readMore());
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
        this.schedulePoll();
      });
    } catch {
      this.watcher = undefined; // the poll covers it
    }
    return true;
  }

  /** The next poll: soon while there is no working watch, rarely while there is. */
  private schedulePoll(): void {
    if (this.disposed) return;
    const ms = this.watcher ? (this.o.safetyPollMs ?? 10_000) : (this.o.pollMs ?? 500);
    const due = this.clock.now() + ms;
    // A poll already due sooner stays (the fast one, after a watch failed, replaces a slow one).
    if (this.poll !== undefined && this.pollDue <= due) return;
    if (this.poll !== undefined) this.clock.clearTimeout(this.poll);
    this.pollDue = due;
    this.poll = this.clock.setTimeout(() => {
      this.poll = undefined;
      this.readMore();
      this.schedulePoll();
    }, ms);
    // A tailer alone must not keep the process alive (Node's timers have unref; other clocks need not).
    (this.poll as unknown as { unref?: () => void }).unref?.();
  }

  private closeFd(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    this.schedulePoll();
  }

  private split(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        this.carry = [];
        this.carryBytes = 0;
        continue;
      }
      const line = this.carryBytes ? Buffer.concat([...this.carry, piece]).toString('utf8') : piece.toString('utf8');
      this.carry = [];
      this.carryBytes = 0;
      if (line.trim()) this.emit(line);
    }
    const rest = chunk.subarray(start);
    if (!rest.length || this.skipping) return;
    this.carryBytes += rest.length;
    if (this.carryBytes > this.maxLineBytes) {
      this.logger.warn('transcript: skipped an over-long line');
      this.skipping = true;
      this.carry = [];
      this.carryBytes = 0;
      return;
    }
    this.carry.push(Buffer.from(rest));
  }

  private emit(line: string): void {
    try {
      this.o.onLine(line);
    } catch (e) {
      this.logger.error(`transcript: line handler failed: ${errorName(e)}`);
    }
  }
}
