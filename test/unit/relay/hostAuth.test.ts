import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToBase64url } from '../../../src/core/base/bytes';
import { CloseCode } from '../../../src/core/wire/closeCodes';
import {
  hostIdFromPublicKey,
  hostIdFromSecret,
  HOST_ID_PATTERN,
  relayAuthMessage,
  signRelayChallenge,
  verifyRelayAuth,
} from '../../../src/core/wire/relayAuth';
import type { RelayServer } from '../../../src/relay/relayServer';
import { challengedHost, connectDevice, connectHost, eventually, newSecret, publicKeyOf, startRelay } from './relayTestKit';

describe('relayAuth', () => {
  it('names a host by the base64url SHA-256 of its public key', () => {
    const secret = newSecret();
    const pub = publicKeyOf(secret);
    const id = hostIdFromPublicKey(pub);
    assert.equal(id, bytesToBase64url(sha256(pub)));
    assert.equal(id.length, 43);
    assert.match(id, HOST_ID_PATTERN);
    assert.equal(hostIdFromSecret(secret), id);
  });

  it('signs the context string followed by the nonce', () => {
    const secret = newSecret();
    const nonce = bytesToBase64url(newSecret());
    const { publicKey, signature } = signRelayChallenge(secret, nonce);
    const expected = new TextEncoder().encode(`walkie-relay-auth/1\n${nonce}`);
    assert.deepEqual(relayAuthMessage(nonce), expected);
    assert.ok(ed25519.verify(Buffer.from(signature, 'base64url'), expected, Buffer.from(publicKey, 'base64url')));
    assert.equal(verifyRelayAuth(nonce, publicKey, signature), hostIdFromSecret(secret));
  });

  it('rejects a signature over another nonce, a foreign key and malformed input without throwing', () => {
    const secret = newSecret();
    const nonce = bytesToBase64url(newSecret());
    const answer = signRelayChallenge(secret, nonce);
    assert.equal(verifyRelayAuth(bytesToBase64url(newSecret()), answer.publicKey, answer.signature), undefined);
    assert.equal(verifyRelayAuth(nonce, bytesToBase64url(publicKeyOf(newSecret())), answer.signature), undefined);
    for (const junk of ['', '!!!', 'A', answer.signature.slice(1), `${answer.signature}AA`, 'x'.repeat(500)]) {
      assert.equal(verifyRelayAuth(nonce, answer.publicKey, junk), undefined);
      assert.equal(verifyRelayAuth(nonce, junk, answer.signature), undefined);
    }
  });
});

describe('RelayServer host authentication', function () {
  this.timeout(10000);
  let relay: RelayServer;
  let base: string;

  beforeEach(async () => {
    ({ relay, base } = await startRelay());
  });
  afterEach(async () => {
    await relay.close();
  });

  it('sends a fresh 32-byte challenge and accepts a valid answer', async () => {
    const a = await challengedHost(base);
    const b = await challengedHost(base);
    assert.equal(Buffer.from(a.nonce, 'base64url').length, 32);
    assert.notEqual(a.nonce, b.nonce);
    const secret = newSecret();
    a.inbox.ws.send(JSON.stringify({ type: 'auth', ...signRelayChallenge(secret, a.nonce) }));
    assert.deepEqual(await a.inbox.nextJson(), { type: 'ready', hostId: hostIdFromSecret(secret) });
    assert.deepEqual(relay.stats(), { hosts: 1, devices: 0 });
    a.inbox.ws.close();
    b.inbox.ws.close();
  });

  it('closes a host whose signature is wrong with hostAuthFailed', async () => {
    const { inbox, nonce } = await challengedHost(base);
    const answer = signRelayChallenge(newSecret(), nonce);
    const sig = Buffer.from(answer.signature, 'base64url');
    sig[0]! ^= 1;
    inbox.ws.send(JSON.stringify({ ...answer, type: 'auth', signature: sig.toString('base64url') }));
    assert.equal((await inbox.closed).code, CloseCode.hostAuthFailed);
    assert.equal(relay.stats().hosts, 0);
  });

  it('closes a host that claims a key it does not hold with hostAuthFailed', async () => {
    const victim = newSecret();
    const { inbox, nonce } = await challengedHost(base);
    const mine = signRelayChallenge(newSecret(), nonce);
    inbox.ws.send(JSON.stringify({ type: 'auth', publicKey: bytesToBase64url(publicKeyOf(victim)), signature: mine.signature }));
    assert.equal((await inbox.closed).code, CloseCode.hostAuthFailed);
    assert.equal(relay.stats().hosts, 0);
  });

  it('closes a host that answers with a signature over a replayed nonce', async () => {
    const secret = newSecret();
    const first = await challengedHost(base);
    const recorded = signRelayChallenge(secret, first.nonce);
    first.inbox.ws.close();
    const second = await challengedHost(base);
    second.inbox.ws.send(JSON.stringify({ type: 'auth', ...recorded }));
    assert.equal((await second.inbox.closed).code, CloseCode.hostAuthFailed);
  });

  it('closes a host that stays silent past the auth timeout with hostAuthFailed', async () => {
    await relay.close();
    ({ relay, base } = await startRelay({ limits: { authTimeoutMs: 300 } }));
    const { inbox } = await challengedHost(base);
    const t0 = Date.now();
    assert.equal((await inbox.closed).code, CloseCode.hostAuthFailed);
    assert.ok(Date.now() - t0 >= 250, 'closed before the timeout');
  });

  it('closes a host that sends binary or junk instead of auth with hostAuthFailed', async () => {
    for (const send of [Buffer.from([1, 2, 3]), '{"type":"auth"}', 'not json', '{"type":"close","conn":1,"code":1000,"reason":""}']) {
      const { inbox } = await challengedHost(base);
      inbox.ws.send(send);
      assert.equal((await inbox.closed).code, CloseCode.hostAuthFailed, String(send));
    }
  });

  it('replaces an older connection for the same host id and closes it with hostReplaced', async () => {
    const secret = newSecret();
    const older = await connectHost(base, secret);
    const device = await connectDevice(base, older);
    const newer = await connectHost(base, secret);
    assert.equal(newer.hostId, older.hostId);
    assert.equal((await older.inbox.closed).code, CloseCode.hostReplaced);
    assert.equal((await device.inbox.closed).code, CloseCode.hostOffline);
    assert.deepEqual(relay.stats(), { hosts: 1, devices: 0 });
    const again = await connectDevice(base, newer);
    again.inbox.ws.send(Buffer.from('hello'));
    assert.equal((await newer.inbox.nextBinary()).subarray(4).toString(), 'hello');
    // The replaced connection's late close must not unregister the newer one.
    await eventually(() => relay.stats().devices === 1);
    assert.equal(relay.stats().hosts, 1);
    newer.inbox.ws.close();
    again.inbox.ws.close();
  });

  it('refuses hosts beyond maxHosts with tryAgainLater', async () => {
    await relay.close();
    ({ relay, base } = await startRelay({ limits: { maxHosts: 1 } }));
    const first = await connectHost(base);
    await assert.rejects(connectHost(base), /closed \(1013\)/);
    const { inbox, nonce } = await challengedHost(base);
    inbox.ws.send(JSON.stringify({ type: 'auth', ...signRelayChallenge(newSecret(), nonce) }));
    assert.equal((await inbox.closed).code, CloseCode.tryAgainLater);
    // The same id may still reconnect (it replaces itself).
    const again = await connectHost(base, first.secret);
    assert.equal(again.hostId, first.hostId);
    again.inbox.ws.close();
  });
});
