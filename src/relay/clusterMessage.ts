// What relay nodes of a cluster tell each other through Redis pub/sub (docs/relay.md, "Several nodes"):
// one binary message per event, published on the receiving node's channel. It carries routing ids and
// the device's ciphertext, nothing else: `[kind u8][hostId length u8][hostId][conn u32 BE][body]`.
import { MAX_CONN_ID } from './relayLimits';

export const ClusterKind = {
  /** device node → host node: a device for hostId got `conn`; body = the device node's id. */
  open: 1,
  /** device node → host node: one device frame; body = payload. */
  toHost: 2,
  /** device node → host node: the device went away. */
  deviceClosed: 3,
  /** host node → device node: one host frame for `conn`; body = payload. */
  toDevice: 4,
  /** host node → device node: close the device; body = [code u16 BE][reason UTF-8]. */
  closeDevice: 5,
  /** new host node → old host node: a newer connection took hostId over; body = the old registration. */
  replaced: 6,
} as const;
export type ClusterKind = (typeof ClusterKind)[keyof typeof ClusterKind];

export interface ClusterMessage {
  readonly kind: ClusterKind;
  readonly hostId: string;
  readonly conn: number;
  readonly body: Uint8Array;
}

const KINDS: ReadonlySet<number> = new Set(Object.values(ClusterKind));

export function encodeClusterMessage(kind: ClusterKind, hostId: string, conn: number, body: Uint8Array = new Uint8Array(0)): Buffer {
  const id = Buffer.from(hostId, 'latin1');
  const out = Buffer.allocUnsafe(2 + id.length + 4 + body.length);
  out[0] = kind;
  out[1] = id.length;
  id.copy(out, 2);
  out.writeUInt32BE(conn, 2 + id.length);
  out.set(body, 6 + id.length);
  return out;
}

/**
 * Decodes a message from the node channel; undefined for anything malformed. Only relay nodes can publish
 * there (Redis is private to the cluster), but a parser at a boundary still never trusts its input.
 */
export function decodeClusterMessage(data: Buffer, hostIdPattern: RegExp): ClusterMessage | undefined {
  if (data.length < 6 || !KINDS.has(data[0]!)) return undefined;
  const idLength = data[1]!;
  if (data.length < 6 + idLength) return undefined;
  const hostId = data.toString('latin1', 2, 2 + idLength);
  if (!hostIdPattern.test(hostId)) return undefined;
  const conn = data.readUInt32BE(2 + idLength);
  if (conn > MAX_CONN_ID) return undefined;
  return { kind: data[0] as ClusterKind, hostId, conn, body: data.subarray(6 + idLength) };
}

/** `[code u16 BE][reason UTF-8]`, the body of closeDevice. */
export function encodeClose(code: number, reason: string): Buffer {
  const r = Buffer.from(reason.slice(0, 100), 'utf8');
  const out = Buffer.allocUnsafe(2 + r.length);
  out.writeUInt16BE(code, 0);
  r.copy(out, 2);
  return out;
}

export function decodeClose(body: Uint8Array): { code: number; reason: string } | undefined {
  if (body.length < 2) return undefined;
  const b = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return { code: b.readUInt16BE(0), reason: b.toString('utf8', 2) };
}
