// Per-source limits (issue 9, item 4): one machine holding hundreds of silent `/v1/host` connections used to
// make the relay answer every real host 503. Sources are loopback addresses (127.0.0.0/8 is all local).
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import type { RelayServer } from '../../../src/relay/relayServer';
import { connectHost, eventually, startRelay } from './relayTestKit';

/** Opens a raw `/v1/host` upgrade from `localAddress` and says how the relay answered (101 = upgraded). */
function upgrade(url: string, localAddress: string, headers: Record<string, string> = {}): Promise<{ status: number; ws: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { localAddress, headers });
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0, ws }));
    ws.on('open', () => resolve({ status: 101, ws }));
    ws.on('error', () => resolve({ status: 0, ws }));
  });
}

describe('RelayServer per-source limits', function () {
  this.timeout(30_000);
  let relay: RelayServer;
  let base: string;
  const sockets: WebSocket[] = [];

  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await relay?.close();
  });

  it('keeps serving real hosts while one source holds 260 silent host connections', async () => {
    ({ relay, base } = await startRelay({ limits: { authTimeoutMs: 20_000, upgradesPerSec: 1000, upgradesBurst: 1000 } }));
    const flood = await Promise.all(Array.from({ length: 260 }, () => upgrade(`${base}/v1/host`, '127.0.0.2')));
    sockets.push(...flood.map((f) => f.ws));
    const counts = flood.reduce<Record<number, number>>((acc, f) => ({ ...acc, [f.status]: (acc[f.status] ?? 0) + 1 }), {});
    assert.deepEqual(counts, { 101: 8, 429: 252 });
    // Real hosts elsewhere still get in, and authenticate.
    for (let i = 0; i < 3; i++) {
      const host = await connectHost(base, undefined, { localAddress: `127.0.0.${10 + i}` });
      sockets.push(host.inbox.ws);
      assert.match(host.hostId, /^[A-Za-z0-9_-]{43}$/);
    }
    // When the silent ones go, their source may connect again.
    for (const f of flood) f.ws.terminate();
    await eventually(() => relay.stats().hosts === 3);
    const again = await upgrade(`${base}/v1/host`, '127.0.0.2');
    sockets.push(again.ws);
    assert.equal(again.status, 101);
  });

  it('limits the upgrade rate per source, and behind a trusted proxy per forwarded address', async () => {
    ({ relay, base } = await startRelay({ trustProxy: true, limits: { upgradesPerSec: 1, upgradesBurst: 3 } }));
    const from = (addr: string) => upgrade(`${base}/v1/device/${'a'.repeat(43)}`, '127.0.0.1', { 'x-forwarded-for': `203.0.113.9, ${addr}` });
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const r = await from('198.51.100.7');
      sockets.push(r.ws);
      statuses.push(r.status);
    }
    assert.deepEqual(statuses.slice(3), [429, 429]);
    assert.ok(statuses.slice(0, 3).every((s) => s !== 429));
    // Another client behind the same proxy is not held back.
    const other = await from('198.51.100.8');
    sockets.push(other.ws);
    assert.notEqual(other.status, 429);
  });
});
