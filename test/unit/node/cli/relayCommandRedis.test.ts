import assert from 'node:assert/strict';
import { runRelayCommand } from '../../../../src/node/cli/relayCommand';
import { freePort, RedisTestServer } from '../../relay/redisTestServer';

function capture() {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } }, out: () => out, err: () => err };
}

describe('walkie relay --redis', function () {
  this.timeout(15000);

  it('exits 1 when Redis cannot be reached, without echoing the URL (it may hold a password)', async () => {
    const c = capture();
    const port = await freePort();
    const code = await runRelayCommand(['--port', '0', '--redis', `redis://:hunter2@127.0.0.1:${port}`], c.io, {});
    assert.equal(code, 1);
    assert.match(c.err(), /cannot reach Redis/);
    assert.doesNotMatch(c.out() + c.err(), /hunter2/);
  });

  it('refuses a --redis value that is not a redis:// URL with exit code 2', async () => {
    const c = capture();
    assert.equal(await runRelayCommand(['--redis', 'http://example.com'], c.io, {}), 2);
    assert.match(c.err(), /bad --redis URL/);
  });

  it('takes WALKIE_RELAY_REDIS, says it is a cluster node, and drains on SIGTERM', async () => {
    const redis = await RedisTestServer.start();
    try {
      const c = capture();
      const done = runRelayCommand(['--port', '0', '--web-root', '/nonexistent-walkie', '--drain-ms', '500'], c.io, { WALKIE_RELAY_REDIS: redis.url });
      const end = Date.now() + 5000;
      while (!c.out().includes('listening') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      assert.match(c.out(), /listening on http:\/\/127\.0\.0\.1:\d+\/ \(cluster node, Redis\)/);
      process.emit('SIGTERM', 'SIGTERM');
      assert.equal(await done, 0);
      assert.match(c.out(), /shutting down \(draining\)[\s\S]*stopped/);
    } finally {
      await redis.stop();
    }
  });
});
