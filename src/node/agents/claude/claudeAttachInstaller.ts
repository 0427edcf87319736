// Installs (opt-in) and removes the attach hook in `<workspace>/.claude/settings.local.json`, so a Claude
// Code the user starts by hand in that workspace reports to Walkie. The local settings layer is used because
// the hook command names a path on this machine (the file is not meant to be committed).
//
// Every entry is a COMMAND hook running dist/hook.js: the host's port changes from run to run, and when no
// host runs the hook must answer "ask" so the CLI's own permission prompt applies — an HTTP hook to a dead
// port would let the tool run instead (docs/claude-code.md, "Hooks"). The gate entries carry
// `onFailure: "block"`: the script always exits 0 with an answer, so only a broken install fails, and then
// the tool is blocked rather than run unasked.
//
// Walkie's entries (marked with ATTACH_MARKER) are edited through ../hookSettingsFile.ts, which keeps every
// other setting and hook of the user's and refuses a file it cannot read.
import path from 'node:path';
import { DEFAULT_EXPIRY_MS } from '../../../core/approvals/approvalBroker';
import type { AttachEdit, AttachSupport } from '../agentAdapter';
import { hasHookGroups, hookScriptCommand, installHookGroups, installHookScript, markedCommand, removeHookGroups, type Json } from '../hookSettingsFile';

export { ATTACH_MARKER, AttachInstallError, installHookScript, type AttachInstallErrorCode } from '../hookSettingsFile';

/** The gate events: the hook may hold them until the approval resolves. */
export const ATTACH_GATE_EVENTS = ['PreToolUse', 'PermissionRequest'] as const;
/**
 * Status and chat events (SessionStart is why these are command hooks: HTTP hooks skip it). Notification
 * tells the host when the CLI shows its own permission prompt, so no device prompt is typed into it.
 */
export const ATTACH_INFO_EVENTS = ['SessionStart', 'UserPromptSubmit', 'Stop', 'SessionEnd', 'Notification'] as const;
/** Seconds a status hook may take; the host answers those at once. */
const INFO_TIMEOUT_SEC = 10;

export interface AttachInstallOptions {
  /** The broker's approval expiry; the gate entries' timeout is set just above it. */
  readonly expiryMs?: number;
}

export type { AttachEdit } from '../agentAdapter';

export function settingsLocalPath(workspace: string): string {
  return path.join(workspace, '.claude', 'settings.local.json');
}

/** `node /abs/hook.js` (the hook speaks Claude Code's protocol when given no agent argument). */
export const attachHookCommand = hookScriptCommand;

/** Claude Code's attach support, as its adapter offers it. */
export const CLAUDE_ATTACH: AttachSupport = {
  settingsPath: settingsLocalPath,
  events: [...ATTACH_GATE_EVENTS, ...ATTACH_INFO_EVENTS],
  describe: (workspace, command) => [
    `Walkie adds command hooks to ${settingsLocalPath(workspace)} (Claude Code's machine-local settings, not meant to be committed).`,
    `They cover ${[...ATTACH_GATE_EVENTS, ...ATTACH_INFO_EVENTS].join(', ')}, and each runs:\n${command}`,
    'While Walkie runs, a Claude Code you start by hand in this folder appears on your devices, and its edits and commands wait for approval there. Otherwise Claude Code asks in its terminal as usual.',
  ],
  hookCommand: attachHookCommand,
  installHookScript,
  install: installAttachHook,
  remove: removeAttachHook,
  isInstalled: isAttachHookInstalled,
};

/** Adds (or updates) Walkie's hook entries. Idempotent; keeps everything else. */
export function installAttachHook(workspace: string, hookCommand: string, o: AttachInstallOptions = {}): AttachEdit {
  const command = markedCommand(hookCommand);
  const gateTimeout = Math.ceil((o.expiryMs ?? DEFAULT_EXPIRY_MS) / 1000) + 5;
  const wanted = new Map<string, Json>([
    // Security: a gate hook that crashes (node gone, a broken install) blocks the tool rather than letting
    // the CLI's normal flow run it unasked (auto mode); the hook itself always exits 0 with an answer.
    ...ATTACH_GATE_EVENTS.map((e): [string, Json] => [e, { matcher: '*', hooks: [{ type: 'command', command, timeout: gateTimeout, onFailure: 'block' }] }]),
    ...ATTACH_INFO_EVENTS.map((e): [string, Json] => [e, { hooks: [{ type: 'command', command, timeout: INFO_TIMEOUT_SEC }] }]),
  ]);
  const { changed, file } = installHookGroups(settingsLocalPath(workspace), wanted);
  return { changed, file };
}

/** Removes Walkie's entries only. A missing file, or one without them, is left alone. */
export function removeAttachHook(workspace: string): AttachEdit {
  return removeHookGroups(settingsLocalPath(workspace));
}

/** True if any of Walkie's entries is present. A file that cannot be read counts as not installed. */
export function isAttachHookInstalled(workspace: string): boolean {
  return hasHookGroups(settingsLocalPath(workspace));
}
