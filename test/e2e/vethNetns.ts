// Two network namespaces joined by a veth pair (198.18.0.1/30 ⇄ 198.18.0.2/30, the RFC 2544 benchmarking
// range, addresses that exist only inside these namespaces), and a way for a process inside one to reach the
// scripted model that runs in the test process (through a Unix socket: namespaces share the filesystem).
// Used by test/e2e/vethPair.test.ts and bench/reach.bench.ts. Needs root (`ip netns add`).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const IP = fs.existsSync('/usr/sbin/ip') ? '/usr/sbin/ip' : 'ip';
export const HOST_ADDRESS = '198.18.0.1';
export const PHONE_ADDRESS = '198.18.0.2';

/**
 * Two namespaces and a veth pair between them, plus a third with no network but loopback, all with unique
 * names; `remove()` is safe to call twice.
 */
export interface VethPair {
  readonly a: string;
  readonly b: string;
  /** Only `lo`: a machine with no LAN address. */
  readonly offline: string;
  /** Runs a command inside a namespace: `['ip', 'netns', 'exec', ns]`. */
  prefix(ns: string): string[];
  remove(): void;
}

export function createVethPair(tag: string): VethPair {
  if (process.getuid?.() !== 0) {
    throw new Error('the veth-pair test needs root to create network namespaces (ip netns add); run it as root, as CI does');
  }
  const id = crypto.randomBytes(3).toString('hex');
  const a = `walkie-${tag}-${id}-a`;
  const b = `walkie-${tag}-${id}-b`;
  const offline = `walkie-${tag}-${id}-c`;
  // Interface names are at most 15 bytes.
  const [va, vb] = [`wk${id}a`, `wk${id}b`];
  const ip = (...args: string[]) => execFileSync(IP, args, { stdio: 'pipe' });
  const remove = () => {
    for (const ns of [a, b, offline]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        /* not created, or gone already */
      }
    }
    process.off('exit', remove);
  };
  // Even when the test process dies without running its hooks.
  process.on('exit', remove);
  try {
    ip('netns', 'add', a);
    ip('netns', 'add', b);
    ip('netns', 'add', offline);
    ip('-n', offline, 'link', 'set', 'lo', 'up');
    ip('link', 'add', va, 'type', 'veth', 'peer', 'name', vb);
    ip('link', 'set', va, 'netns', a);
    ip('link', 'set', vb, 'netns', b);
    ip('-n', a, 'addr', 'add', `${HOST_ADDRESS}/30`, 'dev', va);
    ip('-n', b, 'addr', 'add', `${PHONE_ADDRESS}/30`, 'dev', vb);
    for (const [ns, dev] of [[a, va], [b, vb]] as const) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
  } catch (e) {
    remove();
    throw new Error(`cannot create the veth pair: ${String((e as { stderr?: Buffer }).stderr ?? e)}`);
  }
  return { a, b, offline, prefix: (ns) => [IP, 'netns', 'exec', ns], remove };
}

/**
 * Makes the model at `mockUrl` (root namespace, 127.0.0.1) reachable as http://127.0.0.1:PORT inside `ns`:
 * a forwarder in `ns` hands each connection to a Unix socket this process serves.
 */
export async function bridgeModelInto(ns: string, mockUrl: string, dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(mockUrl);
  const sock = path.join(dir, 'model.sock');
  const server = net.createServer((c) => {
    const up = net.connect(Number(target.port), target.hostname);
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  await new Promise<void>((r) => server.listen(sock, r));
  const script = `const net=require('net');const s=net.createServer(c=>{const u=net.connect(process.argv[1]);c.pipe(u).pipe(c);c.on('error',()=>u.destroy());u.on('error',()=>c.destroy());});s.listen(0,'127.0.0.1',()=>console.log(s.address().port));`;
  const child: ChildProcess = spawn(IP, ['netns', 'exec', ns, process.execPath, '-e', script, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`the model forwarder exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill();
        await gone;
      }
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

