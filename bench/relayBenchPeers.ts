// Child-process roles for bench/relay.bench.ts, so the relay under test never shares a process (or, on a
// 2-core machine, a core) with the load it is measured under:
//   relay    — a RelayServer (rate limits lifted for the throughput runs, defaults for the memory run);
//              with `redis=<url>` in its options, one node of a cluster (RedisHostDirectory)
//   bare     — a minimal `ws` forwarder (pairs by path, no auth, no framing): the baseline
//   clients  — idle hosts and devices held open for the memory measurement
// Each child talks to the bench over IPC (the `Child` class below) and exits when the bench disconnects.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { WebSocket, WebSocketServer } from 'ws';
import { signRelayChallenge } from '../src/core/wire/relayAuth';
import { RedisHostDirectory } from '../src/relay/redisHostDirectory';
import { RelayServer } from '../src/relay/relayServer';

export const CHILD_FLAG = '--relay-bench-child';
const UNLIMITED = { msgsPerSec: 1e9, msgsBurst: 1e9, bytesPerSec: 1e12, bytesBurst: 1e12 };

type Msg = Record<string, unknown>;
const reply = (m: Msg): void => void process.send?.(m);
const gcNow = async (): Promise<void> => {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
};

export async function runChild(role: string, options: string | undefined): Promise<void> {
  process.on('disconnect', () => process.exit(0));
  if (role === 'relay') {
    const opts = (options ?? '').split(',');
    return relayChild(opts.includes('unlimited'), opts.find((o) => o.startsWith('redis='))?.slice('redis='.length));
  }
  if (role === 'bare') return bareChild();
  if (role === 'clients') return clientsChild();
  throw new Error(`unknown role ${role}`);
}

async function relayChild(unlimited: boolean, redis: string | undefined): Promise<void> {
  const relay = new RelayServer({
    directory: redis === undefined ? undefined : (ctx) => new RedisHostDirectory(ctx, { url: redis }),
    // Every bench peer connects from one address, so the per-source upgrade rate is lifted in both runs.
    limits: { upgradesPerSec: 1e9, upgradesBurst: 1e9, maxPendingHostsPerSource: 1e9, ...(unlimited ? { deviceRate: UNLIMITED, hostRate: UNLIMITED, maxBufferedBytes: 256 * 1024 * 1024 } : {}) },
  });
  const { port } = await relay.start();
  process.on('message', (m: Msg) => {
    void (async () => {
      if (m.cmd === 'mem') {
        await gcNow();
        reply({ mem: process.memoryUsage(), stats: relay.stats() });
      } else if (m.cmd === 'cpu') {
        reply({ cpu: process.cpuUsage() });
      } else if (m.cmd === 'exit') {
        await relay.close();
        process.exit(0);
      }
    })();
  });
  reply({ port });
}

async function bareChild(): Promise<void> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 70_004, clientTracking: false });
  const pairs = new Map<string, { host?: WebSocket; device?: WebSocket }>();
  wss.on('connection', (ws, req) => {
    const [, role, id] = (req.url ?? '').split('/');
    if ((role !== 'host' && role !== 'device') || !id) return ws.terminate();
    const pair = pairs.get(id) ?? {};
    pairs.set(id, pair);
    pair[role] = ws;
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => (role === 'host' ? pair.device : pair.host)?.send(data as Buffer, { binary: isBinary }));
    ws.on('close', () => pairs.delete(id));
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  process.on('message', (m: Msg) => {
    if (m.cmd === 'cpu') reply({ cpu: process.cpuUsage() });
    if (m.cmd === 'exit') wss.close(() => process.exit(0));
  });
  reply({ port: (wss.address() as { port: number }).port });
}

/** Opens a WebSocket and resolves once it is open (rejects on an early close or error). */
export function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`closed before open (${code})`)));
  });
}

/** An authenticated raw host connection to a relay. */
export function openHost(port: number, secret: Uint8Array): Promise<{ ws: WebSocket; hostId: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/host`, { perMessageDeflate: false });
    ws.on('error', reject);
    ws.once('close', (code) => reject(new Error(`host closed (${code})`)));
    const onMessage = (data: Buffer, isBinary: boolean): void => {
      if (isBinary) return;
      const m = JSON.parse(data.toString()) as Msg;
      if (m.type === 'challenge') ws.send(JSON.stringify({ type: 'auth', ...signRelayChallenge(secret, m.nonce as string) }));
      if (m.type === 'ready') {
        ws.off('message', onMessage);
        resolve({ ws, hostId: m.hostId as string });
      }
    };
    ws.on('message', onMessage);
  });
}

async function clientsChild(): Promise<void> {
  const sockets: WebSocket[] = [];
  const hosts: string[] = [];
  process.on('message', (m: Msg) => {
    void (async () => {
      try {
        if (m.cmd === 'hosts') {
          const port = m.port as number;
          for (let start = 0; start < (m.count as number); start += 16) {
            const batch = Array.from({ length: Math.min(16, (m.count as number) - start) }, () => openHost(port, crypto.getRandomValues(new Uint8Array(32))));
            for (const h of await Promise.all(batch)) {
              h.ws.removeAllListeners('close');
              h.ws.on('error', () => {});
              sockets.push(h.ws);
              hosts.push(h.hostId);
            }
          }
          reply({ ok: hosts.length });
        } else if (m.cmd === 'devices') {
          const port = m.port as number;
          const perHost = m.perHost as number;
          const total = m.count as number;
          for (let start = 0; start < total; start += 100) {
            const batch = Array.from({ length: Math.min(100, total - start) }, (_, k) => {
              const hostId = hosts[Math.floor((start + k) / perHost)]!;
              return openSocket(`ws://127.0.0.1:${port}/v1/device/${hostId}`);
            });
            for (const ws of await Promise.all(batch)) {
              ws.removeAllListeners('close');
              ws.on('error', () => {});
              sockets.push(ws);
            }
          }
          reply({ ok: total });
        } else if (m.cmd === 'exit') {
          for (const ws of sockets) ws.terminate();
          process.exit(0);
        }
      } catch (e) {
        reply({ error: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
  reply({ ready: true });
}

/** A child role under `ulimit -n 20000` (5,000 sockets need more than a default 1,024 descriptors). */
export class Child {
  private readonly proc: ChildProcess;
  private readonly inbox: Msg[] = [];
  private waiter: ((m: Msg) => void) | undefined;

  /** Runs `script` (the bench bundle) as the child `role`. */
  constructor(script: string, role: string, option = '') {
    const limit = Number(spawnSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
    const wrap = !(limit >= 12_000);
    this.proc = fork(script, [CHILD_FLAG, role, option], {
      execArgv: ['--expose-gc'],
      execPath: wrap ? 'bash' : process.execPath,
      ...(wrap ? { execArgv: ['-c', 'ulimit -n 20000; exec "$0" --expose-gc "$@"', process.execPath] } : {}),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (m: Msg) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(m);
      } else this.inbox.push(m);
    });
  }

  next(timeoutMs = 60_000): Promise<Msg> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('bench child did not answer')), timeoutMs);
      this.waiter = (m) => {
        clearTimeout(t);
        if (typeof m.error === 'string') reject(new Error(m.error));
        else resolve(m);
      };
    });
  }

  async ask(m: Msg): Promise<Msg> {
    this.proc.send(m);
    return this.next();
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    try {
      this.proc.send({ cmd: 'exit' });
    } catch {
      /* already gone */
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}
