// Test helpers for the relay: a real RelayServer on port 0, raw `ws` clients for hosts and devices, and an
// inbox that queues what a socket receives so a test can await the next message or the close.
import { ed25519 } from '@noble/curves/ed25519.js';
import { randomBytes } from 'node:crypto';
import { WebSocket, type ClientOptions } from 'ws';
import { signRelayChallenge } from '../../../src/core/wire/relayAuth';
import type { RelayLimits } from '../../../src/relay/relayLimits';
import { RelayServer, type RelayServerOptions } from '../../../src/relay/relayServer';

export type Received = { text: string } | { binary: Buffer };

/** Queues a socket's messages and its close, for `await inbox.next()` / `await inbox.closed`. */
export class Inbox {
  private readonly queue: Received[] = [];
  private waiters: { resolve: (m: Received) => void; reject: (e: Error) => void }[] = [];
  private closeCode: number | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(readonly ws: WebSocket) {
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      const m: Received = isBinary ? { binary: data as Buffer } : { text: (data as Buffer).toString('utf8') };
      const w = this.waiters.shift();
      if (w) w.resolve(m);
      else this.queue.push(m);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        for (const w of this.waiters.splice(0)) w.reject(new Error(`closed (${code})`));
        resolve({ code, reason: reason.toString() });
      }),
    );
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('close', (code) => reject(new Error(`closed before open (${code})`)));
    });
    this.opened.catch(() => {});
  }

  next(timeoutMs = 3000): Promise<Received> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closeCode !== undefined) return Promise.reject(new Error(`closed (${this.closeCode})`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error('no message in time'));
      }, timeoutMs);
      const waiter = {
        resolve: (m: Received): void => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e: Error): void => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.push(waiter);
    });
  }

  async nextJson(timeoutMs?: number): Promise<Record<string, unknown>> {
    const m = await this.next(timeoutMs);
    if (!('text' in m)) throw new Error('expected a text message, got binary');
    return JSON.parse(m.text) as Record<string, unknown>;
  }

  async nextBinary(timeoutMs?: number): Promise<Buffer> {
    const m = await this.next(timeoutMs);
    if (!('binary' in m)) throw new Error(`expected a binary message, got text ${m.text.slice(0, 60)}`);
    return m.binary;
  }

  /** How many messages are waiting unread. */
  get pending(): number {
    return this.queue.length;
  }
}

export async function startRelay(o: Omit<RelayServerOptions, 'limits'> & { limits?: Partial<RelayLimits> } = {}) {
  const relay = new RelayServer(o);
  const { port, url } = await relay.start();
  return { relay, port, url, base: `ws://127.0.0.1:${port}` };
}

export function newSecret(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

export function publicKeyOf(secret: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(secret);
}

/** A raw host client that has been challenged (not yet answered). */
export async function challengedHost(base: string, options?: ClientOptions): Promise<{ inbox: Inbox; nonce: string }> {
  const inbox = new Inbox(new WebSocket(`${base}/v1/host`, options));
  const challenge = await inbox.nextJson();
  if (challenge.type !== 'challenge' || typeof challenge.nonce !== 'string') throw new Error('expected a challenge');
  return { inbox, nonce: challenge.nonce };
}

/** A raw host client, authenticated; `hostId` is what the relay said in `ready`. */
export async function connectHost(base: string, secret = newSecret(), options?: ClientOptions): Promise<{ inbox: Inbox; hostId: string; secret: Uint8Array }> {
  const { inbox, nonce } = await challengedHost(base, options);
  inbox.ws.send(JSON.stringify({ type: 'auth', ...signRelayChallenge(secret, nonce) }));
  const ready = await inbox.nextJson();
  if (ready.type !== 'ready' || typeof ready.hostId !== 'string') throw new Error(`expected ready, got ${JSON.stringify(ready)}`);
  return { inbox, hostId: ready.hostId, secret };
}

/** A device connected to `hostId`, plus the conn id the host was told (read from the host's inbox). */
export async function connectDevice(base: string, host: { inbox: Inbox; hostId: string }, options?: ClientOptions): Promise<{ inbox: Inbox; conn: number }> {
  const inbox = new Inbox(new WebSocket(`${base}/v1/device/${host.hostId}`, options));
  await inbox.opened;
  const open = await host.inbox.nextJson();
  if (open.type !== 'open' || typeof open.conn !== 'number') throw new Error(`expected open, got ${JSON.stringify(open)}`);
  return { inbox, conn: open.conn };
}

/** `[conn u32 BE][payload]`. */
export function connFrame(conn: number, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + payload.length);
  out.writeUInt32BE(conn >>> 0, 0);
  out.set(payload, 4);
  return out;
}

/** Polls `check` until it is true (a bounded wait for state the relay updates asynchronously). */
export async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Terminates every client socket given, ignoring the already closed. */
export function terminateAll(...sockets: (WebSocket | undefined)[]): void {
  for (const ws of sockets) ws?.terminate();
}
