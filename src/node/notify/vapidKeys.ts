// The host's VAPID key pair (RFC 8292): generated once, kept through a small store the host persists (a
// 0600 file, SecretStorage). The public key is the phone's `applicationServerKey`; a new key pair would
// invalidate every subscription, so it is made only when the store is empty.
import './eceKeylogGuard';
import webpush from 'web-push';
import * as z from 'zod';
import { NotifyError } from './notifyError';

export interface VapidKeyStore {
  load(): Promise<string | undefined>;
  save(json: string): Promise<void>;
}

const B64U = /^[A-Za-z0-9_-]+$/;
export const VapidKeysSchema = z.strictObject({
  v: z.literal(1),
  /** P-256 public key, uncompressed point, base64url (65 bytes). */
  publicKey: z.string().length(87).regex(B64U),
  /** P-256 private scalar, base64url (32 bytes). */
  privateKey: z.string().length(43).regex(B64U),
});
export type VapidKeys = z.infer<typeof VapidKeysSchema>;

export function generateVapidKeys(): VapidKeys {
  const keys = webpush.generateVAPIDKeys();
  return { v: 1, publicKey: keys.publicKey, privateKey: keys.privateKey };
}

/** Loads the key pair, or makes and saves one when the store is empty. A store that holds junk is an error (never silently replaced). */
export async function loadOrCreateVapidKeys(store: VapidKeyStore): Promise<VapidKeys> {
  const raw = await store.load();
  if (raw === undefined) {
    const keys = generateVapidKeys();
    await store.save(JSON.stringify(keys));
    return keys;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new NotifyError('NOTIFY_ERR_BAD_KEYS', 'the stored VAPID keys are not JSON');
  }
  const parsed = VapidKeysSchema.safeParse(json);
  if (!parsed.success) throw new NotifyError('NOTIFY_ERR_BAD_KEYS', 'the stored VAPID keys do not parse');
  return parsed.data;
}
