import assert from 'node:assert/strict';
import crypto from 'node:crypto';
// The library web-push encrypts with (web-push's encryption-helper calls ece.encrypt with a random salt and
// key pair; here both are fixed to the RFC's).
import ece from 'http_ece';
import { decryptAes128gcm } from './pushServiceStub';

// RFC 8291 Appendix A ("Intermediate Values for Encryption"); provenance in test/vectors/README.md.
const V = {
  plaintext: 'When I grow up, I want to be a watermelon',
  asPrivate: 'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw',
  asPublic: 'BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8',
  uaPrivate: 'q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94',
  uaPublic: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
  salt: 'DGv6ra1nlYgDCS1FRnbzlw',
  auth: 'BTBZMqHH6r4Tts7J_aSIgg',
  body: 'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
};
const b = (s: string) => Buffer.from(s, 'base64url');

describe('RFC 8291 Appendix A test vector', () => {
  it('the key pairs of the vector match their public keys', () => {
    const as = crypto.createECDH('prime256v1');
    as.setPrivateKey(b(V.asPrivate));
    assert.equal(as.getPublicKey().toString('base64url'), V.asPublic);
    const ua = crypto.createECDH('prime256v1');
    ua.setPrivateKey(b(V.uaPrivate));
    assert.equal(ua.getPublicKey().toString('base64url'), V.uaPublic);
  });

  it('http_ece (what web-push encrypts with) produces the RFC body byte for byte from the RFC inputs', () => {
    const as = crypto.createECDH('prime256v1');
    as.setPrivateKey(b(V.asPrivate));
    const body = ece.encrypt(Buffer.from(V.plaintext), { version: 'aes128gcm', dh: V.uaPublic, privateKey: as, salt: V.salt, authSecret: V.auth, rs: 4096 });
    assert.equal(body.toString('base64url'), V.body);
  });

  it("the test push service's decryptor recovers the RFC plaintext", () => {
    assert.equal(decryptAes128gcm(b(V.body), b(V.uaPrivate), b(V.auth)).toString('utf8'), V.plaintext);
  });

  it('a body with one flipped bit, or the wrong auth secret, does not decrypt', () => {
    const flipped = b(V.body);
    flipped[flipped.length - 20]! ^= 1;
    assert.throws(() => decryptAes128gcm(flipped, b(V.uaPrivate), b(V.auth)));
    assert.throws(() => decryptAes128gcm(b(V.body), b(V.uaPrivate), crypto.randomBytes(16)));
  });
});
