// The phone's device key, sealed where the browser allows it: a non-extractable WebCrypto X25519 key
// kept in IndexedDB. Page script can ask the browser to do DH with it (that is all the handshake needs)
// but can never read its bytes, so a script that should not be here (SECURITY.md: a relay serving a
// modified app.js before the app was pinned) cannot send the key elsewhere and pose as this phone later.
//
// Where it works: secure origins (https, localhost) of browsers with X25519 in WebCrypto — Chrome and
// Edge 133+, Firefox 130+, Safari 17+ (the test runs Debian's Chromium). Elsewhere (a plain-http LAN
// origin has no crypto.subtle at all; older browsers) the key stays a noble key in localStorage as
// before (credentialStore.ts), and the app says so in its menu. Detection is by trying, not by
// user-agent.
import { nobleX25519 } from '../../src/core/noise/dh';
import type { StaticKey } from '../../src/core/noise/staticKey';

const DB_NAME = 'walkie';
const DB_VERSION = 1;
const STORE = 'deviceKeys';
const X25519 = { name: 'X25519' } as const;
/** PKCS #8 wrapping of a raw X25519 private key (RFC 8410 §7): a fixed 16-byte prefix, then the 32 bytes. */
const PKCS8_X25519_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);

interface StoredKey {
  privateKey: CryptoKey;
  publicKey: Uint8Array;
}

let support: Promise<boolean> | undefined;

/** Whether this browser, on this origin, can keep the device key sealed (tried once per page). */
export function sealedKeysSupported(): Promise<boolean> {
  support ??= (async () => {
    if (typeof indexedDB === 'undefined' || !globalThis.crypto?.subtle || !globalThis.isSecureContext) return false;
    try {
      const pair = (await crypto.subtle.generateKey(X25519, false, ['deriveBits'])) as CryptoKeyPair;
      return pair.privateKey.extractable === false;
    } catch {
      return false;
    }
  })();
  return support;
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('indexedDB open failed'));
  });
}

async function withStore<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error ?? new Error('indexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('indexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

function asStaticKey(stored: StoredKey): StaticKey {
  const publicKey = stored.publicKey.slice();
  return {
    publicKey,
    async dh(peer: Uint8Array): Promise<Uint8Array> {
      const theirs = await crypto.subtle.importKey('raw', peer.slice(), X25519, false, []);
      const bits = await crypto.subtle.deriveBits({ name: 'X25519', public: theirs }, stored.privateKey, 256);
      return new Uint8Array(bits);
    },
  };
}

async function put(hostId: string, privateKey: CryptoKey, publicKey: Uint8Array): Promise<StaticKey> {
  const stored: StoredKey = { privateKey, publicKey };
  await withStore('readwrite', (s) => s.put(stored, hostId));
  return asStaticKey(stored);
}

/** A fresh sealed key for pairing with `hostId`, stored before the handshake uses it. */
export async function createSealedKey(hostId: string): Promise<StaticKey> {
  const pair = (await crypto.subtle.generateKey(X25519, false, ['deriveBits'])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return put(hostId, pair.privateKey, publicKey);
}

/**
 * Seals a key that was kept in localStorage (pairings from before sealed keys): imported as
 * non-extractable, stored in IndexedDB; the caller then deletes the readable copy.
 */
export async function sealExistingKey(hostId: string, secret: Uint8Array): Promise<StaticKey> {
  const pkcs8 = new Uint8Array(PKCS8_X25519_PREFIX.length + 32);
  pkcs8.set(PKCS8_X25519_PREFIX);
  pkcs8.set(secret, PKCS8_X25519_PREFIX.length);
  try {
    const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, X25519, false, ['deriveBits']);
    return await put(hostId, privateKey, nobleX25519.getPublicKey(secret));
  } finally {
    pkcs8.fill(0);
  }
}

/** The sealed key kept for `hostId`, or undefined when there is none (or it is not a sealed key). */
export async function loadSealedKey(hostId: string): Promise<StaticKey | undefined> {
  const stored = (await withStore('readonly', (s) => s.get(hostId) as IDBRequest<StoredKey | undefined>)) ?? undefined;
  if (!stored || !(stored.privateKey instanceof CryptoKey) || !(stored.publicKey instanceof Uint8Array) || stored.publicKey.length !== 32) return undefined;
  return asStaticKey(stored);
}

export async function deleteSealedKey(hostId: string): Promise<void> {
  await withStore('readwrite', (s) => s.delete(hostId));
}
