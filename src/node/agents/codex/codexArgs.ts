// The Codex CLI arguments Walkie refuses before spawning anything, and the ones it replaces (measured on
// 0.171.0: docs/codex.md, "Bypass routes"). Every element is checked, prompt words included: refusing a
// prompt that reads "--yolo" is the safe mistake.
import { AgentLaunchError } from '../agentLaunchError';

/** Flags that let tools run with no approval at all (`--yolo` is a hidden alias, measured). */
const BYPASS_FLAGS = new Set(['--dangerously-bypass-approvals-and-sandbox', '--yolo', '--approve-for-me']);

/**
 * `-c key=value` keys a user may not set: they replace Walkie's hooks or their trust, switch hooks off, or
 * change the approval policy / sandbox Walkie sets. Matched on the dotted key's start.
 */
const REFUSED_CONFIG_KEYS = ['hooks', 'features.hooks', 'features.unified_exec_tty', 'bypass_hook_trust', 'dangerously_bypass_hook_trust', 'approval_policy', 'ask_for_approval', 'sandbox_mode', 'sandbox_workspace_write', 'approvals_reviewer', 'dangerously_bypass_approvals_and_sandbox', 'yolo', 'permission_profile', 'default_permissions', 'permissions'];

/** Subcommands: Walkie runs the interactive UI only (`exec` and the others have their own flags and output). */
const SUBCOMMANDS = new Set(['agents', 'exec', 'e', 'review', 'login', 'logout', 'mcp', 'plugin', 'app-server', 'remote-control', 'completion', 'update', 'doctor', 'sandbox', 'debug', 'apply', 'a', 'resume', 'queue', 'archive', 'delete', 'migrate-rollouts', 'migrate-nfs-db', 'unarchive', 'fork', 'cloud', 'exec-server', 'features', 'help']);

/** Options that take a value (so the value is not read as a subcommand or prompt). */
const VALUE_FLAGS = new Set(['-i', '--image', '-m', '--model', '--local-provider', '-p', '--profile', '-C', '--cd', '--add-dir', '--remote-auth-token-env']);

export interface CheckedCodexArgs {
  /** The user's arguments without the ones Walkie replaces. */
  readonly args: string[];
  readonly notices: string[];
  /** `read-only` when the user asked for it (stricter than Walkie's default `workspace-write`). */
  readonly sandbox: 'read-only' | 'workspace-write';
}

export function checkCodexArgs(argv: readonly string[]): CheckedCodexArgs {
  const args: string[] = [];
  const notices: string[] = [];
  let sandbox: CheckedCodexArgs['sandbox'] = 'workspace-write';
  let positional = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const [flag, inline] = eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new AgentLaunchError('AGENT_ERR_ARGS', `${flag} needs a value`);
      return v;
    };
    if (BYPASS_FLAGS.has(flag)) throw new AgentLaunchError('AGENT_ERR_BYPASS', `${flag} would let tools run without approval; Walkie refuses to start with it`);
    if (flag === '--dangerously-bypass-hook-trust') {
      throw new AgentLaunchError('AGENT_ERR_HOOKS_OFF', `${flag} would run every untrusted hook of the project; Walkie trusts only its own hooks and refuses to start with it`);
    }
    if (flag === '--remote' || flag === '--remote-auth-token-env') {
      // A remote app server runs tools with ITS configuration and hooks, not the ones Walkie adds here.
      throw new AgentLaunchError('AGENT_ERR_SETTINGS', `${flag} would run tools in another Codex process, outside Walkie's hooks; Walkie refuses to start with it`);
    }
    if (flag === '--enable') {
      const f = value();
      // A tty lets the model type into an approved command later with no hook (measured): Walkie disables it.
      if (f === 'unified_exec_tty') throw new AgentLaunchError('AGENT_ERR_BYPASS', '--enable unified_exec_tty would let the model type into a running command without approval; Walkie refuses to start with it');
      args.push('--enable', f);
      continue;
    }
    if (flag === '--disable') {
      const f = value();
      if (f === 'hooks') throw new AgentLaunchError('AGENT_ERR_HOOKS_OFF', '--disable hooks switches off the hooks Walkie approves tool calls with; Walkie refuses to start with it');
      args.push('--disable', f);
      continue;
    }
    if (flag === '-a' || flag === '--ask-for-approval') {
      const mode = value();
      if (mode !== 'on-request') throw new AgentLaunchError('AGENT_ERR_BYPASS', `--ask-for-approval ${mode} would let tools run without approval; Walkie refuses to start with it`);
      continue; // Walkie sets on-request itself.
    }
    if (flag === '-s' || flag === '--sandbox') {
      const mode = value();
      if (mode === 'read-only') sandbox = 'read-only';
      else if (mode !== 'workspace-write') throw new AgentLaunchError('AGENT_ERR_BYPASS', `--sandbox ${mode} would run commands without Codex's sandbox; Walkie refuses to start with it`);
      continue;
    }
    if (a === '-c' || a === '--config' || flag === '--config' || (a.startsWith('-c') && a.length > 2)) {
      const kv = a === '-c' || a === '--config' ? argv[++i] : flag === '--config' ? (inline ?? '') : a.slice(2).replace(/^=/, '');
      if (kv === undefined) throw new AgentLaunchError('AGENT_ERR_ARGS', '-c needs key=value');
      // TOML allows quoted and spaced dotted keys: compare without them. `features` as a whole table could
      // hold `hooks = false`.
      const key = kv.split('=')[0].replace(/["'\s]/g, '');
      if (key === 'features' || REFUSED_CONFIG_KEYS.some((k) => key === k || key.startsWith(`${k}.`))) {
        throw new AgentLaunchError('AGENT_ERR_SETTINGS', `-c ${key}=… could change Walkie's hooks, the approval policy or the sandbox; Walkie refuses to start with it`);
      }
      args.push('-c', kv);
      continue;
    }
    if (a === '--') throw new AgentLaunchError('AGENT_ERR_ARGS', "a bare '--' in the agent's arguments would turn the rest into prompt text; pass the prompt as a plain argument instead");
    if (VALUE_FLAGS.has(flag)) {
      args.push(flag, value());
      continue;
    }
    if (!a.startsWith('-')) {
      // The first plain word picks a subcommand; later ones are prompt text.
      if (positional++ === 0 && SUBCOMMANDS.has(a)) throw new AgentLaunchError('AGENT_ERR_ARGS', `Walkie runs Codex's interactive UI only; the subcommand "${a}" is not supported`);
    }
    args.push(a);
  }
  return { args, notices, sandbox };
}
