// `/loop`: a prompt Walkie sends again and again into a live session. Handled by Walkie on the host before the
// agent's own prompt rules (the agent never sees "/loop", only the prompt). Forms:
//   /loop 5m check if the deploy finished        a leading interval: a number and a unit, s m h d
//   /loop check the build every 2 hours          a trailing "every N unit" (also "every hour", "every 20m")
//   /loop check the build                        every 10 minutes
// Seconds round up to whole minutes (the shortest interval is one minute); the longest is 7 days, the life
// of a loop. A loop repeats a prompt, not a command: text that starts with "/" is refused.

export const LOOP_DEFAULT_INTERVAL_MS = 10 * 60_000;
export const LOOP_MIN_INTERVAL_MS = 60_000;
/** A loop ends this long after it was made. */
export const LOOP_LIFETIME_MS = 7 * 24 * 3_600_000;
export const LOOP_MAX_PER_SESSION = 50;

export type LoopParse =
  | { ok: true; intervalMs: number; prompt: string; /** Set when seconds were rounded up. */ rounded: boolean }
  | { ok: false; message: string };

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const UNIT = '(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)';
const LEADING = new RegExp(`^(\\d{1,6})\\s?${UNIT}(?=\\s|$)\\s*([\\s\\S]*)$`, 'i');
const TRAILING = new RegExp(`^([\\s\\S]*?)(?:^|[\\s,]+)every\\s+(?:(\\d{1,6})\\s?)?${UNIT}[\\s.!]*$`, 'i');

/** Whether `text` is a /loop command at all (then parseLoopCommand decides whether it is a good one). */
export function isLoopCommand(text: string): boolean {
  return /^\s*\/loop(?=\s|$)/i.test(text);
}

/** Parses a /loop command; undefined when `text` is not one. */
export function parseLoopCommand(text: string): LoopParse | undefined {
  if (!isLoopCommand(text)) return undefined;
  const rest = text.trim().slice('/loop'.length).trim();
  const usage = 'Say what to repeat, for example "/loop 5m check if the deploy finished" or "/loop check the build every 2 hours".';
  if (!rest) return { ok: false, message: usage };
  let prompt = rest;
  let amount: number | undefined;
  let unit: string | undefined;
  const lead = LEADING.exec(rest);
  const trail = lead ? undefined : TRAILING.exec(rest);
  if (lead) {
    amount = Number(lead[1]);
    unit = lead[2];
    prompt = lead[3] ?? '';
  } else if (trail) {
    prompt = trail[1] ?? '';
    amount = trail[2] === undefined ? 1 : Number(trail[2]);
    unit = trail[3];
  }
  prompt = prompt.trim();
  if (!prompt) return { ok: false, message: usage };
  if (prompt.startsWith('/')) return { ok: false, message: 'A loop repeats a prompt, not a command: the text after the interval cannot start with "/".' };
  if (amount === undefined || unit === undefined) return { ok: true, intervalMs: LOOP_DEFAULT_INTERVAL_MS, prompt, rounded: false };
  const raw = amount * UNIT_MS[unit[0]!.toLowerCase()]!;
  if (raw <= 0) return { ok: false, message: 'The interval must be more than zero.' };
  const intervalMs = Math.max(LOOP_MIN_INTERVAL_MS, Math.ceil(raw / 60_000) * 60_000);
  if (intervalMs > LOOP_LIFETIME_MS) return { ok: false, message: 'The interval can be at most 7 days (a loop ends after 7 days).' };
  return { ok: true, intervalMs, prompt, rounded: intervalMs !== raw };
}

/** "5 minutes", "2 hours", "1 day", "90 minutes". */
export function describeInterval(ms: number): string {
  const unitOf = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (ms % 86_400_000 === 0) return unitOf(ms / 86_400_000, 'day');
  if (ms % 3_600_000 === 0) return unitOf(ms / 3_600_000, 'hour');
  return unitOf(Math.round(ms / 60_000), 'minute');
}
