// Bookkeeping that makes a prompt show up in the chat exactly once:
//  - device prompts wait here (by clientId) until the agent confirms them with its prompt-submitted hook, so
//    a prompt resent after a reconnect is typed once and its chat event carries the device's clientId;
//  - a confirmed prompt's chat event (with clientId and source) waits for the transcript to repeat the
//    prompt and takes that copy's place, so the chat keeps the transcript's order (2.1.330 flushes its
//    transcript a little late: an answer can land in the file after the next prompt's hook). If the
//    transcript stays silent for `echoGraceMs`, the event goes out on its own and the late copy is dropped.
import type { Clock, TimerHandle } from '../../core/base/clock';
import type { ChatEvent } from '../../core/wire/protocol';

interface PendingPrompt {
  readonly clientId: string;
  readonly key: string;
  readonly done: Promise<void>;
  resolve(): void;
  reject(e: Error): void;
  timer?: TimerHandle;
}

/** Whitespace-insensitive identity of a prompt (the UI may trim or re-wrap what was pasted). */
export function promptKey(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export class PromptLedger {
  private readonly byClientId = new Map<string, PendingPrompt>();
  private readonly confirmed = new Set<string>();
  private queue: PendingPrompt[] = [];
  private echoes: Array<{ keys: string[]; event?: ChatEvent; timer?: TimerHandle }> = [];

  constructor(
    private readonly clock: Clock,
    /** Appends an event to the chat. */
    private readonly flush: (event: ChatEvent) => void,
    private readonly echoGraceMs = 3000,
  ) {}

  /** The promise of an earlier prompt with this clientId (pending or confirmed), if any. */
  existing(clientId: string): Promise<void> | undefined {
    if (this.confirmed.has(clientId)) return Promise.resolve();
    return this.byClientId.get(clientId)?.done;
  }

  /** Registers a device prompt about to be typed; the promise settles on confirmation or timeout. */
  add(clientId: string, text: string, timeoutMs: number, onTimeout: () => Error): Promise<void> {
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const p: PendingPrompt = { clientId, key: promptKey(text), done, resolve, reject };
    p.timer = this.clock.setTimeout(() => {
      this.remove(p);
      p.reject(onTimeout());
    }, timeoutMs);
    this.byClientId.set(clientId, p);
    this.queue.push(p);
    return done;
  }

  /**
   * The agent confirmed a prompt. Returns the clientId of the device prompt it was (oldest match first),
   * or undefined when it was typed in the terminal.
   */
  confirm(text: string): string | undefined {
    const key = promptKey(text);
    const p = this.queue.find((q) => q.key === key);
    if (!p) return undefined;
    this.remove(p);
    this.confirmed.add(p.clientId);
    if (this.confirmed.size > 1024) this.confirmed.delete(this.confirmed.values().next().value as string);
    p.resolve();
    return p.clientId;
  }

  /** Holds a prompt's chat event until the transcript repeats the prompt in any of the forms `texts`. */
  expectEcho(texts: readonly string[], event: ChatEvent): void {
    const entry: { keys: string[]; event?: ChatEvent; timer?: TimerHandle } = { keys: texts.map(promptKey), event };
    entry.timer = this.clock.setTimeout(() => {
      entry.timer = undefined;
      entry.event = undefined;
      this.flush(event);
    }, this.echoGraceMs);
    this.echoes.push(entry);
    if (this.echoes.length > 64) this.echoes.shift();
  }

  /**
   * A prompt seen in the transcript: the held event to append in its place, 'drop' if its event already
   * went out, or undefined if Walkie never saw it (history from before this run).
   */
  takeEcho(text: string): ChatEvent | 'drop' | undefined {
    const key = promptKey(text);
    const i = this.echoes.findIndex((e) => e.keys.includes(key));
    if (i < 0) return undefined;
    const [entry] = this.echoes.splice(i, 1);
    if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
    return entry.event ?? 'drop';
  }

  /** Sends every held event now (the session is ending). */
  flushEchoes(): void {
    for (const e of this.echoes) {
      if (e.timer !== undefined) this.clock.clearTimeout(e.timer);
      e.timer = undefined;
      if (e.event) this.flush(e.event);
      e.event = undefined;
    }
  }

  /** Fails one pending prompt (it could not be typed). */
  fail(clientId: string, e: Error): void {
    const p = this.byClientId.get(clientId);
    if (!p) return;
    this.remove(p);
    p.reject(e);
  }

  /** Fails every pending prompt (the session ended). */
  failAll(e: Error): void {
    for (const p of [...this.queue]) {
      this.remove(p);
      p.reject(e);
    }
  }

  private remove(p: PendingPrompt): void {
    if (p.timer !== undefined) this.clock.clearTimeout(p.timer);
    this.queue = this.queue.filter((q) => q !== p);
    if (this.byClientId.get(p.clientId) === p) this.byClientId.delete(p.clientId);
  }
}
