// Dispatch for the `walkie` CLI. Each sub-command lives in its own module.
import { DEVICE_USAGE, runDeviceCommand } from './deviceCli';
import { HOST_USAGE, runHostCommand } from './hostCommand';
import { runRelayCommand } from './relayCommand';
import { runScheduleCommand, SCHEDULE_USAGE } from './scheduleCommand';
import { runServeCommand, SERVE_USAGE } from './serveCommand';
import { DEVICES_USAGE, PAIR_USAGE, runControlCommand, SESSIONS_USAGE } from './controlCommands';

declare const WALKIE_VERSION: string;

const USAGE = `walkie ${typeof WALKIE_VERSION === 'string' ? WALKIE_VERSION : ''} — watch and steer a terminal coding agent from your phone

Usage (every command takes --help):
  walkie host [options] -- <agent> [args…]     run an agent (default: claude) and serve it to paired devices
  walkie serve --allow-dir DIR… [options]      a long-lived host: devices start, resume and stop sessions
  walkie pair | devices | sessions             ask the running host for a pairing code, its devices, its sessions
  walkie relay [--port P] [--bind ADDR] [--web-root DIR]   run a standalone relay (default 127.0.0.1:8787)
  walkie device <pairing-url> [--json] […]     pair with a host / reconnect, from a terminal or a script
  walkie schedule add|list|rm|run-now […]     scheduled sessions: a prompt run on a cadence, each run gated
  walkie --version | --help

${HOST_USAGE}
${DEVICE_USAGE}
${SCHEDULE_USAGE}
${SERVE_USAGE}
${PAIR_USAGE}
${DEVICES_USAGE}
${SESSIONS_USAGE}`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case '--version':
    case '-v':
      process.stdout.write(`${WALKIE_VERSION}\n`);
      return 0;
    case 'host':
      return runHostCommand(rest, io);
    case 'serve':
      return runServeCommand(rest, io);
    case 'pair':
    case 'devices':
    case 'sessions':
      return runControlCommand(command, rest, io);
    case 'relay':
      return runRelayCommand(rest, io);
    case 'device':
      return runDeviceCommand(rest, io);
    case 'schedule':
      return runScheduleCommand(rest, io);
    default:
      process.stderr.write(`walkie: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}
