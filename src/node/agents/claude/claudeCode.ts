// The Claude Code adapter: every Claude-specific fact Walkie relies on lives here (flags, settings layer,
// hook answers, the ready screen). Facts measured on 2.1.330 are in docs/claude-code.md.
//
// Launch rules (security): Walkie refuses, before spawning anything, every argument that switches the
// approval gate off (bypass flags and modes, --bare / --safe-mode which disable all hooks, a --settings of
// the user's that could shadow ours) and any CLI older than the first version known to honour
// `onFailure: "block"`. It then adds one `--settings` layer (a 0600 file: the hook URL holds the session
// secret, and a file keeps it out of `ps`) with blocking HTTP gate hooks and bypass disabled for good.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { which } from '../../terminal/which';
import type { ToolDescription } from '../../../core/approvals/approvalBroker';
import type { AgentAdapter, ChatReader, GateAnswer, HookEvent, LaunchContext, LaunchPlan, PreparedPrompt, SessionLaunch, ToolContext } from '../agentAdapter';
import { CLAUDE_READ_ONLY_TOOLS } from './claudeTools';
import { assessRisk } from './risk';
import { describeApproval } from './toolSummary';
import { TranscriptReader } from './transcript';
import { parseClaudeHookInput } from './claudeHookInput';
import { prepareClaudePrompt } from './claudePrompt';
import { AgentLaunchError, compareVersions } from '../agentLaunchError';
import { permissionRequestAnswer } from '../hookAnswers';
import { CLAUDE_ATTACH } from './claudeAttachInstaller';
import { CLAUDE_SESSION_ID, claudePastSessions, claudeTranscriptOf } from './claudeSessionStore';

// Agent-neutral since the second adapter; re-exported here for the existing importers.
export { AgentLaunchError, compareVersions, type AgentLaunchErrorCode } from '../agentLaunchError';

/** 2.1.330 is the first version known to honour `onFailure: "block"` on hook entries. */
export const CLAUDE_MINIMUM_VERSION = '2.1.330';

/** Variables that switch every hook off when set at launch (a settings layer cannot beat them). */
export const CLAUDE_STRIPPED_ENV = ['CLAUDE_CODE_SIMPLE', 'CLAUDE_CODE_SAFE_MODE', 'IS_SANDBOX'] as const;

/** Modes that would skip per-tool prompts: replaced by `default` (PreToolUse gates every tool anyway). */
const REPLACED_MODES = new Set(['acceptEdits', 'auto', 'dontAsk', 'plan']);

/** Seconds a non-gate hook may take; Walkie answers those at once. */
const INFO_HOOK_TIMEOUT_SEC = 10;

export interface ClaudeCodeOptions {
  /** The CLI to run; default: `claude` on PATH. */
  readonly bin?: string;
}

export class ClaudeCodeAdapter implements AgentAdapter {
  readonly id = 'claude-code';
  readonly displayName = 'Claude Code';
  readonly minimumVersion = CLAUDE_MINIMUM_VERSION;

  constructor(private readonly options: ClaudeCodeOptions = {}) {}

  resolveBinary(env: NodeJS.ProcessEnv): string {
    const wanted = this.options.bin ?? 'claude';
    const found = which(wanted, env.PATH ?? '');
    if (!found) throw new AgentLaunchError('AGENT_ERR_NOT_FOUND', `Claude Code CLI not found (${wanted}); install @anthropic-ai/claude-code ${CLAUDE_MINIMUM_VERSION} or newer`);
    return found;
  }

