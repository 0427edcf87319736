// Argument handling for the `walkie` CLI. Each sub-command lives in its own module; this file only
// dispatches, so `walkie --help` stays cheap.
import { which } from './which';

declare const WALKIE_VERSION: string;

const USAGE = `walkie — watch and steer a terminal coding agent from your phone

Usage:
  walkie host [options] -- <agent> [args…]   run an agent (default: claude) and serve it to paired devices
  walkie --version
  walkie --help
`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
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
      return host(rest);
    default:
      process.stderr.write(`walkie: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

async function host(argv: readonly string[]): Promise<number> {
  const dash = argv.indexOf('--');
  const agent = dash >= 0 ? argv.slice(dash + 1) : [];
  const program = agent[0] ?? 'claude';
  const resolved = which(program);
  if (!resolved) {
    process.stderr.write(
      `walkie: the agent '${program}' was not found on PATH.\n` +
        `Install Claude Code (npm install -g @anthropic-ai/claude-code) or name the agent after '--'.\n`,
    );
    return 1;
  }
  process.stdout.write(`walkie: agent found at ${resolved}\n`);
  return 0;
}
