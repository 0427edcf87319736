// `walkie host [options] -- <agent> [args…]`: runs the agent in a pty, mirrors it to this terminal when
// there is one (and runs fine with none, for scripts), starts the embedded relay unless --relay names one,
// and prints the pairing URL and a terminal QR code.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AgentSession } from '../sessions/agentSession';
import { AgentLaunchError } from '../agents/agentLaunchError';
import { adapterFor } from '../agents/registry/adapterFor';
import { AuditLog } from '../sessions/auditLog';
import type { WalkieHost } from '../host/walkieHost';
import { stderrLogger } from './stderrLogger';
import { ControlServer, hostControlHandler } from '../host/controlSocket';
import { LocalConsole } from './localConsole';
import { announcePairing, HOST_OPTIONS, HOST_OPTIONS_USAGE, parseHostSetup, startHost, type CommandIO } from './hostSetup';
import { allowedDirs, HostSchedules } from '../schedule/hostSchedules';
import { systemClock } from '../../core/base/clock';

export type { CommandIO } from './hostSetup';

export const HOST_USAGE = `walkie host [options] -- <agent> [args…]

Runs the agent (default: claude; a command named codex runs Codex CLI) in a pseudo-terminal and serves it to paired devices.
${HOST_OPTIONS_USAGE}`;

function parseHostArgs(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: HOST_OPTIONS, allowPositionals: true, strict: true });
}

export async function runHostCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  let options: ReturnType<typeof parseHostArgs>['values'];
  let rest: string[];
  try {
    ({ values: options, positionals: rest } = parseHostArgs(argv));
  } catch (e) {
    io.stderr.write(`walkie host: ${(e as Error).message}\n\n${HOST_USAGE}`);
    return 2;
  }
  if (options.help) {
    io.stdout.write(HOST_USAGE);
    return 0;
  }
  const setup = parseHostSetup(options);
  if (typeof setup === 'string') {
    io.stderr.write(`walkie host: ${setup}\n`);
    return 2;
  }
  const agentArgv = rest.length ? rest : ['claude'];
  const logger = stderrLogger(io.stderr, setup.verbose ? 'debug' : 'warn');
  const interactive = io.stdin.isTTY === true && io.stdout.isTTY === true;

  // `walkie host -- codex …` runs Codex CLI; any other command Claude Code.
  const adapter = adapterFor(agentArgv[0]);
  try {
    // Refuse bypass routes before anything starts (AgentSession.start checks again before spawning).
    adapter.validateArgs(agentArgv.slice(1));
  } catch (e) {
    io.stderr.write(`walkie host: ${(e as Error).message}\n`);
    return 2;
  }

  const running = await startHost(setup, io, logger, { command: 'host', presence: () => Date.now() - typing.at < PRESENT_AFTER_TYPING_MS });
  if (!running) return 1;
  const { host } = running;
  // `walkie pair` / `devices` / `sessions` reach this host too; a second host on the same state folder
  // simply has none (said once).
  const control = await ControlServer.listen(setup.stateDir, hostControlHandler(host), logger).catch((e: Error) => {
    io.stderr.write(`walkie: no control socket (${e.message})\n`);
    return undefined;
  });
  // Until the agent runs, a signal shuts down what is already up (the relay, a tunnel tool) and exits.
  const early = () => {
    control?.dispose();
    void running.close().then(() => process.exit(130));
  };
  process.on('SIGINT', early);
  process.on('SIGTERM', early);
  const audit = AuditLog.open(path.join(setup.stateDir, 'audit.jsonl'));
  // Schedules saved in this state folder (walkie schedule add) run while this host runs, each as a fresh
  // session of the same agent and arguments; /loop works in every session. Devices may schedule runs in the
  // folder the host was started in (and below it) only.
  const schedules = HostSchedules.start({
    stateDir: setup.stateDir,
    service: host.service,
    sessions: host.sessions,
    broker: host.broker,
    launch: () => ({ adapter, argv: agentArgv.slice(1), audit, expiryMs: setup.expiryMs }),
    allowDir: allowedDirs([process.cwd()]),
    clock: systemClock,
    logger,
  });
  await announcePairing(running, setup, io);
  if (interactive) {
    // The agent's full-screen UI would cover the QR code: let the user scan it first.
    io.stderr.write(`walkie: press Enter to start ${path.basename(agentArgv[0]!)} (it starts by itself once a device pairs or reconnects)\n`);
    await untilEnterOrDevice(io, host);
  }

  let session: AgentSession;
  try {
    // Started and served by the host's SessionManager (gated by the host's broker).
    session = await host.sessions.start({
      adapter,
      argv: agentArgv.slice(1),
      cwd: process.cwd(),
      workspaceRoot: process.cwd(),
      audit,
      expiryMs: setup.expiryMs,
      cols: interactive ? io.stdout.columns : 120,
      rows: interactive ? io.stdout.rows : 40,
    });
  } catch (e) {
    process.off('SIGINT', early);
    process.off('SIGTERM', early);
    schedules.dispose();
    control?.dispose();
    await running.close();
    const why = e instanceof AgentLaunchError ? e.message : `could not start the agent: ${(e as Error).message}`;
    io.stderr.write(`walkie host: ${why}\n`);
    return e instanceof AgentLaunchError && e.code === 'AGENT_ERR_NOT_FOUND' ? 127 : 2;
  }
  session.onInfo((info) => {
    if (!interactive) io.stderr.write(`walkie: session ${info.status}\n`);
  });

  const restoreTerminal = interactive ? mirrorTerminal(session, io, new LocalConsole(host, session, io)) : () => {};
  let stopping = false;
  const stop = () => {
    stopping = true;
    void host.sessions.stop(session.id).catch(() => undefined);
  };
  process.off('SIGINT', early);
  process.off('SIGTERM', early);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await new Promise<number>((resolve) => session.onExit(resolve));
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  restoreTerminal();
  schedules.dispose();
  // The session ended, so the manager has taken it off the service already; close() stops anything left
  // (a scheduled run still going is stopped too).
  control?.dispose();
  await running.close();
  const signal = session.exitSignal;
  if (signal !== undefined && !stopping) {
    // Killed from outside (OOM killer, kill -9, a crash): a failure, whatever exit code node-pty reported.
    io.stderr.write(`walkie host: the agent was killed by ${signal} (exit ${code})\n`);
    return code;
  }
  if (signal !== undefined) {
    io.stderr.write(`walkie: the agent stopped (${signal})\n`);
    return 0;
  }
  io.stderr.write(`walkie: the agent exited (${code})\n`);
  return code;
}

