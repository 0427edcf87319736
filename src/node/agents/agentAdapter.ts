// The seam between Walkie and one coding-agent CLI (Claude Code today; Codex CLI or Gemini CLI later).
// An adapter holds ALL knowledge of its agent: how to launch the CLI so that every tool call goes through
// Walkie's hook endpoint, how to read and answer its hook calls, what its tools are (read-only or not, how
// to show a call and how risky it is), how to read its transcript into chat, and what its prompt box does
// with typed text. Everything else (the pty, the hook server, the gate, the approval broker, the chat log,
// the bridge) is agent-neutral and talks to the agent only through this interface: a second agent is one
// new folder under src/node/agents/.
import type { ToolDescription } from '../../core/approvals/approvalBroker';
import type { ChatEvent, PastSession } from '../../core/wire/protocol';

/** A hook call from the agent, reduced to what Walkie acts on. `agentSessionId` is the agent's own id. */
export interface HookEventBase {
  /** The agent's event name, as sent (for logs and for answering). */
  readonly eventName: string;
  readonly agentSessionId?: string;
  /** Where the agent writes its transcript (absolute), when it says. */
  readonly transcriptPath?: string;
  readonly cwd?: string;
  /** The agent says it is in a mode that skips permission checks: Walkie denies and flags the session. */
  readonly bypass: boolean;
}

/**
 * A gate: the agent waits for the answer before it runs a tool.
 * `phase` 'before' = about to run (Claude: PreToolUse); 'prompt' = the agent's own rules would prompt
 * the user locally now (Claude: PermissionRequest).
 */
export interface ToolUseEvent extends HookEventBase {
  readonly kind: 'tool';
  readonly phase: 'before' | 'prompt';
  readonly tool: string;
  readonly input: unknown;
  readonly toolUseId?: string;
}

export type HookEvent =
  | ToolUseEvent
  /**
   * A prompt was submitted (from the terminal or typed in by Walkie). `injected`: the agent submitted it
   * itself (a background task's notification, a reminder) — no person typed it, so it is never shown as
   * "typed in the terminal".
   */
  | (HookEventBase & { readonly kind: 'prompt'; readonly prompt: string; /** As the agent sent it, if it differs. */ readonly raw?: string; readonly injected?: boolean })
  /** The agent finished its turn. */
  | (HookEventBase & { readonly kind: 'stop' })
  /** The agent's session is ending. */
  | (HookEventBase & { readonly kind: 'end'; readonly reason?: string })
  /** Any other event: acknowledged, otherwise ignored. */
  | (HookEventBase & { readonly kind: 'other' })
  /**
   * A call that did not parse. `gate` says whether the agent is waiting to run a tool on it (then the answer
   * must deny). Never carries the body: it may hold file contents.
   */
  | { readonly kind: 'invalid'; readonly eventName?: string; readonly gate: boolean; readonly reason: string; readonly bypass?: undefined };

/** How Walkie answers a gate. 'defer' = no opinion: the agent's own permission rules decide. */
export type GateAnswer = { readonly kind: 'allow'; readonly reason: string } | { readonly kind: 'deny'; readonly reason: string } | { readonly kind: 'defer' };

/**
 * A device prompt as the agent will receive it, or why it is refused. Security: the adapter decides, after
 * sanitising, that the text reaches the model as a prompt and is never run by the CLI as a local command
 * (a shell escape, a slash command, a file mention).
 */
export type PreparedPrompt =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly code: 'PROMPT_ERR_COMMAND'; readonly message: string };

/** How a session's CLI was started: by Walkie with its settings layer, or by hand and attached. */
export type SessionLaunch = 'wrapped' | 'attached';

export interface LaunchContext {
  /** The per-session hook endpoint (http://127.0.0.1:PORT/hook/SECRET). Secret: never log it. */
  readonly hookUrl: string;
  /** Seconds the agent waits for a gate answer; just above the approval expiry. */
  readonly hookTimeoutSec: number;
  /** The environment the agent would inherit. */
  readonly env: NodeJS.ProcessEnv;
  /** A private (0700) folder for launch files; removed when the session ends. */
  readonly privateDir: string;
}

export interface LaunchPlan {
  readonly command: string;
  readonly args: string[];
  readonly env: NodeJS.ProcessEnv;
  /** Things the user should know (a permission mode that was replaced…), shown as chat notices. */
  readonly notices: string[];
}

/** Where a tool call runs: relative paths resolve against `cwd`; writes outside `workspaceRoot` are risky. */
export interface ToolContext {
  readonly cwd: string;
  readonly workspaceRoot: string;
}

