// Host authentication at the relay (docs/relay.md §Host authentication), shared by the relay and the host.
// The relay sends a fresh 32-byte nonce; the host signs `"walkie-relay-auth/1\n" + nonce` with its Ed25519
// identity key (RFC 8032); the relay verifies and names the host by hostId = base64url(SHA-256(public key)).
// Possession of the key is proven without any secret crossing the wire, the relay stores nothing, and a
// captured answer is useless against any other (fresh, random) nonce. Pure: no Node, no DOM.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes, base64urlToBytes, bytesToBase64url, utf8Encode } from '../base/bytes';

/** Domain separation: this signature can never be mistaken for one made for another purpose. */
export const RELAY_AUTH_CONTEXT = 'walkie-relay-auth/1\n';
export const RELAY_NONCE_LENGTH = 32;
export const ED25519_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;
/** base64url of 32 bytes, unpadded. */
export const HOST_ID_LENGTH = 43;
/** What a host id looks like on the wire and in URLs (checked before any lookup). */
export const HOST_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The exact bytes the host signs for `nonce` (the base64url text the relay sent). */
export function relayAuthMessage(nonce: string): Uint8Array {
  return utf8Encode(RELAY_AUTH_CONTEXT + nonce);
}

/** base64url(SHA-256(Ed25519 public key)): 43 characters, safe in a URL path. */
export function hostIdFromPublicKey(publicKey: Uint8Array): string {
  abytes(publicKey, ED25519_KEY_LENGTH, 'publicKey');
  return bytesToBase64url(sha256(publicKey));
}

/** The host id of a 32-byte Ed25519 identity secret. */
export function hostIdFromSecret(identitySecret: Uint8Array): string {
  return hostIdFromPublicKey(ed25519.getPublicKey(abytes(identitySecret, ED25519_KEY_LENGTH, 'identitySecret')));
}

/** The host's answer to a challenge: its public key and its signature over relayAuthMessage(nonce). */
export function signRelayChallenge(identitySecret: Uint8Array, nonce: string): { publicKey: string; signature: string } {
  abytes(identitySecret, ED25519_KEY_LENGTH, 'identitySecret');
  const publicKey = ed25519.getPublicKey(identitySecret);
  const signature = ed25519.sign(relayAuthMessage(nonce), identitySecret);
  return { publicKey: bytesToBase64url(publicKey), signature: bytesToBase64url(signature) };
}

/**
 * Verifies a host's answer to `nonce`. Returns the proven host id, or undefined for anything that is not
 * a valid signature by a well-formed key (never throws: the inputs come straight off the wire).
 */
export function verifyRelayAuth(nonce: string, publicKey: string, signature: string): string | undefined {
  try {
    const pub = base64urlToBytes(publicKey);
    const sig = base64urlToBytes(signature);
    if (pub.length !== ED25519_KEY_LENGTH || sig.length !== ED25519_SIGNATURE_LENGTH) return undefined;
    // Strict RFC 8032 verification (zip215: false): no non-canonical encodings, so one key has one id.
    if (!ed25519.verify(sig, relayAuthMessage(nonce), pub, { zip215: false })) return undefined;
    return hostIdFromPublicKey(pub);
  } catch {
    return undefined;
  }
}
