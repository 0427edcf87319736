// Batches what a relay node publishes to each other node: every message produced in one turn of the event
// loop (a burst of frames read from many sockets) leaves in one PUBLISH, `[length u32 BE][message]…`, in
// the order it was produced. One Redis command per batch instead of per frame is what keeps cross-node
// throughput near one node's (bench/relayCluster.bench.ts).

/** A batch is flushed early once it holds this many bytes. */
const MAX_BATCH_BYTES = 256 * 1024;

interface Queue {
  parts: Buffer[];
  bytes: number;
  failures: (() => void)[];
}

export class ClusterPublisher {
  private readonly queues = new Map<string, Queue>();
  private scheduled: NodeJS.Immediate | undefined;

  /** `send` publishes one batch to a node; its rejection runs the failure callbacks of that batch. */
  constructor(private readonly send: (node: string, batch: Buffer) => Promise<unknown>) {}

  publish(node: string, message: Buffer, onFail?: () => void): void {
    let q = this.queues.get(node);
    if (!q) {
      q = { parts: [], bytes: 0, failures: [] };
      this.queues.set(node, q);
    }
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(message.length, 0);
    q.parts.push(header, message);
    q.bytes += 4 + message.length;
    if (onFail) q.failures.push(onFail);
    if (q.bytes >= MAX_BATCH_BYTES) this.flush(node);
    else this.scheduled ??= setImmediate(() => this.flushAll());
  }

  /** Sends everything queued now. */
  flushAll(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    for (const node of [...this.queues.keys()]) this.flush(node);
  }

  private flush(node: string): void {
    const q = this.queues.get(node);
    if (!q) return;
    this.queues.delete(node);
    this.send(node, Buffer.concat(q.parts, q.bytes)).catch(() => {
      for (const f of q.failures) f();
    });
  }
}

/** The messages of a batch; undefined when it is malformed (a length running past the end). */
export function splitBatch(data: Buffer): Buffer[] | undefined {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; ) {
    if (at + 4 > data.length) return undefined;
    const length = data.readUInt32BE(at);
    if (at + 4 + length > data.length) return undefined;
    out.push(data.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return out;
}
