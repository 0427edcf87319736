// The Codex CLI adapter (OpenAI's `codex`): every Codex-specific fact Walkie relies on lives in this folder.
// Facts measured on 0.171.0 are in docs/codex.md.
//
// Launch rules (security): Walkie refuses, before spawning anything, every argument that switches the
// approval gate off (codexArgs.ts) and any CLI older than the version measured here. It then starts the
// interactive UI with its own session flags FIRST: `--enable hooks`, `--disable unified_exec_tty` (no
// terminal, so nothing can be typed into an approved command later), `--ask-for-approval on-request`, a
// sandbox (`workspace-write`, or the user's `read-only`), and its four command hooks trusted by hash
// (codexHooks.ts). Session flags beat config.toml and profiles, so a user's `approval_policy = "never"` or
// `features.hooks = false` there does not switch the gate off; a mode that still skips approvals shows up
// as `permission_mode: "bypassPermissions"` on every hook call, and the gate then denies everything.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ToolDescription } from '../../../core/approvals/approvalBroker';
import { which } from '../../terminal/which';
import type { AgentAdapter, ChatReader, GateAnswer, HookEvent, LaunchContext, LaunchPlan, PreparedPrompt, ToolContext } from '../agentAdapter';
import { AgentLaunchError, compareVersions } from '../agentLaunchError';
import { checkCodexArgs } from './codexArgs';
import { CODEX_ATTACH } from './codexAttachInstaller';
import { parseCodexHookInput } from './codexHookInput';
import { CODEX_HOOK_SCRIPT, codexHookOverrides } from './codexHooks';
import { prepareCodexPrompt } from './codexPrompt';
import { CODEX_READ_ONLY_TOOLS, describeCodexToolCall } from './codexTools';
import { RolloutReader } from './rolloutReader';
import { permissionRequestAnswer } from '../hookAnswers';

/** The version whose hooks, trust keys and failure behaviour docs/codex.md measured. */
export const CODEX_MINIMUM_VERSION = '0.171.0';

/** Text of the startup dialogs that take the keyboard before the composer (measured), without spaces. */
const DIALOG_MARKERS = ['Trustthisfolder', 'Trustandcontinue', 'enterconfirm', 'enter/escconfirm', 'entercontinue'];
/** The hook review dialog: Codex did not accept Walkie's trust hash, so Walkie's hooks may not run. */
const HOOK_REVIEW_MARKERS = ['Continuewithouttrusting', 'Trustallandcontinue', 'neworchanged'];

export interface CodexCliOptions {
  /** The CLI to run; default: `codex` on PATH. */
  readonly bin?: string;
  /** The runtime for the hook script; default: this process's own binary (Node, or VS Code run as Node). */
  readonly hookRuntime?: string;
}

export class CodexCliAdapter implements AgentAdapter {
  readonly id = 'codex';
  readonly displayName = 'Codex CLI';
  readonly minimumVersion = CODEX_MINIMUM_VERSION;

  /** A Codex CLI started by hand in a workspace reports through `.codex/hooks.json` (codexAttachInstaller.ts). */
  readonly attach = CODEX_ATTACH;

  /** Set once the hook review dialog showed: this session is never ready for device prompts. */
  private hookReviewSeen = false;

  constructor(private readonly options: CodexCliOptions = {}) {}

  resolveBinary(env: NodeJS.ProcessEnv): string {
    const wanted = this.options.bin ?? 'codex';
    const found = wanted.includes('/') ? (fs.existsSync(wanted) ? path.resolve(wanted) : undefined) : which(wanted, env.PATH ?? '');
    if (!found) throw new AgentLaunchError('AGENT_ERR_NOT_FOUND', `Codex CLI not found (${wanted}); install @openai/codex ${CODEX_MINIMUM_VERSION} or newer`);
    return found;
  }

