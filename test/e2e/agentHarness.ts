// Shared helpers for end-to-end tests that run the REAL Claude Code CLI (through AgentSession) against the
// scripted model in test/fixtures/mockAnthropic.ts. Reusable for `walkie host` e2e tests.
import { ApprovalBroker, type Outcome } from '../../src/core/approvals/approvalBroker';
import { systemClock } from '../../src/core/base/clock';
import type { Logger } from '../../src/core/base/logger';
import type { ApprovalRequest, ChatEvent } from '../../src/core/wire/protocol';
import type { ToolPolicy } from '../../src/core/approvals/toolPolicy';
import { AgentSession } from '../../src/node/sessions/agentSession';
import { ClaudeCodeAdapter } from '../../src/node/agents/claude/claudeCode';
import type { AuditLog } from '../../src/node/sessions/auditLog';
import type { HookServer } from '../../src/node/sessions/hookServer';
import { claudeBin, seedClaudeHome, type ClaudeHome } from '../fixtures/claudeEnv';

export interface AgentHarness {
  readonly session: AgentSession;
  readonly broker: ApprovalBroker;
  readonly home: ClaudeHome;
  readonly project: string;
  readonly approvals: ApprovalRequest[];
  readonly outcomes: Array<{ request: ApprovalRequest; outcome: Outcome }>;
  /** Everything the session logged (never tool inputs). */
  readonly logs: string[];
  chatEvents(): ChatEvent[];
  /** Raw pty output so far. */
  screen(): string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly mockUrl: string;
  readonly expiryMs?: number;
  readonly argv?: string[];
  readonly policy?: ToolPolicy;
  readonly userSettings?: unknown;
  readonly extraEnv?: NodeJS.ProcessEnv;
  readonly hookServer?: HookServer;
  readonly audit?: AuditLog;
}

export function recordingLogger(into: string[]): Logger {
  const log = (level: string) => (m: string) => void into.push(`${level}: ${m}`);
  return { trace: log('trace'), debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export async function startHarness(o: HarnessOptions): Promise<AgentHarness> {
  const home = seedClaudeHome(o.mockUrl, { userSettings: o.userSettings });
  const project = home.projects[0];
  const logs: string[] = [];
  const logger = recordingLogger(logs);
  const broker = new ApprovalBroker({ clock: systemClock, expiryMs: o.expiryMs, logger });
  const approvals: ApprovalRequest[] = [];
  const outcomes: Array<{ request: ApprovalRequest; outcome: Outcome }> = [];
  broker.onRequest((r) => approvals.push(r));
  broker.onResolved((r) => outcomes.push(r));
  let session: AgentSession;
  try {
    session = await AgentSession.start({
      adapter: new ClaudeCodeAdapter({ bin: claudeBin() }),
      argv: o.argv ?? [],
      cwd: project,
      broker,
      clock: systemClock,
      logger,
      env: { ...home.env, ...o.extraEnv },
      policy: o.policy,
      expiryMs: o.expiryMs,
      hookServer: o.hookServer,
      audit: o.audit,
    });
  } catch (e) {
    home.dispose();
    throw e;
  }
  let screen = '';
  session.onOutput((d) => (screen += d));
  return {
    session,
    broker,
    home,
    project,
    approvals,
    outcomes,
    logs,
    chatEvents: () => session.chat.since(0).map((e) => e.event),
    screen: () => screen,
    close: async () => {
      await session.stop();
      broker.dispose();
      home.dispose();
    },
  };
}

/** Polls `check` every 25 ms until it returns a truthy value; fails with `what` after `ms`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | null, ms = 25_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Resolves with the next approval request (already open or still to come). */
export function nextApproval(h: AgentHarness, index = 0, ms = 25_000): Promise<ApprovalRequest> {
  return waitFor(`approval #${index + 1}`, () => h.approvals[index], ms);
}
