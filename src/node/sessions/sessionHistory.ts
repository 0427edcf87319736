// The sessions a long-lived host has served, kept in its state folder (sessions.json, 0600, written
// atomically), so ended sessions stay listed with their chat after a restart: the chat itself is not kept
// here — it is rebuilt from the agent's own transcript (EndedSession.fromTranscript). Walkie's session ids
// are kept, so a device that knew a session finds it again under the same id. The file is untrusted on read:
// a corrupt one is set aside and the list starts empty (nothing is lost but the list).
import fs from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import type { Logger } from '../../core/base/logger';
import { LIMITS } from '../../core/wire/protocol';

export const HistoryEntrySchema = z.strictObject({
  id: z.string().min(1).max(LIMITS.id),
  agent: z.string().max(LIMITS.name),
  cwd: z.string().min(1).max(4096),
  title: z.string().max(LIMITS.name * 2),
  startedAt: z.number().int().nonnegative(),
  endedAt: z.number().int().nonnegative().optional(),
  /** The agent's own id (what `--resume` takes). */
  agentSessionId: z.string().max(LIMITS.id).optional(),
  /** The agent's transcript (absolute .jsonl). */
  transcriptPath: z.string().max(4096).optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

const FileSchema = z.strictObject({ v: z.literal(1), sessions: z.array(HistoryEntrySchema).max(1000) });

/** At most this many sessions are remembered; the oldest go first. */
export const HISTORY_MAX = 200;

export class SessionHistory {
  private entries: HistoryEntry[];

  private constructor(
    private readonly file: string,
    entries: HistoryEntry[],
    private readonly logger: Logger,
  ) {
    this.entries = entries;
  }

  /** Reads `file` (missing: empty). A corrupt file is renamed to `<file>.corrupt` and the list starts empty. */
  static open(file: string, logger: Logger): SessionHistory {
    let text: string | undefined;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (text === undefined) return new SessionHistory(file, [], logger);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = FileSchema.safeParse(json);
    if (!parsed.success) {
      logger.warn(`sessions: ${path.basename(file)} is not valid; set aside as ${path.basename(file)}.corrupt`);
      try {
        fs.renameSync(file, `${file}.corrupt`);
      } catch {
        // Left in place: the next save replaces it.
      }
      return new SessionHistory(file, [], logger);
    }
    return new SessionHistory(file, parsed.data.sessions, logger);
  }

  /** Remembered sessions, oldest first. */
  list(): HistoryEntry[] {
    return [...this.entries];
  }

  get(id: string): HistoryEntry | undefined {
    return this.entries.find((e) => e.id === id);
  }

  /** Adds or replaces the entry with this id, and saves. */
  put(entry: HistoryEntry): void {
    const i = this.entries.findIndex((e) => e.id === entry.id);
    if (i >= 0) this.entries[i] = entry;
    else this.entries.push(entry);
    if (this.entries.length > HISTORY_MAX) this.entries = this.entries.slice(-HISTORY_MAX);
    this.save();
  }

  remove(id: string): void {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.id !== id);
    if (this.entries.length !== before) this.save();
  }

  private save(): void {
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ v: 1, sessions: this.entries }), { mode: 0o600 });
      fs.renameSync(tmp, this.file);
    } catch (e) {
      // Not saving costs only the list after a restart; the sessions themselves run on.
      this.logger.warn(`sessions: could not save ${path.basename(this.file)}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
}
