// `walkie relay [--port P] [--bind ADDR] [--web-root DIR] [--redis URL] [--tls-cert F --tls-key F]`: runs a
// standalone relay (src/relay) until SIGINT/SIGTERM, then drains it: it stops accepting, tells every client
// to reconnect (1001) and exits once they are gone or after the drain bound. With --redis (or
// WALKIE_RELAY_REDIS) it is one node of a cluster sharing that Redis (docs/relay.md, "Several nodes"). With
// --tls-cert/--tls-key it serves HTTPS/WSS itself and picks up a renewed certificate while it runs.
import { lanAddress } from '../host/lanAddress';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RedisHostDirectory } from '../../relay/redisHostDirectory';
import { RelayServer } from '../../relay/relayServer';
import { TlsCredentials } from '../../relay/tlsCredentials';
import { stderrLogger } from './stderrLogger';

interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const USAGE = `Usage: walkie relay [--port P] [--bind ADDR] [--web-root DIR] [--redis URL] [--tls-cert FILE --tls-key FILE]
  --port P        TCP port (default 8787; 0 picks a free one)
  --bind ADDR     address to listen on (default 127.0.0.1; 0.0.0.0 for all interfaces)
  --web-root DIR  the web UI folder to serve (default: the webview folder beside the CLI)
  --trust-proxy   per-source limits use the right-most X-Forwarded-For entry (only behind a TLS proxy
                  that sets it, with the relay reachable through the proxy alone)
  --redis URL     run as one node of a cluster coordinated through this Redis (redis://host:port);
                  also WALKIE_RELAY_REDIS. Without it the relay is a single process, as always.
  --drain-ms N    on SIGTERM/SIGINT, wait at most N ms for clients to leave (default 10000)
  --tls-cert FILE serve HTTPS/WSS with this PEM certificate chain (with --tls-key); both files are
  --tls-key FILE  re-read when they change, without a restart; a pair that cannot be used is reported
                  and the previous one kept
`;

export const DEFAULT_RELAY_PORT = 8787;

const OPTIONS = {
  port: { type: 'string' },
  bind: { type: 'string' },
  'web-root': { type: 'string' },
  'trust-proxy': { type: 'boolean' },
  redis: { type: 'string' },
  'drain-ms': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Parsed =
  | { port: number; bind: string; webRoot: string; trustProxy: boolean; redis?: string; drainMs: number; tls?: { certFile: string; keyFile: string } }
  | { error: string }
  | { help: true };

function parseRelayArgs(argv: readonly string[], env: Record<string, string | undefined>): Parsed {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true }));
  } catch (e) {
    return { error: (e as Error).message };
  }
  if (values.help) return { help: true };
  const port = values.port ?? String(DEFAULT_RELAY_PORT);
  if (!/^\d+$/.test(port) || Number(port) > 65535) return { error: `bad port '${port}'` };
  const redis = values.redis ?? (env.WALKIE_RELAY_REDIS || undefined);
  // The URL may carry a password: it is checked for shape here and never echoed back.
  if (redis !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redis)) return { error: 'bad --redis URL (expected redis://host:port)' };
  const drain = values['drain-ms'] ?? '10000';
  if (!/^\d{1,7}$/.test(drain)) return { error: `bad --drain-ms '${drain}'` };
  const certFile = values['tls-cert'];
  const keyFile = values['tls-key'];
  if ((certFile === undefined) !== (keyFile === undefined)) return { error: '--tls-cert and --tls-key go together' };
  return {
    port: Number(port),
    bind: values.bind ?? '127.0.0.1',
    webRoot: values['web-root'] === undefined ? path.join(__dirname, 'webview') : path.resolve(values['web-root']),
    trustProxy: values['trust-proxy'] === true,
    redis,
    drainMs: Number(drain),
    ...(certFile !== undefined && keyFile !== undefined ? { tls: { certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) } } : {}),
  };
}


/**
 * Runs the relay until SIGINT or SIGTERM. Resolves with the exit code: 0 after a clean stop, 1 when it
 * cannot listen, 2 on bad arguments.
 */
export async function runRelayCommand(argv: string[], io: Io, env: Record<string, string | undefined> = process.env): Promise<number> {
  const args = parseRelayArgs(argv, env);
  if ('help' in args) {
    io.stdout.write(USAGE);
    return 0;
  }
  if ('error' in args) {
    io.stderr.write(`walkie relay: ${args.error}\n\n${USAGE}`);
    return 2;
  }
  const redis = args.redis;
  const logger = stderrLogger(io.stderr, 'info');
  let tls: TlsCredentials | undefined;
  if (args.tls) {
    try {
      tls = new TlsCredentials(args.tls, logger);
    } catch (e) {
      io.stderr.write(`walkie relay: ${(e as Error).message}\n`);
      return 1;
    }
  }
  const relay = new RelayServer({
    port: args.port,
    host: args.bind,
    webRoot: args.webRoot,
    trustProxy: args.trustProxy,
    logger,
    tls,
    directory: redis === undefined ? undefined : (ctx) => new RedisHostDirectory(ctx, { url: redis }),
  });
  let started: { port: number; url: string };
  try {
    started = await relay.start();
  } catch (e) {
    if ((e as { code?: string }).code === 'RELAY_ERR_CLUSTER_UNAVAILABLE') {
      io.stderr.write('walkie relay: cannot reach Redis\n');
      await relay.close(0);
      return 1;
    }
    io.stderr.write(`walkie relay: cannot listen on ${args.bind}:${args.port} (${(e as { cause?: { code?: string } }).cause?.code ?? 'error'})\n`);
    return 1;
  }
  io.stdout.write(`walkie relay: listening on ${started.url}${redis === undefined ? '' : ' (cluster node, Redis)'}\n`);
  if (args.bind === '0.0.0.0') {
    const lan = lanAddress();
    if (lan) io.stdout.write(`walkie relay: on this network: ${tls ? 'https' : 'http'}://${lan}:${started.port}/\n`);
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
  io.stdout.write('walkie relay: shutting down (draining)\n');
  await relay.close(args.drainMs);
  io.stdout.write('walkie relay: stopped\n');
  return 0;
}
