// The CLI's logger: one line per event on stderr, `<ISO time> walkie [level] message`, from `minLevel` up
// (trace never). `walkie host` shows warnings and errors (info with --verbose) so its terminal stays the
// agent's; `walkie relay` shows info too. Never given keys, plaintext messages or tool inputs (the callers'
// rule, not this file's).
import type { Logger } from '../../core/base/logger';

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: readonly Level[] = ['debug', 'info', 'warn', 'error'];

export function stderrLogger(stderr: { write(s: string): unknown }, minLevel: Level): Logger {
  const at = (level: Level) =>
    ORDER.indexOf(level) >= ORDER.indexOf(minLevel) ? (message: string) => void stderr.write(`${new Date().toISOString()} walkie [${level}] ${message}\n`) : () => {};
  return { trace() {}, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
