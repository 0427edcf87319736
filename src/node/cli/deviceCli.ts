// `walkie device [<pairing-url>] [--name N] [--state-dir D] [--json]`: a terminal device (docs/cli.md).
// With a pairing URL it pairs (Noise_IKpsk2) and saves its key and the host's in <state-dir>/device.json
// (0600; the folder 0700); afterwards it reconnects (Noise_IK) without the URL. Human mode prints chat and
// approvals and takes keys (a = allow, d = deny the oldest pending approval, q = quit); --json prints one
// JSON object per line and reads JSON commands from stdin. Strings from the host are shown stripped of
// control characters, so agent output cannot drive the terminal. --stay keeps it running after stdin ends
// (a script that pipes in one command and waits for what follows).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { BridgeClient } from '../../core/bridge/bridgeClient';
import { bytesToBase64url, bytesToHex } from '../../core/base/bytes';
import { systemClock, type Clock, type TimerHandle } from '../../core/base/clock';
import { deviceOutputLine } from '../../core/bridge/deviceOutput';
import { credentialKeys, parseDeviceCredentials, type DeviceCredentials } from '../../core/pairing/deviceCredentials';
import type { DeviceSocketFactory } from '../../core/bridge/links';
import { generateKeyPair } from '../../core/noise/dh';
import { PairingError, parsePairingUrl } from '../../core/pairing/pairingPayload';
import { DecisionSchema, LIMITS, type ApprovalRequest, type DeviceMessage, type HostMessage, type SessionInfo } from '../../core/wire/protocol';
import { wsDeviceSocketFactory } from '../host/wsDeviceSocket';
import { issueSummary } from '../../core/wire/zodIssues';

export interface DeviceCliIO {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Seams for tests; production uses the real ones. */
export interface DeviceCliDeps {
  connect?: DeviceSocketFactory;
  clock?: Clock;
}

export const DEVICE_USAGE = `Usage: walkie device [<pairing-url>] [--name NAME] [--state-dir DIR] [--json] [--stay]
  Pairs with a host (first time: the URL from its QR code) or reconnects to it.
  Keys: a = allow, d = deny the oldest pending approval, q = quit.
  --json: one JSON object per output line; JSON commands on stdin (docs/cli.md): prompt, decide, interrupt,
          and with a host that lists sessions: sessions, past, start, resume, stop, clear; with one that
          runs schedules: schedules, scheduleSave, scheduleDelete, scheduleRunNow, loopCancel.
  --stay: keep running when stdin ends (until Ctrl-C or a signal, or the host ends the link for good).
`;

/** At most this long after the greeting, held commands run even if a session's sync has not finished. */
const HOLD_AFTER_HELLO_MS = 10_000;

const CommandSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('decide'), id: z.string().min(1).max(LIMITS.id), decision: DecisionSchema, message: z.string().max(LIMITS.summary * 4).optional() }),
  z.strictObject({ type: z.literal('prompt'), session: z.string().min(1).max(LIMITS.id).optional(), text: z.string().min(1).max(LIMITS.text) }),
  z.strictObject({ type: z.literal('interrupt'), session: z.string().min(1).max(LIMITS.id).optional() }),
  // Feature `schedules` (docs/protocol.md §Schedules), passed to the host as they are; it checks them.
  z.strictObject({ type: z.literal('schedules') }),
  z.strictObject({ type: z.literal('scheduleSave'), ref: z.string().min(1).max(LIMITS.id), schedule: z.unknown(), force: z.boolean().optional() }),
  z.strictObject({ type: z.literal('scheduleDelete'), id: z.string().min(1).max(LIMITS.id) }),
  z.strictObject({ type: z.literal('scheduleRunNow'), id: z.string().min(1).max(LIMITS.id) }),
  z.strictObject({ type: z.literal('loopCancel'), id: z.string().min(1).max(LIMITS.id) }),
  // Feature `sessions` (docs/protocol.md): the host's list, past sessions, start / resume / stop / clear.
  z.strictObject({ type: z.literal('sessions') }),
  z.strictObject({ type: z.literal('past'), folder: z.string().min(1).max(4096) }),
  z.strictObject({ type: z.literal('start'), folder: z.string().min(1).max(4096), prompt: z.string().min(1).max(LIMITS.text) }),
  z.strictObject({ type: z.literal('resume'), folder: z.string().min(1).max(4096), id: z.string().min(1).max(LIMITS.id) }),
  z.strictObject({ type: z.literal('stop'), session: z.string().min(1).max(LIMITS.id) }),
  z.strictObject({ type: z.literal('clear'), session: z.string().min(1).max(LIMITS.id) }),
]);

