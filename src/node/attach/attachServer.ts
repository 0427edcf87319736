// The host side of attaching hand-started Claude Code sessions: one route on a HookServer that the attach
// hook (dist/hook.js, src/node/attach/hookCli.ts) calls, and the registry files that tell the hook where that
// route is (src/node/attach/attachRegistry.ts; written at start, removed at close). The first hook call of an
// unknown `session_id` becomes an AttachedSession, which the SessionManager adopts (it serves it to the devices;
// onSessionAttached says so); later calls go to it.
//
// Security: the route is 127.0.0.1 with a 256-bit path secret (HookServer); the registry file that holds it
// is readable by the user only. Every answer is signed with a second secret from the same file (HMAC-SHA256
// over the hook's nonce and the answer), so the hook can tell its host from a process that took the port
// over. A call that is not well formed gets an HTTP error, and the hook then falls back to the local prompt.
import crypto from 'node:crypto';
import path from 'node:path';
import * as z from 'zod';
import type { ApprovalBroker } from '../../core/approvals/approvalBroker';
import type { Clock } from '../../core/base/clock';
import { type Disposable, DisposableStore } from '../../core/base/dispose';
import { Emitter, type Event } from '../../core/base/event';
import type { Logger } from '../../core/base/logger';
import type { ToolPolicy } from '../../core/approvals/toolPolicy';
import type { AgentAdapter } from '../agents/agentAdapter';
import { ClaudeCodeAdapter } from '../agents/claude/claudeCode';
import { adapterFor } from '../agents/registry/adapterFor';
import type { AuditLog } from '../sessions/auditLog';
import { AttachedSession, type Typer } from './attachedSession';
import { defaultAttachDir, removeAttachEntry, writeAttachEntry } from './attachRegistry';
import { HookServer, type HookRoute } from '../sessions/hookServer';
import type { SessionManager } from '../sessions/sessionManager';
import { parentPid } from '../terminal/processTree';
import { issueSummary } from '../../core/wire/zodIssues';
import { errorName } from '../../core/base/errorName';

export interface AttachServerOptions {
  /** The workspace folders whose hand-started sessions this host takes. */
  readonly workspaces: readonly string[];
  /** Serves every attached session (adopt) and takes it off the service when it ends. */
  readonly sessions: SessionManager;
  readonly broker: ApprovalBroker;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Reaches the terminal a CLI runs in, by the CLI's pid. */
  readonly typer: Typer;
  /** Claude Code's adapter (the default agent of the hook). */
  readonly adapter?: AgentAdapter;
  /** The adapter for a hook call that names another agent (`codex`). Default: the registry's. */
  readonly adapterFor?: (agent: string) => AgentAdapter;
  readonly policy?: ToolPolicy;
  readonly audit?: AuditLog;
  /** A shared hook server; by default the attach server runs its own and closes it at the end. */
  readonly hookServer?: HookServer;
  /** Where the registry files go. Default ~/.walkie/attach. */
  readonly registryDir?: string;
  /** At most this many live attached sessions; calls of further ones fall back to the local prompt. Default 32. */
  readonly maxSessions?: number;
  readonly promptTimeoutMs?: number;
  readonly livenessMs?: number;
  /**
   * True for the pid of a Claude Code that Walkie itself started (an AgentSession): it also loads the
   * workspace's attach hook, but its own HTTP gate already routes every call — it must not be attached twice.
   */
  readonly isWrapped?: (claudePid: number) => boolean;
}

/** What the hook POSTs. `input` is the CLI's hook input, parsed by the adapter. */
const AttachCallSchema = z.strictObject({
  v: z.literal(1),
  nonce: z.string().regex(/^[0-9a-f]{32}$/),
  input: z.unknown(),
  /** Which agent's hook input this is (absent: Claude Code, whose hook predates the field). */
  agent: z.literal('codex').optional(),
  /** The CLI's pid, for either agent (the name predates Codex). */
  claudePid: z.number().int().positive().optional(),
  ppid: z.number().int().positive().optional(),
});

export class AttachServer implements Disposable {
  private readonly attachedEmitter = new Emitter<AttachedSession>((e) => this.o.logger.error(`attach: listener failed: ${errorName(e)}`));
  /** A hand-started session made its first hook call; it is served already (SessionManager.adopt). */
  readonly onSessionAttached: Event<AttachedSession> = this.attachedEmitter.event;
  private readonly byAgentId = new Map<string, AttachedSession>();
  private readonly adapter: AgentAdapter;
  /** Adapters of other agents, made on their first call. */
  private readonly others = new Map<string, AgentAdapter>();
  private readonly secret = crypto.randomBytes(32);
  private readonly registryDir: string;
  private readonly registered: string[] = [];
  private readonly disposables = new DisposableStore();
  private route: HookRoute | undefined;
  private ownServer: HookServer | undefined;
  private closed = false;

  static async start(o: AttachServerOptions): Promise<AttachServer> {
    const server = o.hookServer ?? (await HookServer.listen({ logger: o.logger }));
    const attach = new AttachServer(o);
    if (!o.hookServer) attach.ownServer = server;
    try {
      attach.register(server);
    } catch (e) {
      attach.dispose();
      throw e;
    }
    return attach;
  }

  private constructor(private readonly o: AttachServerOptions) {
    this.adapter = o.adapter ?? new ClaudeCodeAdapter();
    this.registryDir = o.registryDir ?? defaultAttachDir();
  }

  /** The live attached sessions. */
  sessions(): AttachedSession[] {
    return [...this.byAgentId.values()].filter((s) => !s.ended);
  }

