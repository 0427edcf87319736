// Benchmark of the relay (docs/relay.md §Performance), loopback only, bounded (< 90 s):
//  - relay_throughput_1kib: 1 KiB device→host messages per second through the relay and through a bare `ws`
//    forwarder (bench/relayBenchPeers.ts), one pair and a hundred pairs, runs interleaved, medians of 3;
//    plus the server's CPU per message, which stays meaningful when the load generator is the bottleneck.
//  - relay_latency_ms_at_1000_msgs_per_s: device→host→device echo round trips at a paced 1,000 msg/s.
//  - relay_memory_per_idle_connection_kib: RSS and heap growth of a relay process holding 5,000 idle
//    device connections (16 per host, the default limit), measured after GC, clients in another process.
// The relay and the forwarder run in child processes; the load runs here.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { WebSocket } from 'ws';
import { Child, CHILD_FLAG, openHost, openSocket, runChild } from './relayBenchPeers';

const RUNS = 3;
const WINDOW_MS = 2000;
const WARMUP_MS = 300;
const PAYLOAD = 1024;
const LATENCY_RATE = 1000;
const LATENCY_MS = 3000;
const IDLE_DEVICES = 5000;
const DEVICES_PER_HOST = 16;

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Pair {
  host: WebSocket;
  device: WebSocket;
}

async function openPairs(kind: 'relay' | 'bare', port: number, n: number): Promise<Pair[]> {
  const pairs: Pair[] = [];
  for (let i = 0; i < n; i++) {
    if (kind === 'bare') {
      const id = `${n}-${i}`; // unique across the pair sets held open at the same time
      const host = await openSocket(`ws://127.0.0.1:${port}/host/${id}`);
      const device = await openSocket(`ws://127.0.0.1:${port}/device/${id}`);
      pairs.push({ host, device });
    } else {
      const { ws: host, hostId } = await openHost(port, randomBytes(32));
      const opened = new Promise((r) => host.once('message', r));
      const device = await openSocket(`ws://127.0.0.1:${port}/v1/device/${hostId}`);
      await opened;
      pairs.push({ host, device });
    }
  }
  for (const p of pairs) for (const ws of [p.host, p.device]) ws.on('error', () => {});
  return pairs;
}

function closePairs(pairs: Pair[]): void {
  for (const p of pairs) {
    p.host.terminate();
    p.device.terminate();
  }
}

/** Device→host messages per second over WINDOW_MS, each pair keeping at most `window` messages in flight. */
async function throughput(child: Child, pairs: Pair[]): Promise<{ msgsPerSec: number; serverCpuUsPerMsg: number }> {
  const window = pairs.length === 1 ? 256 : 24;
  const payload = randomBytes(PAYLOAD);
  let counted = 0;
  let counting = false;
  let running = true;
  const flows = pairs.map((p) => {
    let sent = 0;
    let received = 0;
    const fill = (): void => {
      while (running && sent - received < window) {
        p.device.send(payload);
        sent++;
      }
    };
    const onMessage = (_d: unknown, isBinary: boolean): void => {
      if (!isBinary) return;
      received++;
      if (counting) counted++;
      if (sent - received < window / 2) fill();
    };
    p.host.on('message', onMessage);
    fill();
    return { p, onMessage, drained: () => sent === received };
  });
  await sleep(WARMUP_MS);
  const cpu0 = (await child.ask({ cmd: 'cpu' })).cpu as NodeJS.CpuUsage;
  counting = true;
  const t0 = performance.now();
  await sleep(WINDOW_MS);
  counting = false;
  const elapsed = performance.now() - t0;
  const cpu1 = (await child.ask({ cmd: 'cpu' })).cpu as NodeJS.CpuUsage;
  running = false;
  // Let the in-flight messages land, so the next run starts from an idle server.
  const end = performance.now() + 2000;
  while (!flows.every((f) => f.drained()) && performance.now() < end) await sleep(10);
  for (const f of flows) f.p.host.off('message', f.onMessage);
  const cpuUs = cpu1.user - cpu0.user + cpu1.system - cpu0.system;
  return { msgsPerSec: (counted * 1000) / elapsed, serverCpuUsPerMsg: cpuUs / Math.max(1, counted) };
}

