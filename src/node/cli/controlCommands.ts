// `walkie pair`, `walkie devices` and `walkie sessions`: what the phone and VS Code can do, from another
// terminal, by asking the running `walkie serve` (or `walkie host`) of a state folder over its control
// socket (src/node/host/controlSocket.ts). Human text by default, one JSON object with --json.
import { parseArgs } from 'node:util';
import { safeText } from '../../core/bridge/deviceOutput';
import { defaultHostStateDir } from '../host/fileStateStore';
import { controlRequest } from '../host/controlSocket';
import { terminalQr, type CommandIO } from './hostSetup';

export const PAIR_USAGE = `walkie pair [--state-dir D] [--json]
  Makes a new single-use pairing code on the running host and shows its URL and QR code.
`;
export const DEVICES_USAGE = `walkie devices [--revoke ID] [--state-dir D] [--json]
  Lists the paired devices of the running host; --revoke ID unpairs one (its channel closes now).
`;
export const SESSIONS_USAGE = `walkie sessions [--state-dir D] [--json]
  Lists the running host's sessions: folder, title, status, pending approvals, last activity.
`;

const COMMON = { 'state-dir': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

type Verb = 'pair' | 'devices' | 'sessions';
const USAGE: Record<Verb, string> = { pair: PAIR_USAGE, devices: DEVICES_USAGE, sessions: SESSIONS_USAGE };

export async function runControlCommand(verb: Verb, argv: readonly string[], io: CommandIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: verb === 'devices' ? { ...COMMON, revoke: { type: 'string' } } : COMMON, allowPositionals: false, strict: true }));
  } catch (e) {
    io.stderr.write(`walkie ${verb}: ${(e as Error).message}\n\n${USAGE[verb]}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE[verb]);
    return 0;
  }
  const stateDir = values['state-dir'] ?? defaultHostStateDir();
  const revoke = (values as { revoke?: string }).revoke;
  let answer: Record<string, unknown>;
  try {
    answer = await controlRequest(stateDir, verb === 'devices' && revoke !== undefined ? { cmd: 'revoke', id: revoke } : { cmd: verb });
  } catch (e) {
    io.stderr.write(`walkie ${verb}: ${(e as Error).message}\n`);
    return 1;
  }
  if (answer.ok !== true) {
    io.stderr.write(`walkie ${verb}: ${String(answer.error ?? 'failed')}\n`);
    return 1;
  }
  const { ok: _ok, ...rest } = answer;
  if (values.json) {
    io.stdout.write(`${JSON.stringify(rest)}\n`);
    return revoke !== undefined && rest.revoked !== true ? 1 : 0;
  }
  switch (verb) {
    case 'pair': {
      const url = String(rest.url);
      io.stdout.write(`Pair a device within ${Math.round((Number(rest.expiresAt) - Date.now()) / 60000)} minutes (single use):\n${url}\n`);
      io.stdout.write(await terminalQr(url, io.stdout));
      return 0;
    }
    case 'devices': {
      if (revoke !== undefined) {
        io.stdout.write(rest.revoked ? `Revoked ${revoke}.\n` : `No paired device ${revoke}.\n`);
        return rest.revoked ? 0 : 1;
      }
      const devices = rest.devices as { id: string; name: string; pairedAt: number; lastSeen: number; connected: boolean }[];
      if (!devices.length) io.stdout.write('No paired devices.\n');
      for (const d of devices) io.stdout.write(`${d.id}  ${clean(d.name)}  ${d.connected ? 'connected' : `last seen ${when(d.lastSeen)}`}\n`);
      return 0;
    }
    case 'sessions': {
      const sessions = rest.sessions as { id: string; title: string; cwd: string; status: string; pending: number; lastActivity: number }[];
      if (!sessions.length) io.stdout.write('No sessions.\n');
      for (const s of sessions) {
        const waiting = s.pending ? `  ${s.pending} waiting for approval` : '';
        io.stdout.write(`${s.id}  ${s.status.padEnd(7)}  ${clean(s.title)}  (${clean(s.cwd)})  ${when(s.lastActivity)}${waiting}\n`);
      }
      const folders = rest.folders as string[];
      if (folders.length) io.stdout.write(`Devices may start sessions in: ${folders.map(clean).join(', ')}\n`);
      return 0;
    }
  }
}

/** Strings from the host are shown without control characters (a title is typed text). */
function clean(s: string): string {
  return safeText(s).replace(/[\n\t]/g, ' ');
}

function when(ms: number): string {
  return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 16) : 'never';
}
