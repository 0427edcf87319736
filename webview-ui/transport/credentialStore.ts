// This device's pairings, kept in localStorage under one key per host id, plus which host was used last.
//
// Security: where the browser can, the device's X25519 secret key is sealed — a non-extractable WebCrypto
// key in IndexedDB (deviceKeys.ts) — and the entry here only says `sealedKey: true`. Where it cannot (a
// plain-http LAN origin has no crypto.subtle; browsers without WebCrypto X25519) the secret is stored as
// base64url here, readable by any script on this origin: the page runs no third-party script, agent text
// is sanitized (markdown.ts), and "Forget this host" deletes the key. An entry with a readable secret is
// sealed (and the secret deleted from here) the first time the page runs where sealing works.
//
// What is read back is checked field by field (storage is shared with anything else on the origin), with
// the rules of DeviceCredentialsSchema (src/core/pairing/deviceCredentials.ts). It is a hand-written check rather
// than that zod schema so the first screen does not have to load zod (see deferredTransport.ts).
import { base64urlToBytes } from '../../src/core/base/bytes';
import type { DeviceCredentials } from '../../src/core/pairing/deviceCredentials';

/** A paired host as this device stores it: core's DeviceCredentials plus the device's own name and when it paired. */
export interface StoredHost extends Omit<DeviceCredentials, 'deviceSecretKey'> {
  /** The readable secret, only where the key could not be sealed. */
  deviceSecretKey?: string;
  /** The secret is a non-extractable key in IndexedDB under this host id (deviceKeys.ts). */
  sealedKey?: true;
  deviceName: string;
  pairedAt: number;
}

/** 32 bytes in unpadded base64url; host ids have the same shape (HOST_ID_PATTERN in src/core/wire/relayAuth.ts). */
const B64_KEY = /^[A-Za-z0-9_-]{43}$/;
const RELAY_URL = /^wss?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;

function canonicalKey(x: unknown): boolean {
  if (typeof x !== 'string' || !B64_KEY.test(x)) return false;
  try {
    return base64urlToBytes(x).length === 32;
  } catch {
    return false;
  }
}

/** The stored value as a StoredHost, or undefined when any field is missing, malformed or extra. */
export function parseStoredHost(value: unknown): StoredHost | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const allowed = new Set(['hostId', 'hostPublicKey', 'relayUrl', 'deviceSecretKey', 'sealedKey', 'hostName', 'deviceName', 'pairedAt']);
  if (Object.keys(v).some((k) => !allowed.has(k))) return undefined;
  const str = (x: unknown, re: RegExp) => typeof x === 'string' && re.test(x);
  const ok =
    str(v.hostId, B64_KEY) &&
    canonicalKey(v.hostPublicKey) &&
    str(v.relayUrl, RELAY_URL) &&
    (v.relayUrl as string).length <= 512 &&
    // Exactly one of the two: a sealed key, or a readable secret.
    (v.sealedKey === true ? v.deviceSecretKey === undefined : v.sealedKey === undefined && canonicalKey(v.deviceSecretKey)) &&
    (v.hostName === undefined || (typeof v.hostName === 'string' && v.hostName.length <= 512)) &&
    typeof v.deviceName === 'string' &&
    v.deviceName.length <= 64 &&
    Number.isSafeInteger(v.pairedAt) &&
    (v.pairedAt as number) >= 0;
  return ok ? (v as unknown as StoredHost) : undefined;
}

const PREFIX = 'walkie.host.';
const LAST = 'walkie.lastHost';

export class CredentialStore {
  constructor(private readonly storage: Storage) {}

  save(host: StoredHost): void {
    this.storage.setItem(PREFIX + host.hostId, JSON.stringify(host));
    this.storage.setItem(LAST, host.hostId);
  }

  /** The host used last, or any stored one; entries that fail to parse are ignored. */
  /** Rewrites a stored entry without changing which host was used last. */
  replace(host: StoredHost): void {
    this.storage.setItem(PREFIX + host.hostId, JSON.stringify(host));
  }

  current(): StoredHost | undefined {
    const last = this.storage.getItem(LAST);
    return (last ? this.get(last) : undefined) ?? this.all()[0];
  }

  get(hostId: string): StoredHost | undefined {
    const raw = this.storage.getItem(PREFIX + hostId);
    if (!raw) return undefined;
    try {
      return parseStoredHost(JSON.parse(raw));
    } catch {
      return undefined;
    }
  }

  all(): StoredHost[] {
    const out: StoredHost[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const key = this.storage.key(i);
      const host = key?.startsWith(PREFIX) ? this.get(key.slice(PREFIX.length)) : undefined;
      if (host) out.push(host);
    }
    return out;
  }

  setHostName(hostId: string, hostName: string): void {
    const host = this.get(hostId);
    if (host && host.hostName !== hostName) this.save({ ...host, hostName: hostName.slice(0, 512) });
  }

  forget(hostId: string): void {
    this.storage.removeItem(PREFIX + hostId);
    if (this.storage.getItem(LAST) === hostId) this.storage.removeItem(LAST);
  }
}