  async checkVersion(bin: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(bin, ['--version'], { env, timeout: 15_000, maxBuffer: 64 * 1024 }, (err, stdout) => {
        if (err) reject(new AgentLaunchError('AGENT_ERR_NOT_FOUND', `could not run ${path.basename(bin)} --version: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
        else resolve(String(stdout));
      });
    });
    const version = /codex-cli (\d+\.\d+\.\d+)\b/.exec(out)?.[1];
    if (!version) throw new AgentLaunchError('AGENT_ERR_VERSION', 'could not read the Codex CLI version');
    if (compareVersions(version, CODEX_MINIMUM_VERSION) < 0) {
      throw new AgentLaunchError('AGENT_ERR_VERSION', `Codex CLI ${version} is too old: Walkie needs ${CODEX_MINIMUM_VERSION} or newer (the version whose hooks Walkie has checked block a tool call)`);
    }
    return version;
  }

  validateArgs(argv: readonly string[]): void {
    checkCodexArgs(argv);
  }

  prepareLaunch(bin: string, argv: readonly string[], ctx: LaunchContext): LaunchPlan {
    const { args, notices, sandbox } = checkCodexArgs(argv);
    const script = path.join(ctx.privateDir, 'walkie-codex-hook.js');
    const urlFile = path.join(ctx.privateDir, 'walkie-hook-url');
    // 0600 in a 0700 folder: the URL holds the session secret, and a file keeps it out of `ps`.
    fs.writeFileSync(script, CODEX_HOOK_SCRIPT, { mode: 0o600, flag: 'wx' });
    fs.writeFileSync(urlFile, ctx.hookUrl, { mode: 0o600, flag: 'wx' });
    const overrides = codexHookOverrides({ runtime: this.options.hookRuntime ?? process.execPath, script, urlFile }, ctx.hookTimeoutSec);
    // Security: Walkie's flags go FIRST (a later `--` or prompt must not swallow them).
    // Security: no terminal for the model's commands. Measured: `write_stdin` into a running tty command
    // calls no hook, so an approved `bash` or `python` would take any later input unapproved. Without a tty
    // a command's stdin is closed (`cat` ends at once) and `write_stdin` has nothing to write to.
    const own = ['--enable', 'hooks', '--disable', 'unified_exec_tty', '--ask-for-approval', 'on-request', '--sandbox', sandbox, ...overrides.flatMap((o) => ['-c', o])];
    return { command: bin, args: [...own, ...args], env: { ...ctx.env }, notices };
  }

  parseHookInput(body: unknown): HookEvent {
    return parseCodexHookInput(body);
  }

  answer(event: HookEvent, answer: GateAnswer): unknown {
    const gateName = event.kind === 'tool' ? event.eventName : event.kind === 'invalid' && event.gate ? event.eventName : undefined;
    const a: GateAnswer = event.kind === 'invalid' ? { kind: 'deny', reason: 'Walkie could not read this tool call, so it was blocked.' } : answer;
    if (gateName === 'PreToolUse') {
      // Measured: Codex honours only "deny" here; "allow" is reported as a failed hook. No output = go on.
      if (a.kind !== 'deny') return {};
      return { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: a.reason } };
    }
    if (gateName === 'PermissionRequest') return permissionRequestAnswer(a);
    // A gate call that names no usable event: no body, so the server answers an HTTP error and the hook
    // script blocks (exit 2). Status events get {} (the script prints nothing for them).
    if (event.kind === 'invalid' && event.gate) return undefined;
    return {};
  }

  preparePrompt(text: string): PreparedPrompt {
    return prepareCodexPrompt(text);
  }

  isReadyScreen(plainText: string): boolean {
    // The composer's footer, drawn again after the last startup dialog (folder trust, hook review, a model
    // notice) closed. The UI draws words with cursor moves, so spaces are not reliable: compare without them.
    const t = plainText.replace(/\s+/g, '');
    // Security: the review dialog means Codex did not take Walkie's trust hash (a changed hash format). If
    // the person at the terminal continues without trusting, Codex runs with NO Walkie hook: never treat
    // that session as ready, so no device prompt is ever typed into it. (One adapter instance per session.)
    if (HOOK_REVIEW_MARKERS.some((m) => t.includes(m))) this.hookReviewSeen = true;
    if (this.hookReviewSeen) return false;
    const footer = t.lastIndexOf('forshortcuts');
    const dialog = Math.max(...DIALOG_MARKERS.map((m) => t.lastIndexOf(m)));
    return footer >= 0 && footer > dialog && t.includes('AskCodex');
  }

  isReadOnlyTool(tool: string): boolean {
    return CODEX_READ_ONLY_TOOLS.has(tool);
  }

  describeToolCall(tool: string, input: unknown, ctx: ToolContext): ToolDescription {
    return describeCodexToolCall(tool, input, ctx.cwd, ctx.workspaceRoot);
  }

  createChatReader(cwd: string): ChatReader {
    return new RolloutReader(cwd);
  }

  isInterruptRecord(line: string): boolean {
    if (!line.includes('turn_aborted')) return false;
    try {
      const rec = JSON.parse(line) as { type?: unknown; payload?: { type?: unknown } };
      return rec.type === 'event_msg' && rec.payload?.type === 'turn_aborted';
    } catch {
      return false;
    }
  }
}