/** Reads an agent's transcript, one line at a time, into chat events (never tool results or file contents). */
export interface ChatReader {
  feed(line: string): ChatEvent[];
}

/** A change to a settings file: false `changed` when it already was in the wanted state. */
export interface AttachEdit {
  readonly changed: boolean;
  readonly file: string;
}

/**
 * How an agent started by hand reports to Walkie (opt-in, per workspace): the adapter installs and removes
 * Walkie's hook script in the agent's own settings. Agents without it cannot be attached.
 */
export interface AttachSupport {
  /** The file the hooks go into (shown to the user before installing). */
  settingsPath(workspace: string): string;
  /** The agent's events that run the hook (shown to the user before installing). */
  readonly events: readonly string[];
  /** What installing writes and what it changes, in plain words, for the confirmation (one paragraph each). */
  describe(workspace: string, hookCommand: string): string[];
  /** The shell command that runs Walkie's hook script (absolute path), with `nodeBin` and `env` if given. */
  hookCommand(hookScript: string, nodeBin?: string, env?: Readonly<Record<string, string>>): string;
  /** Copies the bundled hook script to a stable place and returns its path. */
  installHookScript(bundled: string, dir?: string): string;
  install(workspace: string, hookCommand: string, o?: { readonly expiryMs?: number }): AttachEdit;
  remove(workspace: string): AttachEdit;
  isInstalled(workspace: string): boolean;
}

export interface AgentAdapter {
  /** Stable id ('claude-code'), shown as SessionInfo.agent. */
  readonly id: string;
  readonly displayName: string;
  /** The oldest CLI version that honours everything Walkie relies on. */
  readonly minimumVersion: string;
  /** Resolves the CLI binary (absolute path) or throws the adapter's launch error. */
  resolveBinary(env: NodeJS.ProcessEnv): string;
  /** Runs `<bin> --version` and returns the version, or throws if it is missing or too old. */
  checkVersion(bin: string, env?: NodeJS.ProcessEnv): Promise<string>;
  /** Throws the adapter's launch error for any argument that would switch the gate off. Spawns nothing. */
  validateArgs(argv: readonly string[]): void;
  /**
   * Checks the user's arguments (throws on anything that would switch the gate off) and returns what to
   * spawn. Pure apart from writing launch files into `ctx.privateDir`.
   */
  prepareLaunch(bin: string, argv: readonly string[], ctx: LaunchContext): LaunchPlan;
  /** Parses one hook call body. Never throws. */
  parseHookInput(body: unknown): HookEvent;
  /** The HTTP response body for an event (for non-gate events the answer is ignored by the agent). */
  answer(event: HookEvent, answer: GateAnswer): unknown;
  /**
   * The text to type for a sanitised device prompt, or a refusal with a message for the device. `launch`
   * says whether Walkie launched the CLI with its own settings layer ('wrapped') or the user started it
   * ('attached': only the hooks in the project's settings are Walkie's).
   */
  preparePrompt(text: string, launch: SessionLaunch): PreparedPrompt;
  /** True once the agent's terminal UI shows it is ready for a prompt (ANSI-free screen text). */
  isReadyScreen(plainText: string): boolean;
  /** True if a transcript line records a turn that ended without a Stop event (an Esc interrupt). */
  isInterruptRecord(line: string): boolean;
  /** True when a tool only reads (never routed unless the user's policy routes it). Unknown tools: false. */
  isReadOnlyTool(tool: string): boolean;
  /** What a device is shown of a tool call, and its risk. Never throws; secrets are redacted. */
  describeToolCall(tool: string, input: unknown, ctx: ToolContext): ToolDescription;
  /** A fresh reader for one transcript file of a session working in `cwd`. */
  createChatReader(cwd: string): ChatReader;
  /** Present when a hand-started CLI of this agent can be attached. */
  readonly attach?: AttachSupport;
  /** Present when the agent keeps past sessions that can be resumed. */
  readonly resume?: ResumeSupport;
}

/** Past sessions from the agent's own store, and how to launch one again. */
export interface ResumeSupport {
  /** The agent's past sessions in `cwd` (its real path), newest first. Never throws. */
  pastSessions(cwd: string, env: NodeJS.ProcessEnv): Promise<PastSession[]>;
  /**
   * The CLI arguments that resume the session with this id, or undefined when the id is not one of this
   * agent's (security: the id comes from a device, and must never be read as another flag).
   */
  resumeArgs(id: string): string[] | undefined;
  /** Where the agent keeps the transcript of past session `id` of `cwd`, if it exists. */
  transcriptOf(cwd: string, id: string, env: NodeJS.ProcessEnv): string | undefined;
}
