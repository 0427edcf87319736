// WebSocket close codes used by the relay, the host and devices. 1000–1011 are RFC 6455 §7.4.1; 4000–4999
// are Walkie's own (private use). A closed peer learns why from the code, never from plaintext.

export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  policyViolation: 1008,
  tooLarge: 1009,
  internalError: 1011,
  tryAgainLater: 1013,
  /** The relay: no host is connected for this host id. */
  hostOffline: 4004,
  /** The relay: a newer authenticated host connection took this host id over. */
  hostReplaced: 4005,
  /** The relay: host authentication failed. */
  hostAuthFailed: 4006,
  /** The relay: too many devices for this host. */
  tooManyDevices: 4007,
  /** The relay: the peer sent too much too fast. */
  rateLimited: 4008,
  /** The channel: the Noise handshake failed (wrong key, psk, expired or reused offer, bad message). */
  handshakeFailed: 4401,
  /** The channel: this device is not (or no longer) paired with the host. */
  unknownDevice: 4403,
  /** The channel: a transport frame failed to decrypt (tampered, replayed, reordered or truncated). */
  badFrame: 4400,
  /** The channel: a decrypted message was not a valid protocol message. */
  badMessage: 4422,
  /** The host revoked this device. */
  revoked: 4410,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
