// Shared helpers for end-to-end tests that run the REAL Codex CLI (through AgentSession) against the scripted
// Responses API in test/fixtures/mockOpenAI.ts: the Codex twin of agentHarness.ts.
import { ApprovalBroker, type Outcome } from '../../src/core/approvals/approvalBroker';
import { systemClock } from '../../src/core/base/clock';
import type { ApprovalRequest, ChatEvent } from '../../src/core/wire/protocol';
import { CodexCliAdapter } from '../../src/node/agents/codex/codexCli';
import { AgentSession } from '../../src/node/sessions/agentSession';
import type { AuditLog } from '../../src/node/sessions/auditLog';
import type { HookServer } from '../../src/node/sessions/hookServer';
import { codexBin, seedCodexHome, type CodexHome } from '../fixtures/codexEnv';
import { recordingLogger } from './agentHarness';

export interface CodexHarness {
  readonly session: AgentSession;
  readonly broker: ApprovalBroker;
  readonly home: CodexHome;
  readonly project: string;
  readonly approvals: ApprovalRequest[];
  readonly outcomes: Array<{ request: ApprovalRequest; outcome: Outcome }>;
  readonly logs: string[];
  chatEvents(): ChatEvent[];
  screen(): string;
  close(): Promise<void>;
}

export interface CodexHarnessOptions {
  readonly mockUrl: string;
  readonly expiryMs?: number;
  readonly argv?: string[];
  readonly hookServer?: HookServer;
  readonly extraEnv?: NodeJS.ProcessEnv;
  /** More lines for the user's config.toml (top level). */
  readonly userConfig?: string;
  readonly audit?: AuditLog;
}

export async function startCodexHarness(o: CodexHarnessOptions): Promise<CodexHarness> {
  const home = seedCodexHome(o.mockUrl, { extraConfig: o.userConfig });
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
      adapter: new CodexCliAdapter({ bin: codexBin() }),
      argv: o.argv ?? [],
      cwd: project,
      broker,
      clock: systemClock,
      logger,
      env: { ...home.env, ...o.extraEnv },
      expiryMs: o.expiryMs,
      hookServer: o.hookServer,
      audit: o.audit,
    });
  } catch (e) {
    broker.dispose();
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
