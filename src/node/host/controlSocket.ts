// The local control socket of a running `walkie serve` (or `walkie host`): how `walkie pair`, `walkie
// devices` and `walkie sessions` in another terminal talk to it. One JSON request line, one JSON answer line,
// then the connection closes.
//
// Security: the socket is a Unix domain socket at <state-dir>/control.sock; the state folder is 0700 and the
// socket is chmod 0600, so only this user account (and root) can connect. That is no new power: whoever can
// open that folder can already read the host's identity key and device list kept beside it. Nothing here is
// reachable from the network. On Windows a named pipe is used, named after the state folder; its default
// ACL grants access to the creating user, administrators and SYSTEM. Requests are parsed strictly and capped.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import * as z from 'zod';
import type { Disposable } from '../../core/base/dispose';
import type { Logger } from '../../core/base/logger';
import type { SessionSummary } from '../../core/wire/protocol';

export const ControlRequestSchema = z.discriminatedUnion('cmd', [
  z.strictObject({ cmd: z.literal('pair') }),
  z.strictObject({ cmd: z.literal('devices') }),
  z.strictObject({ cmd: z.literal('revoke'), id: z.string().min(1).max(64) }),
  z.strictObject({ cmd: z.literal('sessions') }),
]);
export type ControlRequest = z.infer<typeof ControlRequestSchema>;

export interface DeviceRow {
  readonly id: string;
  readonly name: string;
  readonly pairedAt: number;
  readonly lastSeen: number;
  readonly connected: boolean;
}

/** What the socket can do: the host's own operations, nothing more. */
export interface ControlHandler {
  pair(): { url: string; expiresAt: number };
  devices(): DeviceRow[];
  revoke(id: string): boolean;
  sessions(): { sessions: SessionSummary[]; folders: readonly string[] };
}

const MAX_REQUEST = 4096;

/** Where the control socket of a state folder is. */
export function controlSocketPath(stateDir: string): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\walkie-${crypto.createHash('sha256').update(path.resolve(stateDir)).digest('hex').slice(0, 16)}`;
  return path.join(stateDir, 'control.sock');
}

export class ControlServer implements Disposable {
  private constructor(
    private readonly server: net.Server,
    readonly path: string,
  ) {}

  /**
   * Listens on the state folder's control socket. A socket file left by a host that crashed is replaced; one
   * that answers belongs to a running host, and then this throws (CONTROL_ERR_IN_USE).
   */
  static async listen(stateDir: string, handler: ControlHandler, logger: Logger): Promise<ControlServer> {
    const where = controlSocketPath(stateDir);
    if (process.platform !== 'win32') {
      fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
      if (fs.existsSync(where)) {
        if (await answers(where)) throw Object.assign(new Error(`another walkie host is running with the state folder ${stateDir}`), { code: 'CONTROL_ERR_IN_USE' });
        fs.rmSync(where, { force: true });
      }
    }
    const server = net.createServer((socket) => serve(socket, handler, logger));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(where, () => {
        server.off('error', reject);
        resolve();
      });
    });
    if (process.platform !== 'win32') fs.chmodSync(where, 0o600);
    return new ControlServer(server, where);
  }

  dispose(): void {
    this.server.close();
    if (process.platform !== 'win32') fs.rmSync(this.path, { force: true });
  }
}

function serve(socket: net.Socket, handler: ControlHandler, logger: Logger): void {
  let buf = '';
  socket.setEncoding('utf8');
  socket.setTimeout(10_000, () => socket.destroy());
  socket.on('error', () => undefined);
  socket.on('data', (chunk: string) => {
    buf += chunk;
    if (buf.length > MAX_REQUEST) return void socket.end(`${JSON.stringify({ ok: false, error: 'request too long' })}\n`);
    const nl = buf.indexOf('\n');
    if (nl < 0) return;
    socket.end(`${JSON.stringify(answer(buf.slice(0, nl), handler, logger))}\n`);
  });
}

function answer(line: string, handler: ControlHandler, logger: Logger): unknown {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const r = ControlRequestSchema.safeParse(json);
  if (!r.success) return { ok: false, error: 'unknown request' };
  try {
    switch (r.data.cmd) {
      case 'pair':
        return { ok: true, ...handler.pair() };
      case 'devices':
        return { ok: true, devices: handler.devices() };
      case 'revoke':
        return { ok: true, revoked: handler.revoke(r.data.id) };
      case 'sessions':
        return { ok: true, ...handler.sessions() };
    }
  } catch (e) {
    logger.warn(`control: ${r.data.cmd} failed: ${e instanceof Error ? e.message : 'error'}`);
    return { ok: false, error: `${r.data.cmd} failed` };
  }
}

/** True when something listens on the socket (a running host). */
function answers(where: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(where);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Sends one request to the running host of `stateDir` and returns its answer. @throws when none runs. */
export function controlRequest(stateDir: string, request: ControlRequest, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const s = net.connect(controlSocketPath(stateDir));
    let buf = '';
    s.setEncoding('utf8');
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      reject(new Error('the running host did not answer'));
    });
    s.once('connect', () => s.write(`${JSON.stringify(request)}\n`));
    s.on('data', (d: string) => (buf += d));
    s.once('end', () => {
      try {
        resolve(JSON.parse(buf) as Record<string, unknown>);
      } catch {
        reject(new Error('the running host sent no usable answer'));
      }
    });
    s.once('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? `no walkie serve (or walkie host) is running with the state folder ${stateDir}` : `cannot reach the running host: ${e.code ?? e.message}`)),
    );
  });
}

/** The handler for a WalkieHost: pairing, devices and sessions as the host has them. */
export function hostControlHandler(host: {
  newPairingUrl(): { url: string; expiresAt: number };
  pairedDevices(): { id: string; name: string; pairedAt: number; lastSeen: number }[];
  connectedDevices(): { id: string }[];
  revoke(id: string): boolean;
  readonly service: { sessionList(): SessionSummary[]; folders(): readonly string[] };
}): ControlHandler {
  return {
    pair: () => host.newPairingUrl(),
    devices: () => {
      const online = new Set(host.connectedDevices().map((d) => d.id));
      return host.pairedDevices().map((d) => ({ id: d.id, name: d.name, pairedAt: d.pairedAt, lastSeen: d.lastSeen, connected: online.has(d.id) }));
    },
    revoke: (id) => host.revoke(id),
    sessions: () => ({ sessions: host.service.sessionList(), folders: host.service.folders() }),
  };
}
