// Starts, resumes, stops and clears sessions on a device's request (feature `sessions`; HostService calls it
// as its SessionControl), and is the one API for "start a session in folder X with prompt P" that other
// surfaces use too (schedules, issue 14): `launch({ folder, prompt })`.
//
// Security: the folder must pass the FolderGate (allow-list, real paths); the session is started by the
// SessionManager, so it has the host's gate and the adapter's bypass refusal like any other; the first prompt
// is typed as a device prompt once the agent is ready (sanitised, then the adapter's preparePrompt: never a
// shell escape, slash command or file mention) and never passed on the command line; a resume id must be
// one the agent's own store lists for that folder; and the number of running sessions is capped, so a
// device cannot fill the computer with agents.
import type { Logger } from '../../core/base/logger';
import { SessionControlError, type SessionControl, type StartRequest } from '../../core/host/sessionControl';
import type { PastSession, SessionInfo } from '../../core/wire/protocol';
import { AgentLaunchError } from '../agents/agentLaunchError';
import type { AgentAdapter } from '../agents/agentAdapter';
import { sanitizePrompt } from '../terminal/terminalInput';
import type { AgentSession } from './agentSession';
import type { AuditLog } from './auditLog';
import { EndedSession } from './endedSession';
import { checkFolder } from './folderGate';
import { SessionManagerError, type AgentStartOptions, type ManagedSession, type SessionManager } from './sessionManager';

export const DEFAULT_MAX_SESSIONS = 8;

export interface SessionLauncherOptions {
  readonly manager: SessionManager;
  readonly adapter: AgentAdapter;
  /** The allowed folders, as real paths (asked each time: VS Code's workspace folders change). */
  readonly folders: () => readonly string[];
  readonly logger: Logger;
  /** The agent's environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  readonly audit?: AuditLog;
  readonly expiryMs?: number;
  /** Running sessions at most (default 8). */
  readonly maxSessions?: number;
  /**
   * Where a session runs. Default: the manager's own pty (headless, `walkie serve`); VS Code passes one that
   * opens a terminal for it.
   */
  readonly run?: (options: AgentStartOptions) => Promise<AgentSession>;
}

export class SessionLauncher implements SessionControl {
  constructor(private readonly o: SessionLauncherOptions) {}

  folders(): readonly string[] {
    return this.o.folders();
  }

  async listPast(folder: string): Promise<PastSession[]> {
    const real = this.gate(folder);
    return (await this.o.adapter.resume?.pastSessions(real, this.env)) ?? [];
  }

  async start(request: StartRequest): Promise<SessionInfo> {
    return (await this.launch(request)).info();
  }

  /**
   * Starts a session in an allowed folder with its first prompt, or resumes one of the agent's past sessions
   * there. Resolves once the agent runs (the prompt is typed when its prompt box is ready; a refusal or a
   * failure of it shows in the session's chat). @throws SessionControlError with a message for the user.
   */
  async launch(request: StartRequest): Promise<AgentSession> {
    const folder = this.gate(request.folder);
    const { adapter } = this.o;
    const argv: string[] = [];
    let resumedTitle: string | undefined;
    if (request.resume !== undefined) {
      const args = adapter.resume?.resumeArgs(request.resume);
      if (!args) throw new SessionControlError('HOST_ERR_START_FAILED', `${adapter.displayName} cannot resume a session with that id.`);
      const past = await adapter.resume!.pastSessions(folder, this.env);
      resumedTitle = past.find((p) => p.id === request.resume)?.title;
      if (resumedTitle === undefined) throw new SessionControlError('HOST_ERR_START_FAILED', `No past ${adapter.displayName} session with that id in ${folder}.`);
      argv.push(...args);
    }
    let prompt: string | undefined;
    if (request.prompt !== undefined) {
      // Checked before anything starts, so a refused prompt starts no agent (the session checks it again).
      prompt = sanitizePrompt(request.prompt);
      const prepared = adapter.preparePrompt(prompt, 'wrapped');
      if (!prompt.trim()) throw new SessionControlError('HOST_ERR_START_FAILED', 'The first prompt is empty.');
      if (!prepared.ok) throw new SessionControlError('HOST_ERR_START_FAILED', prepared.message);
    }
    const running = this.o.manager.list().filter((s) => s.info().status !== 'ended').length;
    const max = this.o.maxSessions ?? DEFAULT_MAX_SESSIONS;
    if (running >= max) throw new SessionControlError('HOST_ERR_START_FAILED', `${running} sessions are running already (at most ${max}); stop one first.`);

    const options: AgentStartOptions = {
      adapter,
      argv,
      cwd: folder,
      workspaceRoot: folder,
      env: this.o.env,
      audit: this.o.audit,
      expiryMs: this.o.expiryMs,
      title: titleFor(prompt) ?? resumedTitle,
    };
    let session: AgentSession;
    try {
      session = this.o.run ? await this.o.run(options) : await this.o.manager.start(options);
    } catch (e) {
      this.o.logger.warn(`sessions: start in a device-chosen folder failed: ${e instanceof Error ? e.message : 'error'}`);
      throw new SessionControlError('HOST_ERR_START_FAILED', e instanceof AgentLaunchError ? e.message : 'The agent could not be started.');
    }
    if (request.resume !== undefined) {
      const transcript = adapter.resume?.transcriptOf(folder, request.resume, this.env);
      if (transcript) session.followTranscript(transcript);
      this.dropReplaced(request.resume, session.id);
    }
    if (prompt !== undefined) {
      session.prompt(prompt).catch((e: unknown) => {
        this.o.logger.warn(`sessions: the first prompt of ${session.id} was not delivered: ${e instanceof Error ? e.message : 'error'}`);
        session.chat.append({ kind: 'notice', text: 'The first prompt could not be typed into the agent.' });
      });
    }
    return session;
  }

  async stop(id: string): Promise<void> {
    try {
      await this.o.manager.stop(id);
    } catch (e) {
      throw this.translate(e);
    }
  }

  clear(id: string): void {
    try {
      this.o.manager.clear(id);
    } catch (e) {
      throw this.translate(e);
    }
  }

  private get env(): NodeJS.ProcessEnv {
    return this.o.env ?? process.env;
  }

  private gate(folder: string): string {
    const check = checkFolder(folder, this.o.folders());
    if (!check.ok) throw new SessionControlError('HOST_ERR_FOLDER_REFUSED', check.reason);
    return check.folder;
  }

  /** A resumed session carries the whole conversation: the ended entries of it leave the list. */
  private dropReplaced(agentSessionId: string, keep: string): void {
    for (const s of this.o.manager.list() as ManagedSession[]) {
      if (s.id !== keep && s instanceof EndedSession && s.agentSessionId === agentSessionId) {
        try {
          this.o.manager.clear(s.id);
        } catch {
          // Already gone.
        }
      }
    }
  }

  private translate(e: unknown): Error {
    if (e instanceof SessionManagerError) {
      if (e.code === 'SESSIONS_ERR_UNKNOWN') return new SessionControlError('HOST_ERR_NO_SESSION', 'No such session on this computer.');
      if (e.code === 'SESSIONS_ERR_RUNNING') return new SessionControlError('HOST_ERR_UNSUPPORTED', 'The session is still running: stop it first.');
    }
    return e instanceof Error ? e : new Error(String(e));
  }
}

function titleFor(prompt: string | undefined): string | undefined {
  const line = prompt?.replace(/\s+/g, ' ').trim();
  return line ? (line.length > 60 ? `${line.slice(0, 59)}…` : line) : undefined;
}

