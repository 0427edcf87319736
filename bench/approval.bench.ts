// Benchmark: the approval round trip, end to end through the real pieces —
//   hook HTTP request in (as Claude Code's HTTP hook sends it) → ToolGate → ApprovalBroker → HostService →
//   BridgeHost (Noise) → RelayHostLink → the embedded relay → a paired BridgeClient over a real WebSocket →
//   an instant scripted "allow" → back the same way → the hook's HTTP answer.
// Beside it, in the same run: what a Node *command* hook costs just to start and answer allow.
import http from 'node:http';
import { systemClock } from '../src/core/base/clock';
import { BridgeClient } from '../src/core/bridge/bridgeClient';
import { Emitter } from '../src/core/base/event';
import type { ManagedSession } from '../src/node/sessions/sessionManager';
import { ChatLog } from '../src/core/host/chatLog';
import { nullLogger } from '../src/core/base/logger';
import { generateKeyPair } from '../src/core/noise/dh';
import { parsePairingUrl } from '../src/core/pairing/pairingPayload';
import type { SessionInfo } from '../src/core/wire/protocol';
import { ClaudeCodeAdapter } from '../src/node/agents/claude/claudeCode';
import type { HostStateStore } from '../src/node/host/fileStateStore';
import { HookServer } from '../src/node/sessions/hookServer';
import { ToolGate } from '../src/node/sessions/toolGate';
import { WalkieHost } from '../src/node/host/walkieHost';
import { wsDeviceSocketFactory } from '../src/node/host/wsDeviceSocket';
import { oneCommandHook } from './agent.bench';

const CALLS = 250;
const WARMUP = 20;
const COMMAND_HOOK_RUNS = 30;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
const round = (x: number) => Number(x.toFixed(2));

function memoryStore(): HostStateStore {
  let identity: string | undefined;
  let devices: string | undefined;
  return {
    loadIdentity: async () => identity,
    saveIdentity: async (j) => void (identity = j),
    registry: { load: async () => devices, save: async (j) => void (devices = j) },
  };
}

function post(url: URL, body: string, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let out = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (out += d));
      res.on('end', () => resolve(out));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function run(): Promise<Record<string, unknown>> {
  const host = await WalkieHost.start({ store: memoryStore(), relay: { kind: 'embedded' }, hostName: 'bench', clock: systemClock });
  const cwd = process.cwd();
  const session: ManagedSession = {
    id: 'bench-session',
    info: (): SessionInfo => ({ id: 'bench-session', title: 'bench', agent: 'claude-code', cwd, status: 'working', since: 0, lastSeq: 0 }),
    onInfo: new Emitter<SessionInfo>().event,
    chat: new ChatLog({ clock: systemClock }),
    prompt: () => {},
    interrupt: () => {},
    stop: async () => {},
    dispose: () => {},
  };
  host.sessions.adopt(session);
  const adapter = new ClaudeCodeAdapter();
  const gate = new ToolGate({ session: session.id, adapter: new ClaudeCodeAdapter(), broker: host.broker, clock: systemClock, logger: nullLogger, cwd, onBypass: () => {} });
  const hooks = await HookServer.listen({ logger: nullLogger });
  const route = hooks.addRoute(async (body, signal) => {
    const ev = adapter.parseHookInput(body);
    if (ev.kind !== 'tool') throw new Error(`unexpected hook event ${ev.kind}`);
    return adapter.answer(ev, await gate.decide(ev, signal));
  });

  // A paired device that allows everything the moment it sees it.
  const offer = parsePairingUrl(host.newPairingUrl().url);
  const device = new BridgeClient({
    relayUrl: offer.relayUrl, hostId: offer.hostId, hostPublicKey: offer.hostPublicKey, identity: generateKeyPair(),
    pairing: { psk: offer.psk, deviceName: 'bench phone' }, connect: wsDeviceSocketFactory, clock: systemClock,
  });
  device.onMessage((m) => {
    if (m.type === 'approval') device.send({ type: 'decide', id: m.request.id, inputHash: m.request.inputHash, decision: 'allow' });
  });
  const online = new Promise<void>((resolve) => device.onState((s) => s.state === 'online' && resolve()));
  device.start();
  await online;

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(route.url);
  const rtt: number[] = [];
  for (let i = 0; i < WARMUP + CALLS; i++) {
    const body = JSON.stringify({
      session_id: 'bench', transcript_path: '/tmp/bench.jsonl', cwd, permission_mode: 'default', hook_event_name: 'PreToolUse',
      tool_name: 'Bash', tool_input: { command: `echo ${i}`, description: 'bench' }, tool_use_id: `toolu_bench${i}`,
    });
    const t0 = performance.now();
    const answer = await post(url, body, agent);
    const ms = performance.now() - t0;
    if (!answer.includes('"allow"')) throw new Error(`call ${i} was not allowed: ${answer.slice(0, 200)}`);
    if (i >= WARMUP) rtt.push(ms);
  }
  agent.destroy();
  device.close();
  route.dispose();
  await hooks.close();
  await host.close();

  const command: number[] = [];
  for (let i = 0; i < COMMAND_HOOK_RUNS; i++) command.push(await oneCommandHook());
  const p50 = quantile(rtt, 0.5);
  const commandP50 = quantile(command, 0.5);
  return {
    approval_rtt_ms: { p50: round(p50), p99: round(quantile(rtt, 0.99)), calls: CALLS },
    approval_rtt_command_hook_start_ms: { p50: round(commandP50), runs: COMMAND_HOOK_RUNS },
    approval_rtt_vs_command_hook_ratio: round(p50 / commandP50),
  };
}
