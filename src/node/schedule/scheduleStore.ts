// The saved schedules and their recent runs, in `schedules.json` in the host's state folder (`walkie host`,
// `walkie schedule`: --state-dir, default ~/.walkie/host; VS Code: the extension's global storage folder).
// Versioned (`v`), read with a strict schema, written atomically (temp file + rename, 0600 in a 0700 folder),
// so a crash mid-write leaves the old file. A file that does not parse, or that a newer Walkie wrote, is
// never overwritten: every operation fails with a message that names the file, and nothing is lost.
//
// Several processes may share the folder (`walkie schedule add` while `walkie host` runs): every change reads
// the file afresh, applies itself and writes at once (update()), and a running scheduler re-reads the file
// when it changes.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { ScheduleRunSchema, ScheduleSchema, type Schedule, type ScheduleRun } from '../../core/wire/scheduleSchemas';

export const SCHEDULE_FILE = 'schedules.json';
export const SCHEDULE_FORMAT_VERSION = 1;
/** Runs kept in the file (newest). */
export const MAX_RUNS_KEPT = 100;

const FileSchema = z.strictObject({
  v: z.literal(SCHEDULE_FORMAT_VERSION),
  schedules: z.array(ScheduleSchema.strict()).max(200),
  runs: z.array(ScheduleRunSchema.strict()).max(MAX_RUNS_KEPT),
});

export interface ScheduleData {
  schedules: Schedule[];
  runs: ScheduleRun[];
}

export type ScheduleStoreErrorCode = 'SCHEDULE_STORE_ERR_CORRUPT' | 'SCHEDULE_STORE_ERR_NEWER';

export class ScheduleStoreError extends Error {
  override readonly name = 'ScheduleStoreError';
  constructor(
    readonly code: ScheduleStoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class ScheduleStore {
  readonly file: string;

  constructor(readonly dir: string) {
    this.file = path.join(dir, SCHEDULE_FILE);
  }

  /** The saved data (empty before the first save). @throws ScheduleStoreError */
  load(): ScheduleData {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { schedules: [], runs: [] };
      throw e;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ScheduleStoreError('SCHEDULE_STORE_ERR_CORRUPT', `${this.file} is not valid JSON; fix or move it away (it was left as it is)`);
    }
    const v = (json as { v?: unknown } | null)?.v;
    if (typeof v === 'number' && v > SCHEDULE_FORMAT_VERSION) {
      throw new ScheduleStoreError('SCHEDULE_STORE_ERR_NEWER', `${this.file} was written by a newer Walkie (format ${v}); this one reads format ${SCHEDULE_FORMAT_VERSION}`);
    }
    const r = FileSchema.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new ScheduleStoreError('SCHEDULE_STORE_ERR_CORRUPT', `${this.file} does not hold valid schedules (${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'}); it was left as it is`);
    }
    return { schedules: r.data.schedules, runs: r.data.runs };
  }

  /** Reads, lets `change` edit the data, writes it back; returns what `change` returned. @throws ScheduleStoreError */
  update<T>(change: (data: ScheduleData) => T): T {
    const data = this.load();
    const out = change(data);
    this.save(data);
    return out;
  }

  private save(data: ScheduleData): void {
    const body = { v: SCHEDULE_FORMAT_VERSION, schedules: data.schedules, runs: data.runs.slice(-MAX_RUNS_KEPT) };
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(body, null, 1) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }

  /** Calls `listener` when the file may have changed (another process saved it). Dispose to stop. */
  watch(listener: () => void): { dispose(): void } {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    let watcher: fs.FSWatcher | undefined;
    try {
      watcher = fs.watch(this.dir, (_event, name) => {
        if (name === null || name === SCHEDULE_FILE) listener();
      });
      watcher.on('error', () => watcher?.close());
    } catch {
      // No file watching here: changes made by another process are seen at the scheduler's next wake-up.
    }
    return { dispose: () => watcher?.close() };
  }
}
