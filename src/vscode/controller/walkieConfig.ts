// Walkie's settings (package.json `contributes.configuration`), read and validated in one place. The
// Settings editor checks the JSON schema; this checks again (settings.json can hold anything) and names
// the setting and what is wrong, so a bad value never starts a relay or an agent half-configured.
import * as vscode from 'vscode';
import * as z from 'zod';
import type { ToolPolicy } from '../../core/approvals/toolPolicy';

export type RelayModeSetting = 'auto' | 'lan' | 'localhost' | 'external';
export type TunnelSetting = 'none' | 'tailscale' | 'tailscale-funnel' | 'cloudflared' | 'ngrok';

export interface WalkieConfig {
  readonly agentCommand: string;
  /** Which agent `agentCommand` runs: 'auto' decides by its file name (`codex` → Codex CLI). */
  readonly agentKind: 'auto' | 'claude-code' | 'codex';
  readonly agentArgs: readonly string[];
  readonly relayMode: RelayModeSetting;
  readonly relayUrl: string | undefined;
  readonly relayPort: number;
  /** A tunnel tool of the user's that Walkie starts and supervises in front of the embedded relay. */
  readonly relayTunnel: TunnelSetting;
  readonly expiryMs: number;
  readonly pairingLifetimeMs: number;
  /** Keep the computer awake while a session works or waits and a device is paired (issue 13). */
  readonly keepAwake: boolean;
  readonly policy: ToolPolicy;
}

export type ConfigErrorCode = 'CONFIG_ERR_INVALID';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly code: ConfigErrorCode,
    /** The setting at fault, e.g. `walkie.relay.url`. */
    readonly setting: string,
    message: string,
  ) {
    super(`Walkie: the setting "${setting}" ${message}`);
  }
}

const ToolList = z.array(z.string().min(1).max(128)).max(256);

/** Each setting: its schema and what to say when a value fails it. */
const SETTINGS = {
  'agent.command': [z.string().trim().min(1).max(4096), 'must be a command name or path, e.g. "claude"'],
  'agent.kind': [z.enum(['auto', 'claude-code', 'codex']), 'must be "auto", "claude-code" or "codex"'],
  'agent.args': [z.array(z.string().max(4096)).max(64), 'must be an array of strings'],
  'relay.mode': [z.enum(['auto', 'lan', 'localhost', 'external']), 'must be "auto", "lan", "localhost" or "external"'],
  'relay.tunnel': [z.enum(['none', 'tailscale', 'tailscale-funnel', 'cloudflared', 'ngrok']), 'must be "none", "tailscale", "tailscale-funnel", "cloudflared" or "ngrok"'],
  'relay.url': [z.string().max(2048), 'must be a string'],
  'relay.port': [z.number().int().min(0).max(65535), 'must be a port number from 0 to 65535 (0 = any free port)'],
  'approvals.expiryMinutes': [z.number().min(1).max(1440), 'must be a number of minutes from 1 to 1440'],
  'pairing.lifetimeMinutes': [z.number().min(1).max(60), 'must be a number of minutes from 1 to 60'],
  keepAwake: [z.boolean(), 'must be true or false'],
  'approvals.routedTools': [ToolList, 'must be an array of tool names (a trailing * matches a prefix)'],
  'approvals.unroutedTools': [ToolList, 'must be an array of tool names (a trailing * matches a prefix)'],
} as const satisfies Record<string, readonly [z.ZodType, string]>;

type Key = keyof typeof SETTINGS;
type Value<K extends Key> = z.infer<(typeof SETTINGS)[K][0]>;

/** Reads and validates every Walkie setting. @throws ConfigError naming the first bad setting. */
export function readConfig(section: vscode.WorkspaceConfiguration = vscode.workspace.getConfiguration('walkie')): WalkieConfig {
  const get = <K extends Key>(key: K): Value<K> => {
    const [schema, hint] = SETTINGS[key];
    const r = schema.safeParse(section.get(key));
    if (!r.success) throw new ConfigError('CONFIG_ERR_INVALID', `walkie.${key}`, hint);
    return r.data as Value<K>;
  };
  const relayMode = get('relay.mode');
  const rawUrl = get('relay.url').trim();
  let relayUrl: string | undefined;
  if (relayMode === 'external') {
    // Security: an external relay sees only ciphertext, but devices must reach it over TLS off this machine.
    const ok = /^https?:\/\/[^\s/?#@]+\/?$/.test(rawUrl);
    if (!ok) throw new ConfigError('CONFIG_ERR_INVALID', 'walkie.relay.url', 'must be the relay\'s http(s) origin (e.g. "https://relay.example.com") when walkie.relay.mode is "external"');
    relayUrl = rawUrl.replace(/\/+$/, '');
  }
  return {
    agentCommand: get('agent.command'),
    agentKind: get('agent.kind'),
    agentArgs: get('agent.args'),
    relayMode,
    relayUrl,
    relayPort: get('relay.port'),
    relayTunnel: get('relay.tunnel'),
    expiryMs: Math.round(get('approvals.expiryMinutes') * 60_000),
    pairingLifetimeMs: Math.round(get('pairing.lifetimeMinutes') * 60_000),
    keepAwake: get('keepAwake'),
    policy: { routed: [...get('approvals.routedTools')], unrouted: [...get('approvals.unroutedTools')] },
  };
}
