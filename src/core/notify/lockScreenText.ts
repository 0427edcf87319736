// THE one place that decides what a lock screen (or an ntfy / Telegram message) says. Every sender takes
// its words from here, so a privacy decision is made once (issue 12, "Privacy").
//
// Security decisions:
//  - Never file contents, never tool input: the only command text that can appear is the approval's
//    one-line summary, and only with the device's opt-in `command` privacy; it still goes through the
//    secret scanner (safeText) and is capped at COMMAND_MAX characters.
//  - The default (`folder`) names only the basename of the working folder, also scanned and capped.
//  - `private` names nothing: the text a third-party server (ntfy, Telegram) may read.
//  - Control characters and line breaks are flattened, so a summary cannot forge extra lines.
import { safeText } from '../redaction/secretScanner';
import type { LockScreenPrivacy } from '../wire/notifySettings';

export type NotifyKind = 'approval-waiting' | 'approval-expiring' | 'turn-finished' | 'session-ended' | 'session-failed';

export interface LockScreenInput {
  kind: NotifyKind;
  /** The session the notification is about: it names the stable tag. */
  session: string;
  /** The session's working folder (only its basename is ever shown). */
  cwd: string;
  /** Approvals waiting in this session (approval kinds; defaults to 1). */
  waiting?: number;
  /** The newest approval's one-line summary ("Run `npm test`"): shown only with `command` privacy. */
  summary?: string;
  /** For `approval-expiring`: milliseconds until the approval is denied. */
  expiresInMs?: number;
}

export interface LockScreenText {
  title: string;
  body: string;
  /** `title: body` on one line, for channels with no title field. */
  line: string;
  /**
   * Stable per session: a newer notification for the session replaces the older one (the notification
   * `tag` on the phone; the Web Push sender derives its RFC 8030 Topic header from it).
   */
  tag: string;
}

export const TITLE = 'Walkie';
export const FOLDER_MAX = 48;
export const COMMAND_MAX = 80;

/** The basename of a POSIX or Windows path ("/home/a/api/" → "api", "C:\\work\\web" → "web"). */
export function folderBasename(cwd: string): string {
  const parts = cwd.split(/[\\/]+/).filter((p) => p.length > 0);
  const last = parts.length ? parts[parts.length - 1]! : '';
  return /^[A-Za-z]:$/.test(last) ? last + '\\' : last;
}

/** One line: control characters and runs of whitespace become one space. */
function flatten(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/g, ' ').trim();
}

/** Flattened, through the secret scanner, capped at `max` characters (with a visible truncation marker). */
function shown(text: string, max: number): string {
  return flatten(safeText(flatten(text), max));
}

/** The stable tag of a session's notifications. */
export function sessionTag(session: string): string {
  return `walkie:${session}`;
}

function minutes(ms: number): string {
  const m = Math.max(1, Math.round(ms / 60_000));
  return m === 1 ? '1 minute' : `${m} minutes`;
}

export function lockScreenText(input: LockScreenInput, privacy: LockScreenPrivacy): LockScreenText {
  const folder = privacy === 'private' ? '' : shown(folderBasename(input.cwd), FOLDER_MAX);
  const where = folder ? ` in ${folder}` : '';
  const waiting = Math.max(1, Math.floor(input.waiting ?? 1));
  const command = privacy === 'command' && input.summary ? shown(input.summary, COMMAND_MAX) : '';
  const withCommand = (s: string) => (command ? `${s}: ${command}` : s);
  let body: string;
  switch (input.kind) {
    case 'approval-waiting':
      body = withCommand(waiting === 1 ? `Approval waiting${where}` : `${waiting} approvals waiting${where}`);
      break;
    case 'approval-expiring': {
      const left = input.expiresInMs === undefined ? 'soon' : `in ${minutes(input.expiresInMs)}`;
      body = withCommand(`Approval${where} is denied ${left} unless you answer`);
      break;
    }
    case 'turn-finished':
      body = `The agent finished its turn${where}`;
      break;
    case 'session-ended':
      body = `Session ended${where}`;
      break;
    case 'session-failed':
      body = `Session failed${where}`;
      break;
  }
  return { title: TITLE, body, line: `${TITLE}: ${body.charAt(0).toLowerCase()}${body.slice(1)}`, tag: sessionTag(input.session) };
}