  /** Stops taking hook calls, removes the registry files and ends every attached session. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const ws of this.registered.splice(0)) {
      try {
        if (this.route) removeAttachEntry(this.registryDir, ws, this.route.url);
      } catch (e) {
        this.o.logger.warn(`attach: could not remove the registry file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    for (const s of this.byAgentId.values()) s.dispose();
    this.byAgentId.clear();
    this.attachedEmitter.dispose();
    this.disposables.dispose();
    this.ownServer?.dispose();
  }

  /** dispose(), then waits until its own hook server (if any) has closed. */
  async close(): Promise<void> {
    const server = this.ownServer;
    this.ownServer = undefined;
    this.dispose();
    await server?.close();
  }

  private register(server: HookServer): void {
    this.route = server.addRoute((body, signal) => this.onCall(body, signal));
    this.disposables.add(this.route);
    // A registry file must not outlive the process (a crash leaves one behind; its dead pid makes it stale).
    const onExit = () => this.dispose();
    process.once('exit', onExit);
    this.disposables.add({ dispose: () => process.off('exit', onExit) });
    const secret = this.secret.toString('base64url');
    for (const ws of this.o.workspaces) {
      writeAttachEntry(this.registryDir, ws, { url: this.route.url, secret, pid: process.pid });
      this.registered.push(ws);
    }
    this.o.logger.info(`attach: taking hand-started sessions in ${this.o.workspaces.length} workspace folder(s)`);
  }

  private async onCall(body: unknown, signal: AbortSignal): Promise<unknown> {
    const call = AttachCallSchema.safeParse(body);
    if (!call.success) {
      this.o.logger.warn(`attach: dropped a malformed call (${issueSummary(call.error, 2)})`);
      return undefined;
    }
    const { nonce, input, claudePid, ppid, agent } = call.data;
    const answer = await this.answer(this.adapterOf(agent), input, claudePid ?? (ppid !== undefined ? parentPid(ppid) : undefined), signal);
    if (answer === undefined) return undefined;
    const text = JSON.stringify(answer);
    return { answer: text, mac: crypto.createHmac('sha256', this.secret).update(`${nonce}\n${text}`).digest('hex') };
  }

  private adapterOf(agent: string | undefined): AgentAdapter {
    if (agent === undefined) return this.adapter;
    let a = this.others.get(agent);
    if (!a) {
      a = this.o.adapterFor ? this.o.adapterFor(agent) : adapterFor(agent, agent === 'codex' ? 'codex' : 'auto');
      this.others.set(agent, a);
    }
    return a;
  }

  private async answer(adapter: AgentAdapter, input: unknown, claudePid: number | undefined, signal: AbortSignal): Promise<unknown> {
    const ev = adapter.parseHookInput(input);
    if (ev.kind === 'invalid') {
      this.o.logger.warn(`attach: invalid ${ev.eventName ?? 'hook'} call (${ev.reason})${ev.gate ? ': denied' : ''}`);
      return adapter.answer(ev, { kind: 'deny', reason: 'invalid hook input' });
    }
    if (this.closed || !ev.agentSessionId) return undefined;
    // No opinion (not `defer`, which denies a PermissionRequest): the wrapped session's own gate answers.
    if (claudePid !== undefined && this.o.isWrapped?.(claudePid)) return {};
    let session = this.byAgentId.get(ev.agentSessionId);
    if (session && session.adapter !== adapter) return undefined; // another agent's session id: not ours to answer
    if (!session || session.ended) {
      // A session that is ending (or already gone) is not attached just to be ended.
      if (ev.kind === 'end') return adapter.answer(ev, { kind: 'defer' });
      if (this.sessions().length >= (this.o.maxSessions ?? 32)) {
        this.o.logger.warn('attach: too many attached sessions; this one is left to its terminal');
        return undefined;
      }
      session = this.attach(adapter, ev.agentSessionId, ev.cwd);
      if (!session) return undefined;
    }
    const notificationType = typeof input === 'object' && input !== null ? (input as { notification_type?: unknown }).notification_type : undefined;
    return session.handleHook(ev, claudePid, signal, typeof notificationType === 'string' ? notificationType : undefined);
  }

  private attach(adapter: AgentAdapter, agentSessionId: string, reportedCwd: string | undefined): AttachedSession | undefined {
    const cwd = reportedCwd && path.isAbsolute(reportedCwd) ? reportedCwd : (this.o.workspaces[0] ?? process.cwd());
    const session = new AttachedSession({
      agentSessionId,
      cwd,
      adapter,
      broker: this.o.broker,
      clock: this.o.clock,
      logger: this.o.logger,
      typer: this.o.typer,
      workspaceRoot: this.workspaceOf(cwd),
      policy: this.o.policy,
      audit: this.o.audit,
      promptTimeoutMs: this.o.promptTimeoutMs,
      livenessMs: this.o.livenessMs,
    });
    try {
      this.o.sessions.adopt(session);
    } catch (e) {
      // Not served (the host is stopping): the call falls back to the terminal's own prompt.
      this.o.logger.warn(`attach: could not serve the session: ${e instanceof Error ? e.message : 'error'}`);
      session.dispose();
      return undefined;
    }
    // Ended sessions are forgotten here (the SessionManager took them off the HostService when they ended).
    for (const [id, s] of this.byAgentId) if (s.ended) this.byAgentId.delete(id);
    this.byAgentId.set(agentSessionId, session);
    this.o.logger.info(`attach: attached session ${session.id}`);
    this.attachedEmitter.fire(session);
    return session;
  }

  /** The registered workspace folder that holds `cwd` (the deepest), else `cwd` itself. */
  private workspaceOf(cwd: string): string {
    let best: string | undefined;
    for (const ws of this.o.workspaces) {
      const rel = path.relative(ws, cwd);
      if (!rel.startsWith('..') && !path.isAbsolute(rel) && (!best || ws.length > best.length)) best = ws;
    }
    return best ?? cwd;
  }
}