function untilEnterOrDevice(io: CommandIO, host: WalkieHost): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      io.stdin.off('data', onData);
      io.stdin.pause();
      sub.dispose();
      resolve();
    };
    const onData = (d: Buffer) => {
      if (d.includes(13) || d.includes(10)) done();
    };
    const sub = host.onDevicesChanged(() => {
      if (host.connectedDevices().length > 0) done();
    });
    io.stdin.on('data', onData);
    io.stdin.resume();
  });
}

/** Someone typing in this terminal is at the computer: no pushes for this long after a key (issue 12). */
const PRESENT_AFTER_TYPING_MS = 2 * 60_000;
const typing = { at: -Infinity };

/** The user keeps typing in this terminal: raw keys go to the agent, its screen comes back here. */
function mirrorTerminal(session: AgentSession, io: CommandIO, local: LocalConsole): () => void {
  // While the Walkie screen is open (Ctrl-], or a pairing), the agent's output is not shown; it redraws
  // when the screen closes.
  const out = session.onOutput((d) => local.open || io.stdout.write(d));
  const onKey = (d: Buffer) => {
    typing.at = Date.now();
    const key = d.toString('utf8');
    if (!local.key(key)) session.write(key);
  };
  const onResize = () => session.resize(io.stdout.columns, io.stdout.rows);
  io.stdin.setRawMode(true);
  io.stdin.on('data', onKey);
  io.stdin.resume();
  io.stdout.on('resize', onResize);
  return () => {
    local.dispose();
    out.dispose();
    io.stdin.off('data', onKey);
    io.stdout.off('resize', onResize);
    io.stdin.setRawMode(false);
    io.stdin.pause();
  };
}
