import assert from 'node:assert/strict';
import { backoffDelay } from '../../../../src/core/base/backoff';

describe('backoffDelay', () => {
  it('backs off exponentially with full jitter, capped', () => {
    const o = { baseMs: 500, capMs: 30_000 };
    for (const attempt of [0, 1, 3, 6, 10, 100]) {
      const ceiling = Math.min(o.capMs, o.baseMs * 2 ** attempt);
      const samples = Array.from({ length: 300 }, () => backoffDelay(attempt, o));
      assert.ok(samples.every((d) => Number.isInteger(d) && d >= 0 && d <= ceiling), `attempt ${attempt}`);
      assert.ok(Math.max(...samples) > ceiling / 2 && Math.min(...samples) < ceiling / 2, `attempt ${attempt}: not spread over [0, ${ceiling}]`);
    }
  });

  it('takes its randomness from the given source, and treats a negative attempt as the first', () => {
    assert.equal(backoffDelay(2, { baseMs: 100, capMs: 1000 }, () => 0.5), 200);
    assert.equal(backoffDelay(-3, { baseMs: 100, capMs: 1000 }, () => 0.999), 99);
  });
});
