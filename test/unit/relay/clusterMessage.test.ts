import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { HOST_ID_PATTERN } from '../../../src/core/wire/relayAuth';
import { ClusterKind, decodeClose, decodeClusterMessage, encodeClose, encodeClusterMessage } from '../../../src/relay/clusterMessage';

const HOST_ID = 'A'.repeat(43);

describe('clusterMessage', () => {
  it('round-trips every kind with its host id, conn id and body', () => {
    for (const kind of Object.values(ClusterKind)) {
      const body = randomBytes(33);
      const msg = decodeClusterMessage(encodeClusterMessage(kind, HOST_ID, 0xfffffffe, body), HOST_ID_PATTERN);
      assert.deepEqual(msg && { ...msg, body: Buffer.from(msg.body) }, { kind, hostId: HOST_ID, conn: 0xfffffffe, body });
    }
  });

  it('refuses an unknown kind, a truncated message and a host id that is not one', () => {
    const good = encodeClusterMessage(ClusterKind.toHost, HOST_ID, 7, Buffer.from('x'));
    assert.equal(decodeClusterMessage(Buffer.concat([Buffer.from([99]), good.subarray(1)]), HOST_ID_PATTERN), undefined);
    assert.equal(decodeClusterMessage(good.subarray(0, 2 + 43 + 3), HOST_ID_PATTERN), undefined);
    assert.equal(decodeClusterMessage(encodeClusterMessage(ClusterKind.toHost, 'short', 7), HOST_ID_PATTERN), undefined);
    assert.equal(decodeClusterMessage(encodeClusterMessage(ClusterKind.toHost, `${'A'.repeat(42)}/`, 7), HOST_ID_PATTERN), undefined);
  });

  it('never throws on random junk', () => {
    for (let i = 0; i < 2000; i++) {
      const junk = randomBytes(i % 80);
      if (i % 3 === 0 && junk.length > 1) junk[1] = 43;
      const msg = decodeClusterMessage(junk, HOST_ID_PATTERN);
      if (msg) assert.match(msg.hostId, HOST_ID_PATTERN);
    }
  });

  it('carries a close code and reason, and refuses a body too short for a code', () => {
    assert.deepEqual(decodeClose(encodeClose(4410, 'revoked')), { code: 4410, reason: 'revoked' });
    assert.equal(decodeClose(Buffer.from([1])), undefined);
  });
});