async function throughputBench(): Promise<Record<string, unknown>> {
  const relay = new Child(__filename, 'relay', 'unlimited');
  const bare = new Child(__filename, 'bare');
  try {
    const relayPort = (await relay.next()).port as number;
    const barePort = (await bare.next()).port as number;
    const pairs = {
      relay1: await openPairs('relay', relayPort, 1),
      bare1: await openPairs('bare', barePort, 1),
      relay100: await openPairs('relay', relayPort, 100),
      bare100: await openPairs('bare', barePort, 100),
    };
    const runs: Record<string, { msgsPerSec: number; serverCpuUsPerMsg: number }[]> = { relay1: [], bare1: [], relay100: [], bare100: [] };
    for (let r = 0; r < RUNS; r++) {
      // Interleaved, so drift in the machine's load hits both sides alike.
      runs.relay1!.push(await throughput(relay, pairs.relay1));
      runs.bare1!.push(await throughput(bare, pairs.bare1));
      runs.relay100!.push(await throughput(relay, pairs.relay100));
      runs.bare100!.push(await throughput(bare, pairs.bare100));
    }
    for (const list of Object.values(pairs)) closePairs(list);
    const m = (k: string) => median(runs[k]!.map((x) => x.msgsPerSec));
    const cpu = (k: string) => round(median(runs[k]!.map((x) => x.serverCpuUsPerMsg)), 2);
    return {
      one_pair_msgs_per_s: Math.round(m('relay1')),
      hundred_pairs_msgs_per_s: Math.round(m('relay100')),
      bare_ws_one_pair_msgs_per_s: Math.round(m('bare1')),
      bare_ws_hundred_pairs_msgs_per_s: Math.round(m('bare100')),
      ratio_one_pair: round(m('relay1') / m('bare1'), 3),
      ratio_hundred_pairs: round(m('relay100') / m('bare100'), 3),
      server_cpu_us_per_msg: { relay_one_pair: cpu('relay1'), bare_one_pair: cpu('bare1'), relay_hundred_pairs: cpu('relay100'), bare_hundred_pairs: cpu('bare100') },
      server_cpu_ratio_one_pair: round(median(runs.bare1!.map((x) => x.serverCpuUsPerMsg)) / median(runs.relay1!.map((x) => x.serverCpuUsPerMsg)), 3),
      server_cpu_ratio_hundred_pairs: round(median(runs.bare100!.map((x) => x.serverCpuUsPerMsg)) / median(runs.relay100!.map((x) => x.serverCpuUsPerMsg)), 3),
      load_average_1m: round(os.loadavg()[0]!, 2),
      runs: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map((x) => Math.round(x.msgsPerSec))])),
      method: `${RUNS} interleaved runs of ${WINDOW_MS} ms (after ${WARMUP_MS} ms warm-up), medians; ${PAYLOAD}-byte device→host messages, windowed flow control; relay rate limits lifted; server in a child process`,
    };
  } finally {
    await relay.stop();
    await bare.stop();
  }
}

/** Round-trip times of an echo paced at LATENCY_RATE for LATENCY_MS (the host echoes every frame back as-is). */
async function echoTimes(kind: 'relay' | 'bare', port: number): Promise<{ rtts: number[]; lost: number }> {
  const [pair] = await openPairs(kind, port, 1);
  const { host, device } = pair!;
  host.on('message', (data: Buffer, isBinary) => isBinary && host.send(data)); // the relay's conn header and all
  const total = (LATENCY_RATE * LATENCY_MS) / 1000;
  const sentAt = new Float64Array(total);
  const rtts: number[] = [];
  const payload = Buffer.alloc(PAYLOAD);
  const done = new Promise<void>((resolve) => {
    device.on('message', (data: Buffer) => {
      const seq = data.readUInt32BE(0);
      rtts.push(performance.now() - sentAt[seq]!);
      if (rtts.length === total) resolve();
    });
  });
  let sent = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * LATENCY_RATE) / 1000) + 1);
      while (sent < due) {
        payload.writeUInt32BE(sent, 0);
        sentAt[sent] = performance.now();
        device.send(payload);
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await Promise.race([done, sleep(5000)]);
  closePairs([pair!]);
  return { rtts: rtts.slice(Math.floor(rtts.length / 10)), lost: total - rtts.length }; // first 10 %: JIT warm-up
}

