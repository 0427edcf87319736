// `walkie relay [--port P] [--bind ADDR] [--web-root DIR]`: runs a standalone relay (src/relay) until
// SIGINT/SIGTERM, then closes it cleanly.
import { lanAddress } from '../host/lanAddress';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RelayServer } from '../../relay/relayServer';
import { stderrLogger } from './stderrLogger';

interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const USAGE = `Usage: walkie relay [--port P] [--bind ADDR] [--web-root DIR]
  --port P        TCP port (default 8787; 0 picks a free one)
  --bind ADDR     address to listen on (default 127.0.0.1; 0.0.0.0 for all interfaces)
  --web-root DIR  the web UI folder to serve (default: the webview folder beside the CLI)
  --trust-proxy   per-source limits use the right-most X-Forwarded-For entry (only behind a TLS proxy
                  that sets it, with the relay reachable through the proxy alone)
`;

export const DEFAULT_RELAY_PORT = 8787;

const OPTIONS = {
  port: { type: 'string' },
  bind: { type: 'string' },
  'web-root': { type: 'string' },
  'trust-proxy': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Parsed = { port: number; bind: string; webRoot: string; trustProxy: boolean } | { error: string } | { help: true };

function parseRelayArgs(argv: readonly string[]): Parsed {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true }));
  } catch (e) {
    return { error: (e as Error).message };
  }
  if (values.help) return { help: true };
  const port = values.port ?? String(DEFAULT_RELAY_PORT);
  if (!/^\d+$/.test(port) || Number(port) > 65535) return { error: `bad port '${port}'` };
  return {
    port: Number(port),
    bind: values.bind ?? '127.0.0.1',
    webRoot: values['web-root'] === undefined ? path.join(__dirname, 'webview') : path.resolve(values['web-root']),
    trustProxy: values['trust-proxy'] === true,
  };
}


/**
 * Runs the relay until SIGINT or SIGTERM. Resolves with the exit code: 0 after a clean stop, 1 when it
 * cannot listen, 2 on bad arguments.
 */
export async function runRelayCommand(argv: string[], io: Io): Promise<number> {
  const args = parseRelayArgs(argv);
  if ('help' in args) {
    io.stdout.write(USAGE);
    return 0;
  }
  if ('error' in args) {
    io.stderr.write(`walkie relay: ${args.error}\n\n${USAGE}`);
    return 2;
  }
  const relay = new RelayServer({ port: args.port, host: args.bind, webRoot: args.webRoot, trustProxy: args.trustProxy, logger: stderrLogger(io.stderr, 'info') });
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
