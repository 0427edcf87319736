// Benchmark of the relay as a cluster (docs/relay.md §Several nodes), loopback only, bounded (< 90 s), one
// real redis-server started here:
//  - relay_cluster_transport: the two Redis transports the nodes could use, 1 KiB messages — pub/sub
//    (PUBLISH/SUBSCRIBE) against streams (XADD/XREAD BLOCK): throughput with 64 in flight and the
//    round-trip latency of one message at a time, side by side, medians of 3.
//  - relay_cluster_throughput_1kib: device→host 1 KiB messages per second with host and device on one
//    node, and with the host on node A and the device on node B (every frame crosses Redis), interleaved.
//  - relay_cluster_latency_ms: echo round trips paced at 500 msg/s, one node against across nodes.
//  - relay_cluster_memory_per_idle_connection_kib: a node's RSS growth per idle device whose host is on
//    another node (and the host node's growth for the same conns), Redis on.
// Relay nodes run in child processes (bench/relayBenchPeers.ts); the load and Redis clients run here.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Redis } from 'ioredis';
import type { WebSocket } from 'ws';
import { RedisTestServer } from '../test/unit/relay/redisTestServer';
import { Child, CHILD_FLAG, openHost, openSocket, runChild } from './relayBenchPeers';

const RUNS = 3;
const WINDOW_MS = 1500;
const PAYLOAD = 1024;
const ECHO_RATE = 500;
const ECHO_MS = 2000;
const IDLE_DEVICES = 2000;
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

/** One transport under test: send a message, get told when one arrives. */
interface Transport {
  send(m: Buffer): void;
  onMessage(fn: (m: Buffer) => void): void;
  close(): void;
}

async function pubsub(url: string): Promise<Transport> {
  const pub = new Redis(url);
  const sub = new Redis(url);
  await sub.subscribe('bench');
  return {
    send: (m) => void pub.publish('bench', m),
    onMessage: (fn) => sub.on('messageBuffer', (_c: Buffer, m: Buffer) => fn(m)),
    close: () => {
      pub.disconnect();
      sub.disconnect();
    },
  };
}

async function streams(url: string): Promise<Transport> {
  const pub = new Redis(url);
  const sub = new Redis(url);
  await pub.del('bench-stream');
  let fn: (m: Buffer) => void = () => {};
  let open = true;
  let last = '$';
  void (async () => {
    while (open) {
      const r = (await sub.xreadBuffer('COUNT', 256, 'BLOCK', 1000, 'STREAMS', 'bench-stream', last).catch(() => null)) as [Buffer, [Buffer, Buffer[]][]][] | null;
      for (const [, entries] of r ?? []) {
        for (const [id, fields] of entries) {
          last = id.toString();
          fn(fields[1]!);
        }
      }
    }
  })();
  await sleep(50);
  return {
    send: (m) => void pub.xadd('bench-stream', 'MAXLEN', '~', 10000, '*', 'm', m),
    onMessage: (f) => (fn = f),
    close: () => {
      open = false;
      pub.disconnect();
      sub.disconnect();
    },
  };
}

async function transportFigures(t: Transport): Promise<{ msgsPerSec: number; rtts: number[] }> {
  const payload = randomBytes(PAYLOAD);
  let received = 0;
  let waiting: (() => void) | undefined;
  t.onMessage(() => {
    received++;
    waiting?.();
  });
  // Throughput: 64 in flight.
  let sent = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < WINDOW_MS) {
    while (sent - received < 64) {
      t.send(payload);
      sent++;
    }
    await new Promise<void>((r) => (waiting = r));
  }
  const msgsPerSec = (received * 1000) / (performance.now() - t0);
  while (received < sent) await new Promise<void>((r) => (waiting = r));
  // Latency: one at a time.
  const rtts: number[] = [];
  for (let i = 0; i < 500; i++) {
    const s = performance.now();
    const got = new Promise<void>((r) => (waiting = r));
    t.send(payload);
    await got;
    rtts.push(performance.now() - s);
  }
  return { msgsPerSec, rtts: rtts.slice(50) };
}