async function latencyBench(): Promise<Record<string, unknown>> {
  const relay = new Child(__filename, 'relay', 'unlimited');
  const bare = new Child(__filename, 'bare');
  try {
    const relayPort = (await relay.next()).port as number;
    const barePort = (await bare.next()).port as number;
    const viaRelay = await echoTimes('relay', relayPort);
    const viaBare = await echoTimes('bare', barePort);
    return {
      p50: round(quantile(viaRelay.rtts, 0.5), 3),
      p99: round(quantile(viaRelay.rtts, 0.99), 3),
      max: round(Math.max(...viaRelay.rtts), 3),
      samples: viaRelay.rtts.length,
      lost: viaRelay.lost,
      bare_ws_p50: round(quantile(viaBare.rtts, 0.5), 3),
      bare_ws_p99: round(quantile(viaBare.rtts, 0.99), 3),
      load_average_1m: round(os.loadavg()[0]!, 2),
      method: `device→relay→host→relay→device echo of ${PAYLOAD}-byte messages paced at ${LATENCY_RATE}/s for ${LATENCY_MS} ms, round-trip times, first 10 % dropped; then the same through the bare ws forwarder`,
    };
  } finally {
    await relay.stop();
    await bare.stop();
  }
}

async function memoryBench(): Promise<Record<string, unknown>> {
  const relay = new Child(__filename, 'relay');
  const clients = new Child(__filename, 'clients');
  try {
    const port = (await relay.next()).port as number;
    await clients.next();
    await clients.ask({ cmd: 'hosts', port, count: Math.ceil(IDLE_DEVICES / DEVICES_PER_HOST) });
    const before = (await relay.ask({ cmd: 'mem' })).mem as NodeJS.MemoryUsage;
    const t0 = performance.now();
    await clients.ask({ cmd: 'devices', port, count: IDLE_DEVICES, perHost: DEVICES_PER_HOST });
    const connectMs = performance.now() - t0;
    await sleep(500);
    const afterMsg = await relay.ask({ cmd: 'mem' });
    const after = afterMsg.mem as NodeJS.MemoryUsage;
    const stats = afterMsg.stats as { hosts: number; devices: number };
    if (stats.devices !== IDLE_DEVICES) throw new Error(`relay holds ${stats.devices} devices, expected ${IDLE_DEVICES}`);
    const per = (a: number, b: number) => round((b - a) / 1024 / IDLE_DEVICES, 2);
    return {
      rss_kib: per(before.rss, after.rss),
      heap_kib: per(before.heapUsed + before.external + before.arrayBuffers, after.heapUsed + after.external + after.arrayBuffers),
      connections: IDLE_DEVICES,
      hosts: stats.hosts,
      connect_ms: Math.round(connectMs),
      relay_rss_mib: { before: round(before.rss / 2 ** 20, 1), after: round(after.rss / 2 ** 20, 1) },
      method: `relay in a child process with default limits (heartbeat included; per-source upgrade limits lifted: every peer is one address); ${stats.hosts} authenticated hosts connected first (baseline), then ${IDLE_DEVICES} idle devices (${DEVICES_PER_HOST} per host) from another process; RSS and heap (used + external) after forced GC`,
    };
  } finally {
    await clients.stop();
    await relay.stop();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const throughputFigures = await throughputBench();
  const latency = await latencyBench();
  const memory = await memoryBench();
  return {
    relay_throughput_1kib: throughputFigures,
    relay_latency_ms_at_1000_msgs_per_s: latency,
    relay_memory_per_idle_connection_kib: memory,
  };
}

if (require.main === module) {
  if (process.argv[2] === CHILD_FLAG) {
    runChild(process.argv[3] ?? '', process.argv[4]).catch((e: unknown) => {
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
