import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/base/clock';
import { RateLimiter } from '../../../src/relay/rateLimiter';

describe('RateLimiter', () => {
  const limit = { msgsPerSec: 10, msgsBurst: 5, bytesPerSec: 1000, bytesBurst: 2000 };

  it('allows a burst, then refuses until the bucket refills', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(limit, () => clock.now());
    for (let i = 0; i < 5; i++) assert.equal(limiter.take(1), true, `message ${i}`);
    assert.equal(limiter.take(1), false);
    clock.advance(99);
    assert.equal(limiter.take(1), false, 'refilled early');
    clock.advance(1);
    assert.equal(limiter.take(1), true);
    assert.equal(limiter.take(1), false);
  });

  it('counts bytes separately and spends nothing on a refusal', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(limit, () => clock.now());
    assert.equal(limiter.take(1500), true);
    assert.equal(limiter.take(600), false, 'over the byte burst');
    assert.equal(limiter.take(500), true, 'the refused message spent bytes');
    clock.advance(500);
    assert.equal(limiter.take(500), true);
  });

  it('never refills beyond the burst, however long the peer was idle', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(limit, () => clock.now());
    clock.advance(3_600_000);
    let allowed = 0;
    while (limiter.take(1)) allowed++;
    assert.equal(allowed, limit.msgsBurst);
  });

  it('tolerates a clock that steps backwards', () => {
    let t = 10_000;
    const limiter = new RateLimiter(limit, () => t);
    for (let i = 0; i < 5; i++) limiter.take(1);
    t = 0;
    assert.equal(limiter.take(1), false, 'a backwards step refilled the bucket');
    t = 100;
    assert.equal(limiter.take(1), true, 'a backwards step drained the bucket below empty');
  });
});
