// One driver per agent for the gate tests in agentGate.test.ts: the same test body runs against the real
// Claude Code CLI (scripted Messages API) and the real Codex CLI (scripted Responses API). A driver knows its
// agent's scripted model, how to start a session, the prompts of its scenarios and its bypass routes; the
// tests know nothing agent-specific.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ApprovalBroker, Outcome } from '../../src/core/approvals/approvalBroker';
import type { ApprovalRequest, ChatEvent } from '../../src/core/wire/protocol';
import type { AgentAdapter } from '../../src/node/agents/agentAdapter';
import { ClaudeCodeAdapter } from '../../src/node/agents/claude/claudeCode';
import { CodexCliAdapter } from '../../src/node/agents/codex/codexCli';
import type { AgentSession } from '../../src/node/sessions/agentSession';
import type { AuditLog } from '../../src/node/sessions/auditLog';
import type { HookServer } from '../../src/node/sessions/hookServer';
import { claudeBin } from '../fixtures/claudeEnv';
import { codexBin } from '../fixtures/codexEnv';
import { contentText, startMockAnthropic, toolResults } from '../fixtures/mockAnthropic';
import { startMockOpenAI, toolOutputs, userMessagesWith } from '../fixtures/mockOpenAI';
import { startHarness } from './agentHarness';
import { startCodexHarness } from './codexHarness';

/** A scripted model, seen the same way for both agents. */
export interface GateMock {
  readonly url: string;
  /** How many model calls were made so far. */
  calls(): number;
  /** The text of every tool result the model was sent so far. */
  toolOutputs(): string[];
  /** How many user messages of the latest conversation hold `marker`. */
  promptsWith(marker: string): number;
  close(): Promise<void>;
}

export interface GateRun {
  readonly session: AgentSession;
  readonly broker: ApprovalBroker;
  readonly project: string;
  readonly approvals: ApprovalRequest[];
  readonly outcomes: Array<{ request: ApprovalRequest; outcome: Outcome }>;
  chatEvents(): ChatEvent[];
  close(): Promise<void>;
}

export interface GateRunOptions {
  readonly expiryMs?: number;
  readonly hookServer?: HookServer;
  readonly audit?: AuditLog;
  /** The user's own configuration puts the agent into a mode that skips approvals. */
  readonly userBypass?: boolean;
}

/** The scripted turns every driver has. */
export type GateScenario =
  /** One shell command: `echo hi > out.txt`. */
  | 'shell'
  /** One file created: notes.txt. */
  | 'create'
  /** A command, a new notes.txt, an edit of it (line2 → line2 edited), then 'All done. Final answer from mock.' */
  | 'full';

export interface GateDriver {
  /** As the test titles say it. */
  readonly name: string;
  /** SessionInfo.agent. */
  readonly agent: string;
  /** The tool a file is created with. */
  readonly createTool: string;
  /** Arguments that would switch the gate off: each must be refused before anything is spawned. */
  readonly bypassRoutes: readonly string[][];
  adapter(bin: string): AgentAdapter;
  bin(): string;
  startMock(): Promise<GateMock>;
  start(mock: GateMock, o?: GateRunOptions): Promise<GateRun>;
  prompt(scenario: GateScenario, dir: string, marker?: string): string;
}