async function transportBench(url: string): Promise<Record<string, unknown>> {
  const runs: Record<'pubsub' | 'streams', { msgsPerSec: number; rtts: number[] }[]> = { pubsub: [], streams: [] };
  for (let r = 0; r < RUNS; r++) {
    for (const kind of ['pubsub', 'streams'] as const) {
      const t = kind === 'pubsub' ? await pubsub(url) : await streams(url);
      runs[kind].push(await transportFigures(t));
      t.close();
    }
  }
  const fig = (k: 'pubsub' | 'streams') => ({
    msgs_per_s: Math.round(median(runs[k].map((x) => x.msgsPerSec))),
    rtt_p50_ms: round(median(runs[k].map((x) => quantile(x.rtts, 0.5))), 3),
    rtt_p99_ms: round(median(runs[k].map((x) => quantile(x.rtts, 0.99))), 3),
  });
  return { pubsub: fig('pubsub'), streams: fig('streams'), method: `${RUNS} interleaved runs; ${PAYLOAD}-byte messages; throughput over ${WINDOW_MS} ms with 64 in flight; 450 sequential round trips; medians` };
}

interface Pair {
  host: WebSocket;
  device: WebSocket;
}

async function openPair(hostPort: number, devicePort: number): Promise<Pair> {
  const { ws: host, hostId } = await openHost(hostPort, randomBytes(32));
  const opened = new Promise((r) => host.once('message', r));
  const device = await openSocket(`ws://127.0.0.1:${devicePort}/v1/device/${hostId}`);
  await Promise.race([opened, sleep(5000).then(() => Promise.reject(new Error('the host was not told about the device')))]);
  for (const ws of [host, device]) ws.on('error', () => {});
  return { host, device };
}

/** Device→host messages per second over WINDOW_MS with at most 256 in flight. */
async function throughput(p: Pair): Promise<number> {
  const payload = randomBytes(PAYLOAD);
  let sent = 0;
  let received = 0;
  let counted = 0;
  let counting = false;
  let running = true;
  const fill = (): void => {
    while (running && sent - received < 256) {
      p.device.send(payload);
      sent++;
    }
  };
  const onMessage = (_d: unknown, isBinary: boolean): void => {
    if (!isBinary) return;
    received++;
    if (counting) counted++;
    if (sent - received < 128) fill();
  };
  p.host.on('message', onMessage);
  fill();
  await sleep(300);
  counting = true;
  const t0 = performance.now();
  await sleep(WINDOW_MS);
  counting = false;
  const elapsed = performance.now() - t0;
  running = false;
  const end = performance.now() + 3000;
  while (sent !== received && performance.now() < end) await sleep(10);
  p.host.off('message', onMessage);
  return (counted * 1000) / elapsed;
}

/** Echo round trips paced at ECHO_RATE for ECHO_MS (the host sends every frame back). */
async function echo(p: Pair): Promise<number[]> {
  const onHost = (data: Buffer, isBinary: boolean): void => void (isBinary && p.host.send(data));
  p.host.on('message', onHost);
  const total = (ECHO_RATE * ECHO_MS) / 1000;
  const sentAt = new Float64Array(total);
  const rtts: number[] = [];
  const onDevice = (data: Buffer): void => void rtts.push(performance.now() - sentAt[data.readUInt32BE(0)]!);
  p.device.on('message', onDevice);
  const payload = Buffer.alloc(PAYLOAD);
  const t0 = performance.now();
  for (let sent = 0; sent < total; ) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * ECHO_RATE) / 1000) + 1);
    for (; sent < due; sent++) {
      payload.writeUInt32BE(sent, 0);
      sentAt[sent] = performance.now();
      p.device.send(payload);
    }
    await sleep(1);
  }
  const end = performance.now() + 3000;
  while (rtts.length < total && performance.now() < end) await sleep(10);
  p.host.off('message', onHost);
  p.device.off('message', onDevice);
  return rtts.slice(Math.floor(rtts.length / 10));
}

