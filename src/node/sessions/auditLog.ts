// The audit trail: one JSON line per approval decision, appended to a file only the user can read (0600).
// Append-only: the file is opened with O_APPEND and never rewritten. Records come from
// core/approvals/auditRecord.ts (what was decided, by whom, the input hash — no file contents).
import fs from 'node:fs';
import path from 'node:path';
import type { Disposable } from '../../core/base/dispose';

export class AuditLog implements Disposable {
  private fd: number | undefined;

  private constructor(
    readonly file: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Opens (creating if needed) the log; its folder is created 0700 and the file forced to 0600. */
  static open(file: string): AuditLog {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
    // Security: an existing file keeps its mode on open; tighten it.
    fs.fchmodSync(fd, 0o600);
    return new AuditLog(file, fd);
  }

  /** Appends one record as a single line (one write, so lines never interleave). */
  append(record: unknown): void {
    if (this.fd === undefined) throw new Error('AuditLog: closed');
    fs.writeSync(this.fd, JSON.stringify(record) + '\n');
  }

  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }

  dispose(): void {
    this.close();
  }
}
