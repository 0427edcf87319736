// Benchmark of reaching the phone (issue 11; docs/relay.md §Performance), bounded (~2 min):
//  - reach_pair_to_first_chat_ms: over a veth pair between two network namespaces (test/e2e/vethNetns.ts),
//    `walkie host -- claude` (the real Claude Code CLI, scripted model) in A with the default route choice,
//    `walkie device <pairing URL>` started in B: time to "paired", and to the first chat message (the
//    assistant's answer to a prompt sent as soon as the session shows). A fresh host identity each run.
//  - reach_reconnect_after_host_restart_ms: the paired device in B, the host in A stopped (SIGTERM) and
//    started again with the same state dir: from the host's relay being up again (its "walkie: relay" line)
//    to the device being online, with no new pairing. Target ≤ 2,000 ms.
//  - reach_tls_relay_throughput_1kib: 1 KiB device→host messages per second through a RelayServer serving
//    TLS itself (a CA made by openssl) and through the same relay in plain, runs interleaved, medians.
// The namespaces need root; without it those two figures say so and the TLS figure is still measured.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { nullLogger } from '../src/core/base/logger';
import { signRelayChallenge } from '../src/core/wire/relayAuth';
import { RelayServer } from '../src/relay/relayServer';
import { TlsCredentials } from '../src/relay/tlsCredentials';
import { CliProcess } from '../test/e2e/cliProcess';
import { makeTestCa } from '../test/e2e/relayTlsFixtures';
import { bridgeModelInto, createVethPair, type VethPair } from '../test/e2e/vethNetns';
import { claudeBin, seedClaudeHome } from '../test/fixtures/claudeEnv';
import { startMockAnthropic } from '../test/fixtures/mockAnthropic';

const CHILD_FLAG = '--reach-bench-child';
/** dist/cli.js, from out/bench where this bench runs. */
const CLI = path.resolve(__dirname, '../../dist/cli.js');
const PAIR_RUNS = 3;
const RESTART_RUNS = 5;
const TLS_RUNS = 5;
const WINDOW_MS = 2000;
const WARMUP_MS = 300;
const PAYLOAD = 1024;
const UNLIMITED = { msgsPerSec: 1e9, msgsBurst: 1e9, bytesPerSec: 1e12, bytesBurst: 1e12 };

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const since = (t0: number) => performance.now() - t0;

// ---- over the veth pair -------------------------------------------------------------------------------

interface VethRig {
  veth: VethPair;
  scratch: string;
  project: string;
  hostEnv: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

async function vethRig(): Promise<VethRig> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-reach-bench-'));
  const veth = createVethPair('bench');
  const mock = await startMockAnthropic();
  const model = await bridgeModelInto(veth.a, mock.url, scratch);
  const home = seedClaudeHome(model.url);
  return {
    veth,
    scratch,
    project: home.projects[0]!,
    hostEnv: home.env,
    close: async () => {
      await model.close();
      await mock.close();
      home.dispose();
      veth.remove();
      fs.rmSync(scratch, { recursive: true, force: true });
    },
  };
}

function startHost(rig: VethRig, stateDir: string, pairFile: string): CliProcess {
  fs.rmSync(pairFile, { force: true });
  return new CliProcess(['host', '--pair-file', pairFile, '--state-dir', stateDir, '--', claudeBin(__dirname)], { cwd: rig.project, env: rig.hostEnv, prefix: rig.veth.prefix(rig.veth.a), cli: CLI });
}

const pairingUrl = (host: CliProcess, pairFile: string) => host.waitFor('the pairing file', () => fs.existsSync(pairFile) && fs.readFileSync(pairFile, 'utf8').trim(), 60_000);

async function pairToFirstChat(rig: VethRig): Promise<Record<string, unknown>> {
  const paired: number[] = [];
  const firstChat: number[] = [];
  for (let r = 0; r < PAIR_RUNS; r++) {
    const dir = path.join(rig.scratch, `pair-${r}`);
    const pairFile = path.join(dir, 'pair.txt');
    fs.mkdirSync(dir, { recursive: true });
    const host = startHost(rig, path.join(dir, 'host'), pairFile);
    let device: CliProcess | undefined;
    try {
      const url = await pairingUrl(host, pairFile);
      const t0 = performance.now();
      device = new CliProcess(['device', url, '--json', '--state-dir', path.join(dir, 'device'), '--name', 'bench'], { prefix: rig.veth.prefix(rig.veth.b), cli: CLI });
      await device.line('paired', undefined, 0, 60_000);
      paired.push(since(t0));
      await device.line('session', undefined, 0, 60_000);
      const from = device.lines.length;
      device.send({ type: 'prompt', text: 'SCENARIO:text hello' });
      await device.line('chat', (l) => (l.event as { kind: string }).kind === 'assistant', from, 60_000);
      firstChat.push(since(t0));
    } finally {
      await device?.kill();
      await host.kill();
    }
  }
  return {
    paired_median: round(median(paired)),
    first_chat_median: round(median(firstChat)),
    runs_paired: paired.map((x) => round(x)),
    runs_first_chat: firstChat.map((x) => round(x)),
    method: `${PAIR_RUNS} runs, medians; from starting \`walkie device <pairing URL>\` in namespace B to its "paired" line, and to the assistant's answer to a prompt sent when the session shows (real Claude Code CLI, scripted model); host in namespace A over a veth pair, default route (LAN address)`,
  };
}

