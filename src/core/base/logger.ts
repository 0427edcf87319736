// Logging behind an interface, so every layer can log without knowing where it goes (a VS Code
// LogOutputChannel, stderr, or nothing in tests). Never pass keys, plaintext messages, tool inputs or
// file contents to a logger: log what happened and a redacted reason, not the data.

export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger that drops everything: the default for tests and for code that was given none. */
export const nullLogger: Logger = Object.freeze({
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
});
