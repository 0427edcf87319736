// What dist/hook.js (src/node/attach/hookCli.ts) does differently when a hand-started Codex CLI runs it
// (the installer, codexAttachInstaller.ts, passes CODEX_ATTACH_ARG). Kept free of imports: the hook starts
// once per tool call.
//
// Measured on 0.171.0 (docs/codex.md): Codex RUNS the tool when a PreToolUse hook exits with any code but 2,
// times out, prints no decision, or answers "ask" (there is no way to hand the call to a local prompt). So:
// - with no Walkie host for the folder, the hook prints nothing: Codex's own approval policy and sandbox
//   decide, exactly as without Walkie;
// - once a host was found, every failure on a gate event (connection refused or reset while an approval is
//   pending, a bad or unsigned answer, the deadline) BLOCKS: exit 2, the reason on stderr for the model.

/** dist/hook.js's first argument for a Codex hook call. */
export const CODEX_ATTACH_ARG = 'codex';
/** The variable the hook command sets to the CLI's pid (`$PPID` of Codex's hook shell is Codex). */
export const CODEX_AGENT_PID_ENV = 'WALKIE_AGENT_PID';
/** Codex's events that hold a tool call until the hook answers. */
export const CODEX_ATTACH_GATE_EVENTS = ['PreToolUse', 'PermissionRequest'] as const;
/** Exit code with which Codex blocks the tool and shows stderr to the model (measured). */
export const CODEX_BLOCK_EXIT = 2;

/**
 * The pid of the Codex the user started, from the pid that ran the hook (`$PPID` of the hook's shell).
 * Measured on 0.171.0 (Linux): the terminal UI starts `codex app-server --managed-daemon` (a copy of itself
 * under $CODEX_HOME/packages/app-server-daemon/) and THAT process runs the hooks; it outlives the UI
 * (re-parented to init after the UI exited on SIGHUP), so its pid would keep an attached session alive
 * forever. The outermost ancestor whose executable is also named `codex` is the UI. Without /proc (macOS)
 * the pid is returned as given.
 */
export function codexUiPid(pid: number, parentOf: (pid: number) => number | undefined, exeOf: (pid: number) => string | undefined): number {
  const isCodex = (p: number) => /(^|\/)codex(\.exe)?( \(deleted\))?$/.test(exeOf(p) ?? '');
  if (!isCodex(pid)) return pid;
  let current = pid;
  for (let i = 0; i < 8; i++) {
    const parent = parentOf(current);
    if (parent === undefined || parent <= 1 || !isCodex(parent)) break;
    current = parent;
  }
  return current;
}