async function reconnectAfterRestart(rig: VethRig): Promise<Record<string, unknown>> {
  const dir = path.join(rig.scratch, 'restart');
  const stateDir = path.join(dir, 'host');
  const pairFile = path.join(dir, 'pair.txt');
  fs.mkdirSync(dir, { recursive: true });
  let host = startHost(rig, stateDir, pairFile);
  const url = await pairingUrl(host, pairFile);
  const device = new CliProcess(['device', url, '--json', '--state-dir', path.join(dir, 'device'), '--name', 'bench'], { prefix: rig.veth.prefix(rig.veth.b), cli: CLI });
  const back: number[] = [];
  const down: number[] = [];
  let repaired = false;
  try {
    await device.line('paired', undefined, 0, 60_000);
    await device.line('status', (l) => l.state === 'online', 0, 60_000);
    for (let r = 0; r < RESTART_RUNS; r++) {
      const from = device.lines.length;
      const tKill = performance.now();
      await host.kill();
      await device.line('status', (l) => l.state === 'offline', from, 30_000);
      const mark = device.lines.length;
      host = startHost(rig, stateDir, pairFile);
      // "Up": the host printed its relay line (the embedded relay listens, on the remembered port).
      await host.waitFor('the relay line', () => /walkie: relay http:\/\//.test(host.stderr), 60_000);
      const tUp = performance.now();
      down.push(tUp - tKill);
      await device.line('status', (l) => l.state === 'online', mark, 60_000);
      back.push(since(tUp));
      if (device.lines.slice(mark).some((l) => l.type === 'paired')) repaired = true;
    }
  } finally {
    await device.kill();
    await host.kill();
  }
  return {
    median: round(median(back)),
    max: round(Math.max(...back)),
    target: 2000,
    runs: back.map((x) => round(x)),
    host_down_median_ms: round(median(down)),
    paired_again: repaired,
    method: `${RESTART_RUNS} restarts (SIGTERM, then the same state dir), median; from the restarted host's "walkie: relay" line to the paired device's "online" status; over the veth pair`,
  };
}

// ---- TLS against plain ---------------------------------------------------------------------------------

/** A child process holding one RelayServer (rate limits lifted), plain or with the given cert and key. */
async function relayChild(certFile: string | undefined, keyFile: string | undefined): Promise<void> {
  process.on('disconnect', () => process.exit(0));
  const tls = certFile && keyFile ? new TlsCredentials({ certFile, keyFile }, nullLogger) : undefined;
  const relay = new RelayServer({
    tls,
    limits: { upgradesPerSec: 1e9, upgradesBurst: 1e9, maxPendingHostsPerSource: 1e9, deviceRate: UNLIMITED, hostRate: UNLIMITED, maxBufferedBytes: 256 * 1024 * 1024 },
  });
  const { port } = await relay.start();
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  });
  process.send?.({ port });
}

function spawnRelay(tls?: { certFile: string; keyFile: string }): Promise<{ proc: ChildProcess; port: number; cpu(): Promise<NodeJS.CpuUsage> }> {
  const proc = fork(__filename, [CHILD_FLAG, tls?.certFile ?? '', tls?.keyFile ?? ''], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('message', (m: { port: number }) =>
      resolve({
        proc,
        port: m.port,
        cpu: () => new Promise((r) => {
          proc.once('message', (c: { cpu: NodeJS.CpuUsage }) => r(c.cpu));
          proc.send({ cmd: 'cpu' });
        }),
      }),
    );
  });
}

function open(url: string, ca: Buffer | undefined): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...(ca ? { ca } : {}) });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`closed (${code})`)));
  });
}

/** An authenticated host and one device of it. Listeners go on before anything can arrive: over TLS the
 *  relay's challenge can come in the same read as the 101 response, before an `await` would resume. */
async function openPair(base: string, ca: Buffer | undefined): Promise<{ host: WebSocket; device: WebSocket }> {
  const secret = randomBytes(32);
  const host = new WebSocket(`${base}/v1/host`, { perMessageDeflate: false, ...(ca ? { ca } : {}) });
  let opened: () => void = () => {};
  const deviceOpened = new Promise<void>((r) => (opened = r));
  const hostId = await new Promise<string>((resolve, reject) => {
    host.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const m = JSON.parse(data.toString()) as { type: string; nonce?: string; hostId?: string };
      if (m.type === 'challenge') host.send(JSON.stringify({ type: 'auth', ...signRelayChallenge(secret, m.nonce!) }));
      else if (m.type === 'ready') resolve(m.hostId!);
      else if (m.type === 'open') opened();
    });
    host.once('error', reject);
    host.once('close', (code) => reject(new Error(`host closed (${code})`)));
  });
  const device = await open(`${base}/v1/device/${hostId}`, ca);
  await deviceOpened;
  host.removeAllListeners('message');
  for (const ws of [host, device]) {
    ws.removeAllListeners('close');
    ws.on('error', () => {});
  }
  return { host, device };
}

