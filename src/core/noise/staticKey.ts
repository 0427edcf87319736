// A static key whose secret this code never sees: on the phone, a non-extractable WebCrypto X25519 key
// kept in IndexedDB (webview-ui/transport/deviceKeys.ts), so a script running in the page cannot read it
// and send it elsewhere. WebCrypto's DH is asynchronous and the handshake is not, so the DH results a
// handshake step needs are computed just before that step (`prepare`) and handed over through
// HandshakeOptions.sealed, each usable once.
import { bytesToHex } from '@noble/hashes/utils.js';
import { isBytes } from '../base/bytes';
import { DHLEN, type KeyPair } from './dh';
import { NoiseError } from './noiseError';

export interface StaticKey {
  readonly publicKey: Uint8Array;
  /** X25519(secret, publicKey); rejects on a bad key. */
  dh(publicKey: Uint8Array): Promise<Uint8Array>;
}

/** A device identity: a key pair in memory (Node, and browsers without WebCrypto X25519) or a sealed key. */
export type DeviceIdentity = KeyPair | StaticKey;

export function isKeyPair(id: DeviceIdentity): id is KeyPair {
  return 'secretKey' in id;
}

/** DH results for one handshake, computed ahead of the step that uses them. */
export class PreparedStaticKey {
  private readonly results = new Map<string, Uint8Array>();
  /** For HandshakeOptions.sealed: each prepared result is handed out once, then forgotten. */
  readonly sealed: { publicKey: Uint8Array; dh(peer: Uint8Array): Uint8Array };

  constructor(private readonly key: StaticKey) {
    this.sealed = {
      publicKey: key.publicKey,
      dh: (peer) => {
        const id = bytesToHex(peer);
        const shared = this.results.get(id);
        if (!shared) throw new NoiseError('NOISE_ERR_KEY', 'DH with the static key was not prepared');
        this.results.delete(id);
        return shared;
      },
    };
  }

  get publicKey(): Uint8Array {
    return this.key.publicKey;
  }

  /** Computes DH with `peer` so that the next handshake step can use it. */
  async prepare(peer: Uint8Array): Promise<void> {
    if (!isBytes(peer) || peer.length !== DHLEN) throw new NoiseError('NOISE_ERR_KEY', `public key must be ${DHLEN} bytes`);
    const shared = await this.key.dh(peer);
    this.results.set(bytesToHex(peer), shared);
  }

  /** Zeroes and drops whatever was prepared and not used. */
  clear(): void {
    for (const v of this.results.values()) v.fill(0);
    this.results.clear();
  }
}
