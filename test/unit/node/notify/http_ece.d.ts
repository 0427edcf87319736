// http_ece (the RFC 8188 implementation web-push uses) ships no types: the one call the vector test makes.
declare module 'http_ece' {
  import type { ECDH } from 'node:crypto';
  interface EceParams {
    version: 'aes128gcm';
    dh: string | Buffer;
    privateKey: ECDH;
    salt: string | Buffer;
    authSecret: string | Buffer;
    rs?: number;
  }
  const ece: { encrypt(buffer: Buffer, params: EceParams): Buffer };
  export default ece;
}