export const claudeGateDriver: GateDriver = {
  name: 'Claude Code',
  agent: 'claude-code',
  createTool: 'Write',
  bypassRoutes: [
    ['--dangerously-skip-permissions'],
    ['--allow-dangerously-skip-permissions'],
    ['--permission-mode', 'bypassPermissions'],
    ['--permission-mode=bypassPermissions'],
    ['--model', 'x', '--bare'],
    ['--safe-mode'],
    ['--settings', '{"disableAllHooks":true}'],
  ],
  adapter: (bin) => new ClaudeCodeAdapter({ bin }),
  bin: () => claudeBin(),
  async startMock() {
    const m = await startMockAnthropic();
    return {
      url: m.url,
      calls: () => m.requests.length,
      toolOutputs: () => toolResults(m.requests).map((r) => r.content),
      promptsWith: (marker) => {
        const last = m.requests.filter((r) => (r.tools?.length ?? 0) > 0).at(-1);
        return (last?.messages ?? []).filter((x) => x.role === 'user' && contentText(x.content).includes(marker)).length;
      },
      close: () => m.close(),
    };
  },
  start: (mock, o = {}) =>
    startHarness({ mockUrl: mock.url, expiryMs: o.expiryMs, hookServer: o.hookServer, audit: o.audit, userSettings: o.userBypass ? { permissions: { defaultMode: 'bypassPermissions' } } : undefined }),
  prompt: (scenario, dir, marker = 'go') => `SCENARIO:${{ shell: 'bash', create: 'write', full: 'full' }[scenario]} DIR=${dir} ${marker}`,
};

export const codexGateDriver: GateDriver = {
  name: 'Codex',
  agent: 'codex',
  createTool: 'apply_patch',
  bypassRoutes: [
    ['--dangerously-bypass-approvals-and-sandbox'],
    ['--yolo'],
    ['--approve-for-me'],
    ['--dangerously-bypass-hook-trust'],
    ['-a', 'never'],
    ['--ask-for-approval=never'],
    ['--sandbox', 'danger-full-access'],
    ['-s', 'danger-full-access'],
    ['-c', 'approval_policy="never"'],
    ['-c', 'sandbox_mode="danger-full-access"'],
    ['-c', 'features.hooks=false'],
    ['-c', 'hooks.PreToolUse=[]'],
    ['--config=bypass_hook_trust=true'],
    ['--disable', 'hooks'],
    ['--enable', 'unified_exec_tty'],
    ['--remote', 'ws://127.0.0.1:1'],
    ['exec', 'hello'],
  ],
  adapter: (bin) => new CodexCliAdapter({ bin }),
  bin: () => codexBin(),
  async startMock() {
    const m = await startMockOpenAI();
    return {
      url: m.url,
      calls: () => m.requests.length,
      toolOutputs: () => toolOutputs(m.requests).map((o) => o.output),
      promptsWith: (marker) => userMessagesWith(m.requests, marker).length,
      close: () => m.close(),
    };
  },
  start: (mock, o = {}) =>
    startCodexHarness({
      mockUrl: mock.url,
      expiryMs: o.expiryMs,
      hookServer: o.hookServer,
      audit: o.audit,
      // The user's own config.toml asks for no approvals and no sandbox at all.
      userConfig: o.userBypass ? 'approval_policy = "never"\nsandbox_mode = "danger-full-access"' : undefined,
    }),
  prompt: (scenario, dir, marker = 'go') => `SCENARIO:${{ shell: 'shell', create: 'patch-add', full: 'full' }[scenario]} DIR=${dir} ${marker}`,
};

/**
 * The agents the gate tests run against. The e2e-latest phase (WALKIE_TEST_CLAUDE=latest) runs only Claude
 * Code's newest version again: the pinned Codex CLI is its newest published one (docs/codex.md, "Install and
 * version"), so repeating it would test nothing new.
 */
export const GATE_DRIVERS: readonly GateDriver[] = process.env.WALKIE_TEST_CLAUDE === 'latest' ? [claudeGateDriver] : [claudeGateDriver, codexGateDriver];

/** A wrapper around the real CLI that leaves a mark when anything runs it: to prove nothing was spawned. */
export function markingWrapper(realBin: string): { bin: string; spawned(): boolean; dispose(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-gate-wrap-'));
  const marker = path.join(dir, 'spawned');
  const bin = path.join(dir, path.basename(realBin));
  fs.writeFileSync(bin, `#!/bin/sh\necho "$@" >> '${marker}'\nexec '${realBin.replace(/'/g, `'\\''`)}' "$@"\n`, { mode: 0o755 });
  return { bin, spawned: () => fs.existsSync(marker), dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
