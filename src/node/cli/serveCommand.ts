// `walkie serve --allow-dir DIR… [options]`: a headless, long-lived host. No agent starts with it: paired
// devices list, start (in an allowed folder), resume and stop sessions; ended sessions stay listed with their
// chat, also after a restart (sessions.json in the state folder; the chat is rebuilt from the agent's
// transcript). Same relay, route, pairing and state options as `walkie host`; `walkie pair`, `walkie devices`
// and `walkie sessions` in another terminal talk to it through its control socket.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { adapterFor } from '../agents/registry/adapterFor';
import { ClaudeCodeAdapter } from '../agents/claude/claudeCode';
import { CodexCliAdapter } from '../agents/codex/codexCli';
import { ControlServer, hostControlHandler } from '../host/controlSocket';
import { AuditLog } from '../sessions/auditLog';
import { allowedDirs, HostSchedules } from '../schedule/hostSchedules';
import { systemClock } from '../../core/base/clock';
import { resolveAllowedFolders } from '../sessions/folderGate';
import { SessionHistory } from '../sessions/sessionHistory';
import { DEFAULT_MAX_SESSIONS, SessionLauncher } from '../sessions/sessionLauncher';
import { announcePairing, HOST_OPTIONS, HOST_OPTIONS_USAGE, parseHostSetup, startHost, type CommandIO } from './hostSetup';
import { stderrLogger } from './stderrLogger';

export const SERVE_USAGE = `walkie serve --allow-dir DIR [--allow-dir DIR…] [options]

Runs a host with no agent of its own: paired devices start sessions in the allowed folders (and the folders
below them), resume past ones, and stop them. Stop it with Ctrl-C.
  --allow-dir DIR      a folder devices may start sessions in (repeat for more)
  --agent CMD          the agent command sessions run (default claude; a command named codex runs Codex CLI)
  --max-sessions N     running sessions at most (default ${DEFAULT_MAX_SESSIONS})
${HOST_OPTIONS_USAGE}`;

const OPTIONS = {
  ...HOST_OPTIONS,
  'allow-dir': { type: 'string', multiple: true },
  agent: { type: 'string' },
  'max-sessions': { type: 'string' },
} as const;

export async function runServeCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (e) {
    io.stderr.write(`walkie serve: ${(e as Error).message}\n\n${SERVE_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(SERVE_USAGE);
    return 0;
  }
  const setup = parseHostSetup(values);
  if (typeof setup === 'string') {
    io.stderr.write(`walkie serve: ${setup}\n`);
    return 2;
  }
  const maxSessions = values['max-sessions'] === undefined ? DEFAULT_MAX_SESSIONS : Number(values['max-sessions']);
  if (!Number.isInteger(maxSessions) || maxSessions < 1 || maxSessions > 64) {
    io.stderr.write('walkie serve: --max-sessions must be a whole number from 1 to 64\n');
    return 2;
  }
  let folders: string[];
  try {
    folders = resolveAllowedFolders(values['allow-dir'] ?? []);
  } catch (e) {
    io.stderr.write(`walkie serve: --allow-dir ${(e as Error).message}\n`);
    return 2;
  }
  if (!folders.length) {
    io.stderr.write(`walkie serve: name at least one folder with --allow-dir: devices can start sessions only there\n\n${SERVE_USAGE}`);
    return 2;
  }
  const logger = stderrLogger(io.stderr, setup.verbose ? 'debug' : 'warn');
  const agent = values.agent ?? 'claude';
  const adapter = adapterFor(agent);
  const history = SessionHistory.open(path.join(setup.stateDir, 'sessions.json'), logger);

  const running = await startHost(setup, io, logger, { history, command: 'serve' });
  if (!running) return 1;
  const { host } = running;
  let control: ControlServer | undefined;
  try {
    control = await ControlServer.listen(setup.stateDir, hostControlHandler(host), logger);
  } catch (e) {
    await running.close();
    io.stderr.write(`walkie serve: ${(e as Error).message}\n`);
    return 1;
  }
  // Ended sessions of earlier runs are listed again, their chat read back from the agent's transcripts.
  host.sessions.restore((id) => (id === 'codex' ? new CodexCliAdapter() : id === 'claude-code' ? new ClaudeCodeAdapter() : undefined));
  const audit = AuditLog.open(path.join(setup.stateDir, 'audit.jsonl'));
  const launcher = new SessionLauncher({
    manager: host.sessions,
    adapter,
    folders: () => folders,
    logger,
    audit,
    expiryMs: setup.expiryMs,
    maxSessions,
  });
  host.service.setSessionControl(launcher);
  // Schedules of this state folder run here too, each a fresh gated session of the serve's agent; devices
  // may schedule runs only in the allowed folders (and below them), like the sessions they start.
  const schedules = HostSchedules.start({
    stateDir: setup.stateDir,
    service: host.service,
    sessions: host.sessions,
    broker: host.broker,
    launch: () => ({ adapter, argv: [], audit, expiryMs: setup.expiryMs }),
    allowDir: allowedDirs(folders),
    clock: systemClock,
    logger,
  });
  host.sessions.onDidAdd((s) => {
    const info = s.info();
    if (info.status !== 'ended') io.stderr.write(`walkie: session ${s.id} started in ${info.cwd}\n`);
  });
  host.sessions.onDidRemove((s) => io.stderr.write(`walkie: session ${s.id} left the list\n`));

  io.stderr.write(`walkie: serving sessions in ${folders.join(', ')}\n`);
  await announcePairing(running, setup, io);
  io.stderr.write('walkie: ready (Ctrl-C stops every session and exits)\n');

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  io.stderr.write('walkie: stopping…\n');
  schedules.dispose();
  control.dispose();
  await running.close();
  return 0;
}