  async checkVersion(bin: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(bin, ['--version'], { env: stripEnv(env), timeout: 15_000, maxBuffer: 64 * 1024 }, (err, stdout) => {
        if (err) reject(new AgentLaunchError('AGENT_ERR_NOT_FOUND', `could not run ${path.basename(bin)} --version: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
        else resolve(String(stdout));
      });
    });
    const version = /\b(\d+\.\d+\.\d+)\b/.exec(out)?.[1];
    if (!version) throw new AgentLaunchError('AGENT_ERR_VERSION', 'could not read the Claude Code version');
    if (compareVersions(version, CLAUDE_MINIMUM_VERSION) < 0) {
      throw new AgentLaunchError('AGENT_ERR_VERSION', `Claude Code ${version} is too old: Walkie needs ${CLAUDE_MINIMUM_VERSION} or newer (the first version that blocks a tool when its approval hook fails)`);
    }
    return version;
  }

  validateArgs(argv: readonly string[]): void {
    checkArgs(argv);
  }

  prepareLaunch(bin: string, argv: readonly string[], ctx: LaunchContext): LaunchPlan {
    const { args, notices } = checkArgs(argv);
    const settings = claudeSettings(ctx.hookUrl, ctx.hookTimeoutSec);
    const settingsFile = path.join(ctx.privateDir, 'walkie-settings.json');
    // 0600 in a 0700 folder: the file holds the hook URL with the session secret.
    fs.writeFileSync(settingsFile, JSON.stringify(settings), { mode: 0o600, flag: 'wx' });
    // Security: Walkie's flags go FIRST. Anything after a `--` is prompt text to the CLI, so flags appended
    // after the user's arguments could be swallowed and the session would run with no gate at all.
    return { command: bin, args: ['--permission-mode', 'default', '--settings', settingsFile, ...args], env: stripEnv(ctx.env), notices };
  }

  parseHookInput(body: unknown): HookEvent {
    return parseClaudeHookInput(body);
  }

  answer(event: HookEvent, answer: GateAnswer): unknown {
    const gateName = event.kind === 'tool' ? event.eventName : event.kind === 'invalid' && event.gate ? event.eventName : undefined;
    // A gate event must get a decision; one that did not parse gets a deny (fail closed).
    const a: GateAnswer = event.kind === 'invalid' ? { kind: 'deny', reason: 'Walkie could not read this tool call, so it was blocked.' } : answer;
    if (gateName === 'PreToolUse') {
      if (a.kind === 'defer') return {};
      return { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: a.kind, permissionDecisionReason: a.reason } };
    }
    if (gateName === 'PermissionRequest') return permissionRequestAnswer(a);
    // An invalid call that may be a gate but names no usable event: no answer body; the server answers an
    // HTTP error and a gate entry's `onFailure: "block"` blocks the tool. A malformed info event gets {}.
    if (event.kind === 'invalid' && event.gate) return undefined;
    return {};
  }

  preparePrompt(text: string, launch: SessionLaunch): PreparedPrompt {
    return prepareClaudePrompt(text, launch);
  }

  isReadyScreen(plainText: string): boolean {
    // The prompt box's footer ("? for shortcuts") appears once no startup dialog is in the way.
    return /for\s*shortcuts/.test(plainText);
  }

  readonly attach = CLAUDE_ATTACH;

  readonly resume = {
    pastSessions: (cwd: string, env: NodeJS.ProcessEnv) => claudePastSessions(cwd, env),
    resumeArgs: (id: string) => (CLAUDE_SESSION_ID.test(id) ? ['--resume', id] : undefined),
    transcriptOf: claudeTranscriptOf,
  };

  isReadOnlyTool(tool: string): boolean {
    return CLAUDE_READ_ONLY_TOOLS.has(tool);
  }

  describeToolCall(tool: string, input: unknown, ctx: ToolContext): ToolDescription {
    return { ...describeApproval(tool, input, ctx.cwd), risk: assessRisk(tool, input, ctx.workspaceRoot) };
  }

  createChatReader(cwd: string): ChatReader {
    return new TranscriptReader({ cwd });
  }

  isInterruptRecord(line: string): boolean {
    if (!line.includes('[Request interrupted by user')) return false;
    try {
      const rec = JSON.parse(line) as { type?: unknown; message?: { content?: unknown } };
      if (rec.type !== 'user') return false;
      const c = rec.message?.content;
      const texts = typeof c === 'string' ? [c] : Array.isArray(c) ? c.map((b: { text?: unknown }) => (typeof b?.text === 'string' ? b.text : '')) : [];
      return texts.some((t) => t.startsWith('[Request interrupted by user'));
    } catch {
      return false;
    }
  }
}

/** The `--settings` layer. Exported for tests and for the report. */
export function claudeSettings(hookUrl: string, hookTimeoutSec: number): Record<string, unknown> {
  const gate = [{ matcher: '*', hooks: [{ type: 'http', url: hookUrl, timeout: hookTimeoutSec, onFailure: 'block' }] }];
  const info = [{ hooks: [{ type: 'http', url: hookUrl, timeout: INFO_HOOK_TIMEOUT_SEC }] }];
  return {
    hooks: { PreToolUse: gate, PermissionRequest: gate, UserPromptSubmit: info, Stop: info, SessionEnd: info },
    // "disable" is the only legal value, so no other layer can turn bypass back on. defaultMode beats a
    // user-level `defaultMode: bypassPermissions` (which would otherwise open a startup dialog).
    permissions: { disableBypassPermissionsMode: 'disable', defaultMode: 'default' },
    disableAllHooks: false,
    // Security: a command or skill file's inline `!`cmd`` runs with no hook call, from a slash command or
    // an approved Skill tool call alike (measured). Off while Walkie runs the session: every command is an
    // approval. The person at the terminal loses inline shell in their own commands for this session only.
    disableSkillShellExecution: true,
    env: { CLAUDE_CODE_SIMPLE: '0', CLAUDE_CODE_SAFE_MODE: '0' },
  };
}

/** Refuses the arguments that switch the gate off; replaces permission modes that skip prompts. */
export function checkArgs(argv: readonly string[]): { args: string[]; notices: string[] } {
  const args: string[] = [];
  const notices: string[] = [];
  // Every element is checked, even after `--`: refusing a prompt that reads "--bare" is the safe mistake.
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '--dangerously-skip-permissions' || flag === '--allow-dangerously-skip-permissions') {
      throw new AgentLaunchError('AGENT_ERR_BYPASS', `${flag} would let tools run without approval; Walkie refuses to start with it`);
    }
    if (flag === '--bare' || flag === '--safe-mode') {
      throw new AgentLaunchError('AGENT_ERR_HOOKS_OFF', `${flag} switches off the hooks Walkie approves tool calls with; Walkie refuses to start with it`);
    }
    if (flag === '--settings') {
      throw new AgentLaunchError('AGENT_ERR_SETTINGS', 'Walkie adds its own --settings layer; put your settings in .claude/settings.local.json instead');
    }
    if (flag === '--managed-settings' || flag === '--setting-sources') {
      // Both change which settings layers load; refusing them costs nothing and keeps Walkie's layer in force.
      throw new AgentLaunchError('AGENT_ERR_SETTINGS', `${flag} could change which settings Claude Code loads; Walkie refuses to start with it`);
    }
    if (a === '--') {
      // Security: after `--` the CLI reads every later argument as prompt text, flags included.
      throw new AgentLaunchError('AGENT_ERR_ARGS', "a bare '--' in the agent's arguments would turn the rest into prompt text; pass the prompt as a plain argument instead");
    }
    if (flag === '--permission-mode') {
      const mode = inline ?? argv[++i];
      if (mode === undefined) throw new AgentLaunchError('AGENT_ERR_BYPASS', '--permission-mode needs a value');
      if (/bypass/i.test(mode)) throw new AgentLaunchError('AGENT_ERR_BYPASS', `--permission-mode ${mode} would let tools run without approval; Walkie refuses to start with it`);
      notices.push(REPLACED_MODES.has(mode) ? `Permission mode "${mode}" was replaced by "default": Walkie asks for every edit and command.` : `Permission mode "${mode}" was replaced by "default".`);
      continue;
    }
    args.push(a);
  }
  return { args, notices };
}

/** The agent's environment without the variables that switch hooks off or allow bypass as root. */
export function stripEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const k of CLAUDE_STRIPPED_ENV) delete out[k];
  return out;
}
