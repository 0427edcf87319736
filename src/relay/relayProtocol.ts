// The relay's wire protocol (docs/relay.md): the text control messages on the host connection, both
// directions, as strict zod schemas, and the `[conn u32 big-endian][payload]` binary framing. Imported by
// the relay and by the host's link (src/node/host/relayHostLink.ts); devices only ever send opaque binary.
import * as z from 'zod';
import { HOST_ID_PATTERN } from '../core/wire/relayAuth';
import { CONN_HEADER_LENGTH, MAX_CONN_ID } from './relayLimits';

export const RELAY_PROTOCOL_VERSION = 1;
export const HOST_PATH = '/v1/host';
export const DEVICE_PATH_PREFIX = '/v1/device/';

const B64url = (max: number) => z.string().min(1).max(max).regex(/^[A-Za-z0-9_-]+$/);
const Conn = z.number().int().min(1).max(MAX_CONN_ID);

/** A close code the host may ask the relay to use on a device: private 4000–4999, or normal/policy. */
export function isForwardableCloseCode(code: number): boolean {
  return code === 1000 || code === 1008 || (code >= 4000 && code <= 4999);
}

const utf8Length = (s: string): number => {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
};

// relay → host
export const ChallengeMessageSchema = z.strictObject({ type: z.literal('challenge'), nonce: B64url(64) });
export const ReadyMessageSchema = z.strictObject({ type: z.literal('ready'), hostId: z.string().regex(HOST_ID_PATTERN) });
export const OpenMessageSchema = z.strictObject({ type: z.literal('open'), conn: Conn });
export const DeviceClosedMessageSchema = z.strictObject({ type: z.literal('close'), conn: Conn });
export const RelayToHostSchema = z.discriminatedUnion('type', [
  ChallengeMessageSchema,
  ReadyMessageSchema,
  OpenMessageSchema,
  DeviceClosedMessageSchema,
]);
export type RelayToHost = z.infer<typeof RelayToHostSchema>;

// host → relay
export const AuthMessageSchema = z.strictObject({ type: z.literal('auth'), publicKey: B64url(64), signature: B64url(128) });
export type AuthMessage = z.infer<typeof AuthMessageSchema>;
export const CloseDeviceMessageSchema = z.strictObject({
  type: z.literal('close'),
  conn: Conn,
  code: z.number().int().refine(isForwardableCloseCode, 'close code not allowed'),
  // RFC 6455 §5.5: a close frame's body is ≤ 125 bytes, 2 of them the code.
  reason: z.string().refine((r) => utf8Length(r) <= 123, 'reason longer than 123 UTF-8 bytes'),
});
export type CloseDeviceMessage = z.infer<typeof CloseDeviceMessageSchema>;


/**
 * Parses a text message with `schema`; undefined for anything else (bad JSON, wrong shape, huge). The
 * text comes off the wire: only `unknown` until the schema says otherwise.
 */
export function parseControl<T>(schema: z.ZodType<T>, text: string): T | undefined {
  if (text.length > 1024) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
}

/** `[conn u32 big-endian][payload]` in one fresh buffer. */
export function encodeConnFrame(conn: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(CONN_HEADER_LENGTH + payload.length);
  new DataView(out.buffer).setUint32(0, conn, false);
  out.set(payload, CONN_HEADER_LENGTH);
  return out;
}

/** Splits a host-connection frame; undefined when it is too short to hold a conn id. */
export function decodeConnFrame(frame: Uint8Array): { conn: number; payload: Uint8Array } | undefined {
  if (frame.length < CONN_HEADER_LENGTH) return undefined;
  const conn = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, false);
  return { conn, payload: frame.subarray(CONN_HEADER_LENGTH) };
}