interface Args {
  url?: string;
  name: string;
  stateDir: string;
  json: boolean;
  stay: boolean;
}

export function defaultDeviceStateDir(): string {
  return path.join(os.homedir(), '.walkie', 'device');
}

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  name: { type: 'string' },
  'state-dir': { type: 'string' },
  json: { type: 'boolean' },
  stay: { type: 'boolean' },
} as const;

/** The parsed arguments, or what is wrong with them. */
function parseDeviceArgs(argv: readonly string[]): Args | { help: true } | string {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    return (e as Error).message;
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (positionals.length > 1) return 'only one pairing URL';
  for (const flag of ['name', 'state-dir'] as const) if (values[flag] === '') return `--${flag} needs a value`;
  return {
    url: positionals[0],
    name: values.name ?? `walkie-cli@${os.hostname()}`.slice(0, LIMITS.name),
    stateDir: values['state-dir'] === undefined ? defaultDeviceStateDir() : path.resolve(values['state-dir']),
    json: values.json === true,
    stay: values.stay === true,
  };
}

export async function runDeviceCommand(argv: string[], io: DeviceCliIO, deps: DeviceCliDeps = {}): Promise<number> {
  const args = parseDeviceArgs(argv);
  if (typeof args === 'string') {
    io.stderr.write(`walkie device: ${args}\n${DEVICE_USAGE}`);
    return 2;
  }
  if ('help' in args) {
    io.stdout.write(DEVICE_USAGE);
    return 0;
  }
  const clock = deps.clock ?? systemClock;
  const out = (value: Record<string, unknown>): void => void io.stdout.write(deviceOutputLine(value, args.json));
  const file = path.join(args.stateDir, 'device.json');
  const stored = await readCredentials(file);
  if (stored === 'corrupt') {
    out({ type: 'error', code: 'CLI_ERR_STATE', message: `${file} is not valid device state; remove it and pair again` });
    return 1;
  }

  let creds: DeviceCredentials;
  let pairing: { psk: Uint8Array; deviceName: string } | undefined;
  if (args.url !== undefined) {
    let offer;
    try {
      offer = parsePairingUrl(args.url, clock.now());
    } catch (e) {
      out({ type: 'error', code: e instanceof PairingError ? e.code : 'PAIRING_ERR_URL', message: e instanceof PairingError ? e.message : 'bad pairing URL' });
      return 1;
    }
    // Keep this device's key if it has one: re-pairing then updates the same registry entry.
    const identity = stored ? credentialKeys(stored).identity : generateKeyPair();
    creds = { hostId: offer.hostId, hostPublicKey: bytesToBase64url(offer.hostPublicKey), relayUrl: offer.relayUrl, deviceSecretKey: bytesToBase64url(identity.secretKey) };
    pairing = { psk: offer.psk, deviceName: args.name };
  } else if (stored) {
    creds = stored;
  } else {
    out({ type: 'error', code: 'CLI_ERR_NOT_PAIRED', message: 'not paired yet: pass the pairing URL shown by the host' });
    return 1;
  }

  const keys = credentialKeys(creds);
  const client = new BridgeClient({ relayUrl: creds.relayUrl, hostId: creds.hostId, hostPublicKey: keys.hostPublicKey, identity: keys.identity, pairing, connect: deps.connect ?? wsDeviceSocketFactory, clock });
  if (pairing) pairing.psk.fill(0);
  const sessions = new Map<string, SessionInfo>();
  const approvals = new Map<string, ApprovalRequest>();
  const handled = new Set<string>();
  let saving: Promise<unknown> = Promise.resolve();

  // Commands read before the host's greeting and the first sync of each of its sessions wait for them: a
  // script that pipes a command at once must not get "no running session" because it was faster than the link.
  let held: string[] | undefined = [];
  let holdTimer: TimerHandle | undefined;
  const unsynced = new Set<string>();
  const release = () => {
    const lines = held ?? [];
    held = undefined;
    if (holdTimer !== undefined) clock.clearTimeout(holdTimer);
    for (const line of lines) onLine(line);
  };

  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));

  client.onPaired(({ sas, hostName }) => {
    creds = { ...creds, hostName };
    saving = writeCredentials(file, creds).catch(() => out({ type: 'error', code: 'CLI_ERR_STATE', message: `cannot save ${file}` }));
    out({ type: 'paired', sas, hostName });
  });
  client.onState((s) => {
    out({ type: 'status', state: s.state, ...(s.code !== undefined && s.state === 'offline' ? { code: s.code, reason: s.reason } : {}) });
    if (client.stopped && s.code !== 1000) finish(1);
  });
  client.onMessage((m) => onHostMessage(m));
  client.onRelayMoved((relayUrl) => {
    creds = { ...creds, relayUrl };
    saving = saving.then(() => writeCredentials(file, creds)).catch(() => out({ type: 'error', code: 'CLI_ERR_STATE', message: `cannot save ${file}` }));
    out({ type: 'relay', url: relayUrl });
  });

  function onHostMessage(m: HostMessage): void {
    switch (m.type) {
      case 'hello':
        for (const s of m.sessions) onHostMessage({ type: 'session', session: s });
        if (held) {
          for (const s of m.sessions) unsynced.add(s.id);
          if (unsynced.size === 0) release();
          // A sync that never finishes must not hold the commands for ever.
          else holdTimer = clock.setTimeout(() => held && release(), HOLD_AFTER_HELLO_MS);
        }
        return;
      case 'session':
        sessions.set(m.session.id, m.session);
        return out({ type: 'session', session: m.session });
      case 'chat':
        return out({ type: 'chat', session: m.session, seq: m.seq, at: m.at, event: m.event });
      case 'approval': {
        const r = m.request;
        // A sync resends pending approvals: show each once.
        if (approvals.has(r.id) || handled.has(r.id)) return;
        approvals.set(r.id, r);
        return out({ type: 'approval', id: r.id, session: r.session, tool: r.tool, summary: r.summary, detail: r.detail, risk: r.risk, inputHash: r.inputHash, expiresAt: r.expiresAt, cwd: r.cwd });
      }
      case 'resolved':
        approvals.delete(m.id);
        handled.add(m.id);
        return out({ type: 'resolved', id: m.id, session: m.session, resolution: m.resolution, by: m.by, ...(m.message ? { message: m.message } : {}) });
      case 'error':
        return out({ type: 'error', code: m.code, message: m.message, ...(m.ref ? { ref: m.ref } : {}) });
      case 'chats':
        for (const e of m.events) out({ type: 'chat', session: m.session, seq: e.seq, at: e.at, event: e.event });
        return;
      case 'synced': {
        // Feature `reconcile`: what the host still waits on. Anything else held here was answered elsewhere,
        // expired or was cancelled while this device was away: it is dropped, and said so.
        if (held && unsynced.delete(m.session) && unsynced.size === 0) release();
        if (!m.pending) return;
        const pending = new Set(m.pending);
        for (const [id, r] of [...approvals]) {
          if (r.session !== m.session || pending.has(id)) continue;
          approvals.delete(id);
          handled.add(id);
          out({ type: 'resolved', id, session: m.session, resolution: 'gone', by: 'host' });
        }
        return;
      }
      case 'pong':
        return;
      case 'app':
      case 'notify':
      case 'relay':
        return;
      case 'schedules':
        return out({ type: 'schedules', listing: m.listing });
      case 'scheduleSaved':
        return out({ type: 'scheduleSaved', ref: m.ref, schedule: m.schedule });
      case 'sessionList':
        for (const s of m.sessions) sessions.set(s.id, s);
        return out({ type: 'sessionList', sessions: m.sessions, folders: m.folders });
      case 'pastSessions':
        return out({ type: 'pastSessions', folder: m.folder, sessions: m.sessions });
      case 'sessionStarted':
        sessions.set(m.session.id, m.session);
        return out({ type: 'sessionStarted', ref: m.ref, session: m.session });
    }
  }

  const error = (code: string, message: string) => out({ type: 'error', code, message });
  const send = (m: DeviceMessage) => {
    if (!client.send(m)) error('CLI_ERR_OFFLINE', 'not connected: try again when online');
  };
  const decide = (id: string, decision: 'allow' | 'deny', message?: string) => {
    const request = approvals.get(id);
    if (!request) return error('CLI_ERR_UNKNOWN_APPROVAL', `no pending approval ${id}`);
    approvals.delete(id);
    handled.add(id);
    send({ type: 'decide', id, inputHash: request.inputHash, decision, ...(message ? { message } : {}) });
  };
  const sessionFor = (given: string | undefined): string | undefined => {
    if (given) return given;
    const live = [...sessions.values()].filter((s) => s.status !== 'ended');
    if (live.length === 1) return live[0]!.id;
    error(live.length ? 'CLI_ERR_AMBIGUOUS_SESSION' : 'CLI_ERR_NO_SESSION', live.length ? 'several sessions: name one with "session"' : 'no running session');
    return undefined;
  };

  const onLine = (line: string) => {
    if (!line.trim()) return;
    if (held) return void held.push(line);
    let command: z.infer<typeof CommandSchema>;
    try {
      const r = CommandSchema.safeParse(JSON.parse(line));
      if (!r.success) return error('CLI_ERR_BAD_LINE', `not a command (${issueSummary(r.error, 1)})`);
      command = r.data;
    } catch {
      return error('CLI_ERR_BAD_LINE', 'not JSON');
    }
    if (command.type === 'decide') return decide(command.id, command.decision, command.message);
    const clientId = () => bytesToHex(new Uint8Array(randomBytes(16)));
    switch (command.type) {
      case 'sessions':
        return send({ type: 'listSessions' });
      case 'past':
        return send({ type: 'listPast', folder: command.folder });
      case 'start': {
        const ref = clientId();
        out({ type: 'starting', ref });
        return send({ type: 'startSession', folder: command.folder, prompt: command.prompt, clientId: ref });
      }
      case 'resume': {
        const ref = clientId();
        out({ type: 'starting', ref });
        return send({ type: 'startSession', folder: command.folder, resume: command.id, clientId: ref });
      }
      case 'stop':
        return send({ type: 'stopSession', session: command.session });
      case 'clear':
        return send({ type: 'clearSession', session: command.session });
      case 'schedules':
      case 'scheduleSave':
      case 'scheduleDelete':
      case 'scheduleRunNow':
      case 'loopCancel':
        if (!client.features?.has('schedules')) return error('CLI_ERR_NO_SCHEDULES', 'this host does not speak the schedules feature');
        return send(command as DeviceMessage);
    }
    const session = sessionFor(command.session);
    if (!session) return;
    if (command.type === 'interrupt') return send({ type: 'interrupt', session });
    send({ type: 'prompt', session, text: command.text, clientId: clientId() });
  };
  const onKey = (key: string) => {
    if (key === 'q' || key === '\u0003' || key === '\u0004') return finish(0);
    if (key !== 'a' && key !== 'd') return;
    const oldest = approvals.keys().next();
    if (oldest.done) return error('CLI_ERR_NO_APPROVAL', 'no pending approval');
    decide(oldest.value, key === 'a' ? 'allow' : 'deny');
  };

  const raw = !args.json && io.stdin.isTTY === true && typeof io.stdin.setRawMode === 'function';
  const lines = raw ? undefined : readline.createInterface({ input: io.stdin, crlfDelay: Infinity, terminal: false });
  const onData = (chunk: Buffer | string) => {
    for (const ch of chunk.toString()) onKey(ch);
  };
  if (raw) {
    io.stdin.setRawMode!(true);
    io.stdin.on('data', onData);
    io.stdin.resume();
  } else {
    lines!.on('line', (line) => (args.json ? onLine(line) : onKey(line.trim().charAt(0))));
    // With --stay the end of stdin ends nothing: the device keeps showing what happens.
    if (!args.stay) lines!.on('close', () => finish(0));
  }
  const onSigint = () => finish(130);
  process.once('SIGINT', onSigint);

  client.start();
  const code = await finished;
  process.off('SIGINT', onSigint);
  if (holdTimer !== undefined) clock.clearTimeout(holdTimer);
  lines?.close();
  if (raw) {
    io.stdin.off('data', onData);
    io.stdin.setRawMode!(false);
    io.stdin.pause();
  }
  client.close();
  await saving;
  return code;
}

async function readCredentials(file: string): Promise<DeviceCredentials | 'corrupt' | undefined> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return parseDeviceCredentials(text) ?? 'corrupt';
}

/** Secret: the folder is 0700 and the file 0600, written atomically (temp file + rename). */
async function writeCredentials(file: string, creds: DeviceCredentials): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, JSON.stringify(creds), { mode: 0o600 });
  await fs.promises.rename(tmp, file);
}