/** Device→host 1 KiB messages per second over WINDOW_MS, at most 256 in flight. */
async function throughput(pair: { host: WebSocket; device: WebSocket }, cpu: () => Promise<NodeJS.CpuUsage>): Promise<{ msgsPerSec: number; cpuUsPerMsg: number }> {
  const payload = randomBytes(PAYLOAD);
  const window = 256;
  let sent = 0;
  let received = 0;
  let counted = 0;
  let counting = false;
  let running = true;
  const fill = (): void => {
    while (running && sent - received < window) {
      pair.device.send(payload);
      sent++;
    }
  };
  const onMessage = (_d: unknown, isBinary: boolean): void => {
    if (!isBinary) return;
    received++;
    if (counting) counted++;
    if (sent - received < window / 2) fill();
  };
  pair.host.on('message', onMessage);
  fill();
  await sleep(WARMUP_MS);
  const c0 = await cpu();
  counting = true;
  const t0 = performance.now();
  await sleep(WINDOW_MS);
  counting = false;
  const elapsed = since(t0);
  const c1 = await cpu();
  running = false;
  const end = performance.now() + 2000;
  while (sent !== received && performance.now() < end) await sleep(10);
  pair.host.off('message', onMessage);
  return { msgsPerSec: (counted * 1000) / elapsed, cpuUsPerMsg: (c1.user - c0.user + c1.system - c0.system) / Math.max(1, counted) };
}

async function tlsThroughput(): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-reach-bench-tls-'));
  const ca = makeTestCa(path.join(dir, 'ca'));
  const leaf = ca.issue(['127.0.0.1'], 'relay');
  const caPem = fs.readFileSync(ca.certFile);
  const plain = await spawnRelay();
  const tls = await spawnRelay(leaf);
  try {
    const pairs = { plain: await openPair(`ws://127.0.0.1:${plain.port}`, undefined), tls: await openPair(`wss://127.0.0.1:${tls.port}`, caPem) };
    const runs = { plain: [] as { msgsPerSec: number; cpuUsPerMsg: number }[], tls: [] as { msgsPerSec: number; cpuUsPerMsg: number }[] };
    for (let r = 0; r < TLS_RUNS; r++) {
      // Interleaved, so drift in the machine's load hits both alike.
      runs.plain.push(await throughput(pairs.plain, plain.cpu));
      runs.tls.push(await throughput(pairs.tls, tls.cpu));
    }
    for (const p of Object.values(pairs)) for (const ws of [p.host, p.device]) ws.terminate();
    const m = (k: 'plain' | 'tls') => median(runs[k].map((x) => x.msgsPerSec));
    const cpu = (k: 'plain' | 'tls') => median(runs[k].map((x) => x.cpuUsPerMsg));
    return {
      tls_msgs_per_s: Math.round(m('tls')),
      plain_msgs_per_s: Math.round(m('plain')),
      ratio: round(m('tls') / m('plain'), 3),
      server_cpu_us_per_msg: { tls: round(cpu('tls'), 2), plain: round(cpu('plain'), 2) },
      load_average_1m: round(os.loadavg()[0]!, 2),
      runs: { tls: runs.tls.map((x) => Math.round(x.msgsPerSec)), plain: runs.plain.map((x) => Math.round(x.msgsPerSec)) },
      method: `${TLS_RUNS} interleaved runs of ${WINDOW_MS} ms (after ${WARMUP_MS} ms warm-up), medians; one host/device pair, ${PAYLOAD}-byte device→host messages, 256 in flight; the same RelayServer with TLS (P-256 certificate, TLS 1.3) and without, each in a child process, rate limits lifted; loopback`,
    };
  } finally {
    plain.proc.kill();
    tls.proc.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  out.reach_tls_relay_throughput_1kib = await tlsThroughput();
  console.log(`reach: TLS relay ${JSON.stringify(out.reach_tls_relay_throughput_1kib)}`);
  if (process.getuid?.() !== 0) {
    const skipped = { skipped: 'needs root to create network namespaces (ip netns add)' };
    return { ...out, reach_pair_to_first_chat_ms: skipped, reach_reconnect_after_host_restart_ms: skipped };
  }
  const rig = await vethRig();
  try {
    out.reach_pair_to_first_chat_ms = await pairToFirstChat(rig);
    console.log(`reach: pair → first chat ${JSON.stringify(out.reach_pair_to_first_chat_ms)}`);
    out.reach_reconnect_after_host_restart_ms = await reconnectAfterRestart(rig);
    console.log(`reach: reconnect after restart ${JSON.stringify(out.reach_reconnect_after_host_restart_ms)}`);
  } finally {
    await rig.close();
  }
  return out;
}

if (require.main === module) {
  if (process.argv[2] === CHILD_FLAG) {
    relayChild(process.argv[3] || undefined, process.argv[4] || undefined).catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
  } else {
    run().then((r) => console.log(JSON.stringify(r, null, 2)), (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
  }
}
