// What a paired device keeps between runs: the host it paired with and its own static secret key. The
// Node CLI stores it as a 0600 file, the phone in its browser storage; both validate it with zod when read
// back, since the storage could have been edited or corrupted.
import * as z from 'zod';
import { base64urlToBytes } from '../base/bytes';
import { keyPairFromSecret, type KeyPair } from '../noise/dh';
import { HOST_ID_PATTERN } from '../wire/relayAuth';

const B64Key = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const DeviceCredentialsSchema = z.strictObject({
  hostId: z.string().regex(HOST_ID_PATTERN),
  /** base64url of the host's static X25519 key. */
  hostPublicKey: B64Key,
  relayUrl: z.string().max(512).regex(/^wss?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/),
  /** base64url of the device's X25519 secret key. */
  deviceSecretKey: B64Key,
  hostName: z.string().max(512).optional(),
});
export type DeviceCredentials = z.infer<typeof DeviceCredentialsSchema>;

/** Parses stored credentials; undefined for anything malformed (never throws, never echoes the secret). */
export function parseDeviceCredentials(text: string): DeviceCredentials | undefined {
  try {
    const r = DeviceCredentialsSchema.safeParse(JSON.parse(text));
    if (!r.success) return undefined;
    base64urlToBytes(r.data.hostPublicKey);
    base64urlToBytes(r.data.deviceSecretKey);
    return r.data;
  } catch {
    return undefined;
  }
}

/** The device's key pair and the host's key, decoded. */
export function credentialKeys(c: DeviceCredentials): { identity: KeyPair; hostPublicKey: Uint8Array } {
  const secret = base64urlToBytes(c.deviceSecretKey);
  try {
    return { identity: keyPairFromSecret(secret), hostPublicKey: base64urlToBytes(c.hostPublicKey) };
  } finally {
    secret.fill(0);
  }
}
