// The adapter seam holds: a second agent ("Parrot", a tiny Node program with its own hook format, tool
// names, transcript format and prompt box) is added by writing ONE adapter — nothing in src/core or
// src/node/sessions changes — and its tool call goes through the whole gate: a real pty, the hook server,
// SessionCore, ToolGate, the ApprovalBroker and HostService to a connected device, which approves it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApprovalBroker, type ToolDescription } from '../../../../src/core/approvals/approvalBroker';
import { systemClock } from '../../../../src/core/base/clock';
import { nullLogger } from '../../../../src/core/base/logger';
import { HostService } from '../../../../src/core/host/hostService';
import type { ChatEvent, HostMessage } from '../../../../src/core/wire/protocol';
import type { AgentAdapter, ChatReader, GateAnswer, HookEvent, LaunchContext, LaunchPlan, PreparedPrompt } from '../../../../src/node/agents/agentAdapter';
import { AgentSession } from '../../../../src/node/sessions/agentSession';

// The agent: shows "parrot>" when ready, takes a bracketed paste + Enter, announces the prompt, asks its
// hook about a "squawk" tool (which writes a file only when allowed), logs to its own transcript, says done.
const PARROT = String.raw`
const fs = require('fs');
const env = process.env;
const call = async (body) => (await fetch(env.PARROT_HOOK, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ log: env.PARROT_LOG, ...body }) })).json();
const log = (who, said) => fs.appendFileSync(env.PARROT_LOG, who + '|' + said + '\n');
process.stdin.setRawMode(true);
process.stdout.write('parrot> ');
let buf = '';
process.stdin.on('data', async (d) => {
  buf += d.toString();
  const m = /\u001b\[200~([\s\S]*)\u001b\[201~\r$/.exec(buf);
  if (!m) return;
  buf = '';
  await call({ what: 'heard', text: m[1] });
  log('human', m[1]);
  const verdict = await call({ what: 'may-i', tool: 'squawk', args: { loud: true, file: 'squawk.txt' } });
  if (verdict.ok === true) fs.writeFileSync('squawk.txt', 'SQUAWK');
  log('parrot', verdict.ok === true ? 'squawked' : 'kept quiet: ' + verdict.why);
  await call({ what: 'done' });
  process.stdout.write('\nparrot> ');
});
`;

class ParrotAdapter implements AgentAdapter {
  readonly id = 'parrot';
  readonly displayName = 'Parrot';
  readonly minimumVersion = '1.0.0';
  resolveBinary(): string {
    return process.execPath;
  }
  async checkVersion(): Promise<string> {
    return '1.0.0';
  }
  validateArgs(): void {}
  prepareLaunch(bin: string, _argv: readonly string[], ctx: LaunchContext): LaunchPlan {
    return { command: bin, args: ['-e', PARROT], env: { ...ctx.env, PARROT_HOOK: ctx.hookUrl, PARROT_LOG: path.join(ctx.privateDir, 'parrot-transcript.jsonl') }, notices: [] };
  }
  parseHookInput(body: unknown): HookEvent {
    const b = body as { what?: unknown; text?: unknown; tool?: unknown; args?: unknown; log?: unknown };
    const base = { eventName: String(b?.what), bypass: false, transcriptPath: typeof b?.log === 'string' ? b.log : undefined };
    if (b?.what === 'may-i' && typeof b.tool === 'string') return { ...base, kind: 'tool', phase: 'before', tool: b.tool, input: b.args };
    if (b?.what === 'heard' && typeof b.text === 'string') return { ...base, kind: 'prompt', prompt: b.text };
    if (b?.what === 'done') return { ...base, kind: 'stop' };
    return { kind: 'invalid', gate: b?.what === 'may-i', reason: 'unknown parrot call' };
  }
  answer(event: HookEvent, a: GateAnswer): unknown {
    if (event.kind !== 'tool' && !(event.kind === 'invalid' && event.gate)) return {};
    return a.kind === 'allow' ? { ok: true } : { ok: false, why: a.kind === 'deny' ? a.reason : 'no decision' };
  }
  preparePrompt(text: string): PreparedPrompt {
    return { ok: true, text };
  }
  isReadyScreen(plain: string): boolean {
    return plain.includes('parrot>');
  }
  isInterruptRecord(): boolean {
    return false;
  }
  isReadOnlyTool(tool: string): boolean {
    return tool === 'listen';
  }
  describeToolCall(tool: string, input: unknown): ToolDescription {
    const file = (input as { file?: string })?.file ?? '?';
    return { summary: `Parrot wants to ${tool} into ${file}`, detail: { kind: 'command', command: `${tool} > ${file}` }, risk: { level: 'medium', reasons: ['makes noise'] } };
  }
  createChatReader(): ChatReader {
    return {
      feed: (line: string): ChatEvent[] => {
        const [who, said] = line.split('|');
        return who === 'parrot' && said ? [{ kind: 'assistant', text: said }] : [];
      },
    };
  }
}

describe('A second agent adapter (Parrot) through the whole gate', function () {
  this.timeout(20_000);

  it('routes its tool call to a device with its own description, runs it once approved, and reads its own transcript', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-parrot-'));
    const broker = new ApprovalBroker({ clock: systemClock });
    const service = new HostService({ broker, hostName: 'test', logger: nullLogger });
    const sent: HostMessage[] = [];
    service.connect({ id: 'phone', name: 'phone', send: (m) => sent.push(m) });
    const session = await AgentSession.start({ adapter: new ParrotAdapter(), argv: [], cwd, broker, clock: systemClock, logger: nullLogger, env: { PATH: process.env.PATH } });
    service.addSession(session);
    try {
      const prompt = session.prompt('say something', 'c-1');
      const approval = await until(() => sent.find((m) => m.type === 'approval'));
      assert.ok(approval.type === 'approval');
      assert.equal(approval.request.tool, 'squawk');
      assert.equal(approval.request.summary, 'Parrot wants to squawk into squawk.txt');
      assert.equal(approval.request.risk.level, 'medium');
      assert.equal(fs.existsSync(path.join(cwd, 'squawk.txt')), false, 'nothing runs before the decision');
      assert.equal(session.info().status, 'waiting');
      assert.equal(session.info().agent, 'parrot');
      assert.deepEqual(broker.decide(approval.request.id, approval.request.inputHash, 'allow', { kind: 'device', name: 'phone' }).ok, true);
      await prompt;
      await until(() => fs.existsSync(path.join(cwd, 'squawk.txt')));
      await until(() => session.info().status === 'idle');
      assert.ok(sent.some((m) => m.type === 'resolved' && m.id === approval.request.id));
      // Its chat comes from its own transcript format, through its own reader.
      await until(() => session.chat.since(0).some((e) => e.event.kind === 'assistant' && e.event.text === 'squawked'));
    } finally {
      await session.stop();
      service.dispose();
      broker.dispose();
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
});

async function until<T>(check: () => T | undefined | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