async function pathBench(url: string): Promise<Record<string, unknown>> {
  const a = new Child(__filename, 'relay', `unlimited,redis=${url}`);
  const b = new Child(__filename, 'relay', `unlimited,redis=${url}`);
  try {
    const portA = (await a.next()).port as number;
    const portB = (await b.next()).port as number;
    const oneNode = await openPair(portA, portA);
    const crossNode = await openPair(portA, portB);
    const tput = { one: [] as number[], cross: [] as number[] };
    for (let r = 0; r < RUNS; r++) {
      tput.one.push(await throughput(oneNode));
      tput.cross.push(await throughput(crossNode));
    }
    await sleep(500); // let Redis and both nodes settle after the throughput runs
    const oneRtt = await echo(oneNode);
    const crossRtt = await echo(crossNode);
    for (const p of [oneNode, crossNode]) {
      p.host.terminate();
      p.device.terminate();
    }
    const one = median(tput.one);
    const cross = median(tput.cross);
    return {
      throughput: {
        one_node_msgs_per_s: Math.round(one),
        cross_node_msgs_per_s: Math.round(cross),
        ratio: round(cross / one, 3),
        runs: { one: tput.one.map(Math.round), cross: tput.cross.map(Math.round) },
        load_average_1m: round(os.loadavg()[0]!, 2),
        method: `${RUNS} interleaved runs of ${WINDOW_MS} ms; ${PAYLOAD}-byte device→host messages, 256 in flight; two cluster nodes (Redis on) in child processes, rate limits lifted; one node = host and device on node A, cross = host on A, device on B`,
      },
      latency_ms: {
        one_node_p50: round(quantile(oneRtt, 0.5), 3),
        one_node_p99: round(quantile(oneRtt, 0.99), 3),
        cross_node_p50: round(quantile(crossRtt, 0.5), 3),
        cross_node_p99: round(quantile(crossRtt, 0.99), 3),
        added_p99: round(quantile(crossRtt, 0.99) - quantile(oneRtt, 0.99), 3),
        samples: { one: oneRtt.length, cross: crossRtt.length },
        method: `device→relay→host→relay→device echo, ${PAYLOAD} bytes paced at ${ECHO_RATE}/s for ${ECHO_MS} ms, first 10 % dropped; cross-node frames cross Redis twice per round trip`,
      },
    };
  } finally {
    await a.stop();
    await b.stop();
  }
}

async function memoryBench(url: string): Promise<Record<string, unknown>> {
  const a = new Child(__filename, 'relay', `redis=${url}`);
  const b = new Child(__filename, 'relay', `redis=${url}`);
  const clients = new Child(__filename, 'clients');
  try {
    const portA = (await a.next()).port as number;
    const portB = (await b.next()).port as number;
    await clients.next();
    await clients.ask({ cmd: 'hosts', port: portA, count: Math.ceil(IDLE_DEVICES / DEVICES_PER_HOST) });
    const beforeA = (await a.ask({ cmd: 'mem' })).mem as NodeJS.MemoryUsage;
    const beforeB = (await b.ask({ cmd: 'mem' })).mem as NodeJS.MemoryUsage;
    await clients.ask({ cmd: 'devices', port: portB, count: IDLE_DEVICES, perHost: DEVICES_PER_HOST });
    await sleep(1000);
    const afterA = await a.ask({ cmd: 'mem' });
    const afterB = (await b.ask({ cmd: 'mem' })).mem as NodeJS.MemoryUsage;
    const stats = afterA.stats as { hosts: number; devices: number };
    if (stats.devices !== IDLE_DEVICES) throw new Error(`host node holds ${stats.devices} conns, expected ${IDLE_DEVICES}`);
    const per = (x: NodeJS.MemoryUsage, y: NodeJS.MemoryUsage) => round((y.rss - x.rss) / 1024 / IDLE_DEVICES, 2);
    const heap = (m: NodeJS.MemoryUsage) => m.heapUsed + m.external + m.arrayBuffers;
    const perHeap = (x: NodeJS.MemoryUsage, y: NodeJS.MemoryUsage) => round((heap(y) - heap(x)) / 1024 / IDLE_DEVICES, 2);
    return {
      device_node_rss_kib: per(beforeB, afterB),
      device_node_heap_kib: perHeap(beforeB, afterB),
      host_node_rss_kib: per(beforeA, afterA.mem as NodeJS.MemoryUsage),
      host_node_heap_kib: perHeap(beforeA, afterA.mem as NodeJS.MemoryUsage),
      connections: IDLE_DEVICES,
      hosts: stats.hosts,
      method: `two cluster nodes (default limits, Redis on) in child processes; ${stats.hosts} hosts on node A, then ${IDLE_DEVICES} idle devices (${DEVICES_PER_HOST} per host) on node B; RSS growth per device after forced GC on each node`,
    };
  } finally {
    await clients.stop();
    await a.stop();
    await b.stop();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const redis = await RedisTestServer.start();
  try {
    const transport = await transportBench(redis.url);
    const paths = await pathBench(redis.url);
    const memory = await memoryBench(redis.url);
    return {
      relay_cluster_transport: transport,
      relay_cluster_throughput_1kib: paths.throughput,
      relay_cluster_latency_ms: paths.latency_ms,
      relay_cluster_memory_per_idle_connection_kib: memory,
    };
  } finally {
    await redis.stop();
  }
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
