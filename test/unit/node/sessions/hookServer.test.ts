import assert from 'node:assert/strict';
import http from 'node:http';
import { HookServer } from '../../../../src/node/sessions/hookServer';

interface Reply {
  status: number;
  body: string;
}

function post(url: string, body: string | Buffer, o: { method?: string; type?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: o.method ?? 'POST', headers: { 'content-type': o.type ?? 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('HookServer', () => {
  let server: HookServer;

  beforeEach(async () => {
    server = await HookServer.listen({ maxBodyBytes: 1024 });
  });
  afterEach(async () => {
    await server.close();
  });

  it('listens on 127.0.0.1 and gives each route an unguessable URL', () => {
    const a = server.addRoute(() => ({}));
    const b = server.addRoute(() => ({}));
    assert.match(a.url, /^http:\/\/127\.0\.0\.1:\d+\/hook\/[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a.url, b.url);
  });

  it('passes the parsed body to the route handler and answers its JSON', async () => {
    let seen: unknown;
    const route = server.addRoute((body) => {
      seen = body;
      return { ok: 1 };
    });
    const r = await post(route.url, JSON.stringify({ hook_event_name: 'Stop' }));
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { ok: 1 });
    assert.deepEqual(seen, { hook_event_name: 'Stop' });
  });

  it('answers 404 for a wrong secret, a bare prefix, another path and a disposed route', async () => {
    let calls = 0;
    const route = server.addRoute(() => {
      calls++;
      return {};
    });
    const base = route.url.slice(0, route.url.lastIndexOf('/') + 1);
    const secret = route.url.slice(route.url.lastIndexOf('/') + 1);
    const wrong = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    for (const url of [base + wrong, base, base.replace('/hook/', '/other/') + secret, route.url + 'x']) assert.equal((await post(url, '{}')).status, 404, url);
    route.dispose();
    assert.equal((await post(route.url, '{}')).status, 404);
    assert.equal(calls, 0);
  });

  it('accepts only POST with a JSON content type', async () => {
    const route = server.addRoute(() => ({}));
    assert.equal((await post(route.url, '', { method: 'GET' })).status, 405);
    assert.equal((await post(route.url, '{}', { type: 'text/plain' })).status, 415);
    assert.equal((await post(route.url, '{}', { type: 'application/json; charset=utf-8' })).status, 200);
  });

  it('refuses a body over the cap with 413 and a body that is not JSON with 400', async () => {
    let calls = 0;
    const route = server.addRoute(() => {
      calls++;
      return {};
    });
    assert.equal((await post(route.url, JSON.stringify({ x: 'y'.repeat(2000) }))).status, 413);
    assert.equal((await post(route.url, '{"half":')).status, 400);
    assert.equal(calls, 0);
  });

  it('answers 500 when the handler throws and 400 when it has no answer (a gate entry then blocks)', async () => {
    const throws = server.addRoute(() => {
      throw new Error('boom');
    });
    const none = server.addRoute(() => undefined);
    assert.equal((await post(throws.url, '{}')).status, 500);
    assert.equal((await post(none.url, '{}')).status, 400);
  });

  it('holds the answer until the handler settles', async () => {
    let release!: (v: unknown) => void;
    const route = server.addRoute(() => new Promise((r) => (release = r)));
    const reply = post(route.url, '{}');
    await new Promise((r) => setTimeout(r, 50));
    release({ late: true });
    assert.deepEqual(JSON.parse((await reply).body), { late: true });
  });

  it('aborts the handler signal when the client hangs up while it waits', async () => {
    let signal: AbortSignal | undefined;
    const route = server.addRoute((_body, s) => {
      signal = s;
      return new Promise(() => undefined);
    });
    const req = http.request(route.url, { method: 'POST', headers: { 'content-type': 'application/json' } });
    req.on('error', () => undefined);
    req.end('{}');
    await waitUntil(() => signal !== undefined);
    assert.equal(signal!.aborted, false);
    req.destroy();
    await waitUntil(() => signal!.aborted);
  });

  it('drops held requests when it closes, so a waiting agent sees its hook fail', async () => {
    const route = server.addRoute(() => new Promise(() => undefined));
    const reply = post(route.url, '{}').then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 50));
    await server.close();
    assert.equal(await reply, 'failed');
  });
});

async function waitUntil(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
