// A session that has ended but stays listed, with its chat, until the user clears it: either the final
// state of a session that ended while the host ran (its own chat log is kept as it was), or one rebuilt after
// a host restart from the agent's transcript (through the adapter's ChatReader, which never yields tool
// results or file contents). It takes no prompt; stopping it does nothing.
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../core/base/clock';
import { Emitter, type Event } from '../../core/base/event';
import { ChatLog } from '../../core/host/chatLog';
import { LIMITS, type SessionInfo } from '../../core/wire/protocol';
import type { AgentAdapter } from '../agents/agentAdapter';
import type { Disposable } from '../../core/base/dispose';
import type { SessionHandle } from '../../core/host/hostService';
import type { HistoryEntry } from './sessionHistory';

/** A transcript larger than this is not read back (the chat then says so). */
const MAX_TRANSCRIPT_BYTES = 64 * 1024 * 1024;

export class EndedSessionError extends Error {
  readonly code = 'SESSION_ERR_ENDED';
  override readonly name = 'EndedSessionError';
}

export class EndedSession implements SessionHandle, Disposable {
  readonly id: string;
  private readonly infoEmitter = new Emitter<SessionInfo>();
  readonly onInfo: Event<SessionInfo> = this.infoEmitter.event;

  constructor(
    private readonly final: SessionInfo,
    readonly chat: ChatLog,
    /** What a resume needs: the agent's own id, where it ran. */
    readonly agentSessionId?: string,
    readonly transcriptPath?: string,
  ) {
    this.id = final.id;
  }

  /** Rebuilds a remembered session's chat from its transcript (a missing or unreadable one: a notice says so). */
  static fromHistory(entry: HistoryEntry, adapter: AgentAdapter | undefined, clock: Clock): EndedSession {
    const chat = new ChatLog({ clock });
    const file = entry.transcriptPath;
    let lines: string[] | undefined;
    // Security: the path comes from our own 0600 state file; it is still only read if it is an absolute
    // .jsonl, and only through the adapter's reader (chat text, never tool results).
    if (adapter && file && path.isAbsolute(file) && file.endsWith('.jsonl')) {
      try {
        if (fs.statSync(file).size <= MAX_TRANSCRIPT_BYTES) lines = fs.readFileSync(file, 'utf8').split('\n');
      } catch {
        lines = undefined;
      }
    }
    if (lines && adapter) {
      const reader = adapter.createChatReader(entry.cwd);
      for (const line of lines) if (line.trim()) for (const event of reader.feed(line)) chat.append(event);
    } else {
      chat.append({ kind: 'notice', text: "This session's chat could not be read back from the agent's transcript." });
    }
    const info: SessionInfo = {
      id: entry.id,
      title: entry.title.slice(0, LIMITS.name * 2),
      agent: entry.agent,
      cwd: entry.cwd,
      status: 'ended',
      since: entry.endedAt ?? entry.startedAt,
      lastSeq: chat.lastSeq,
    };
    return new EndedSession(info, chat, entry.agentSessionId, entry.transcriptPath);
  }

  info(): SessionInfo {
    return { ...this.final, lastSeq: this.chat.lastSeq };
  }

  prompt(): Promise<void> {
    return Promise.reject(new EndedSessionError('the session has ended'));
  }

  interrupt(): void {}

  stop(): Promise<void> {
    return Promise.resolve();
  }

  dispose(): void {
    this.infoEmitter.dispose();
  }
}
