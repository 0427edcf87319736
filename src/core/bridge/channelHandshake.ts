// The wire of Walkie's channel handshake, shared by the host (src/core/bridge/bridgeHost.ts) and the device
// (src/core/bridge/bridgeClient.ts); docs/protocol.md §Handshake is the prose version.
//   device → host: 1 tag byte (PAIR_TAG: Noise_IKpsk2, RECONNECT_TAG: Noise_IK) + Noise message 1,
//                  payload {"v":1,"name"?:…} (name only when pairing)
//   host → device: Noise message 2, payload {"v":1,"hostName":…}
//   device → host: a transport frame with an EMPTY plaintext: key confirmation. Noise IK(psk2) message 1
//                  authenticates the device's static key but not its knowledge of the psk (the psk enters
//                  only in message 2), so the host registers a device and consumes the offer only once this
//                  frame decrypts. It also makes a replayed message 1 useless.
//   host → device: a transport frame with an EMPTY plaintext: accepted (the device is registered, an offer
//                  consumed). Only now does the device count itself paired / online.
// Then every WebSocket binary message is one SecureChannel frame holding one UTF-8 JSON protocol message.
import * as z from 'zod';
import { utf8Decode, utf8Encode } from '../base/bytes';
import type { PatternName } from '../noise/handshakeState';
import { LIMITS, PROTOCOL_VERSION } from '../wire/protocol';

export const PAIR_TAG = 1;
export const RECONNECT_TAG = 2;
export const PATTERN_FOR_TAG: Readonly<Record<number, PatternName>> = { [PAIR_TAG]: 'IKpsk2', [RECONNECT_TAG]: 'IK' };

/** How long either side waits for the other's next handshake message before giving up. */
export const HANDSHAKE_TIMEOUT_MS = 15_000;

/**
 * The Noise prologue: binds the protocol version and the host id the device meant to reach, so a relay
 * that routes a device to another host id (or a peer of another version) makes the handshake fail.
 */
export function prologueFor(hostId: string): Uint8Array {
  return utf8Encode(`walkie/${PROTOCOL_VERSION}/${hostId}`);
}

export const DeviceHelloSchema = z.strictObject({ v: z.literal(1), name: z.string().max(LIMITS.name * 4).optional() });
export type DeviceHello = z.infer<typeof DeviceHelloSchema>;

export const HostWelcomeSchema = z.strictObject({ v: z.literal(1), hostName: z.string().max(LIMITS.name * 8) });
export type HostWelcome = z.infer<typeof HostWelcomeSchema>;

export function encodePayload(value: DeviceHello | HostWelcome): Uint8Array {
  return utf8Encode(JSON.stringify(value));
}

/** Parses a handshake payload; undefined for anything that is not the expected JSON. Never throws. */
export function decodePayload<T>(schema: z.ZodType<T>, bytes: Uint8Array): T | undefined {
  try {
    const r = schema.safeParse(JSON.parse(utf8Decode(bytes)));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** The URL a device opens at the relay. */
export function deviceUrl(relayUrl: string, hostId: string): string {
  return `${relayUrl.replace(/\/+$/, '')}/v1/device/${encodeURIComponent(hostId)}`;
}
