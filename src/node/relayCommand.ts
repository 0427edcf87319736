// `walkie relay [--port P] [--bind ADDR] [--web-root DIR]`: runs a standalone relay (src/relay) until
// SIGINT/SIGTERM, then closes it cleanly. Also `lanAddress()`, the address the host advertises in LAN mode.
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../core/logger';
import { RelayServer } from '../relay/relayServer';

interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const USAGE = `Usage: walkie relay [--port P] [--bind ADDR] [--web-root DIR]
  --port P        TCP port (default 8787; 0 picks a free one)
  --bind ADDR     address to listen on (default 127.0.0.1; 0.0.0.0 for all interfaces)
  --web-root DIR  the web UI folder to serve (default: the webview folder beside the CLI)
`;

export const DEFAULT_RELAY_PORT = 8787;

/** The first non-internal IPv4 address of this machine, for LAN mode; undefined when there is none. */
export function lanAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

type Parsed = { port: number; bind: string; webRoot: string } | { error: string } | { help: true };

function parseArgs(argv: readonly string[]): Parsed {
  const out = { port: DEFAULT_RELAY_PORT, bind: '127.0.0.1', webRoot: path.join(__dirname, 'webview') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { help: true };
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = inline ?? argv[++i];
    if (value === undefined) return { error: `${flag} needs a value` };
    switch (flag) {
      case '--port': {
        const port = Number(value);
        if (!/^\d+$/.test(value) || port > 65535) return { error: `bad port '${value}'` };
        out.port = port;
        break;
      }
      case '--bind':
        out.bind = value;
        break;
      case '--web-root':
        out.webRoot = path.resolve(value);
        break;
      default:
        return { error: `unknown option '${flag}'` };
    }
  }
  return out;
}

/** Logs to stderr, one line per event, without debug/trace noise. */
function stderrLogger(io: Io): Logger {
  const line = (level: string) => (message: string) => void io.stderr.write(`${new Date().toISOString()} ${level} ${message}\n`);
  return { trace() {}, debug() {}, info: line('info'), warn: line('warn'), error: line('error') };
}

/**
 * Runs the relay until SIGINT or SIGTERM. Resolves with the exit code: 0 after a clean stop, 1 when it
 * cannot listen, 2 on bad arguments.
 */
export async function runRelayCommand(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv);
  if ('help' in args) {
    io.stdout.write(USAGE);
    return 0;
  }
  if ('error' in args) {
    io.stderr.write(`walkie relay: ${args.error}\n\n${USAGE}`);
    return 2;
  }
  const relay = new RelayServer({ port: args.port, host: args.bind, webRoot: args.webRoot, logger: stderrLogger(io) });
  let started: { port: number; url: string };
  try {
    started = await relay.start();
  } catch (e) {
    io.stderr.write(`walkie relay: cannot listen on ${args.bind}:${args.port} (${(e as { cause?: { code?: string } }).cause?.code ?? 'error'})\n`);
    return 1;
  }
  io.stdout.write(`walkie relay: listening on ${started.url}\n`);
  if (args.bind === '0.0.0.0') {
    const lan = lanAddress();
    if (lan) io.stdout.write(`walkie relay: on this network: http://${lan}:${started.port}/\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  io.stdout.write('walkie relay: shutting down\n');
  await relay.close();
  return 0;
}
