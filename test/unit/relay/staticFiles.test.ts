import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { RelayServer } from '../../../src/relay/relayServer';
import { startRelay } from './relayTestKit';

/** A raw GET (no URL normalisation by a client library), so traversal attempts reach the server as typed. */
function get(port: number, rawPath: string, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('RelayServer static files and health', function () {
  this.timeout(10000);
  let dir: string;
  let relay: RelayServer;
  let port: number;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-relay-test-'));
    const web = path.join(dir, 'webview');
    fs.mkdirSync(path.join(web, 'icons'), { recursive: true });
    fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>Walkie</title>');
    fs.writeFileSync(path.join(web, 'app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(web, 'app.css'), 'body{}');
    fs.writeFileSync(path.join(web, 'manifest.webmanifest'), '{}');
    fs.writeFileSync(path.join(web, 'icons', 'icon.svg'), '<svg/>');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'TOP-SECRET');
    fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(web, 'link.txt'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    ({ relay, port } = await startRelay({ webRoot: path.join(dir, 'webview') }));
  });
  afterEach(() => relay.close());

  it('answers /healthz with {"ok":true}', async () => {
    const r = await get(port, '/healthz');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { ok: true });
    assert.match(String(r.headers['content-type']), /^application\/json/);
  });

  it('serves the web UI with the right content types and a strict CSP', async () => {
    const expected: [string, RegExp][] = [
      ['/', /^text\/html/],
      ['/index.html', /^text\/html/],
      ['/app.js', /^text\/javascript/],
      ['/app.css', /^text\/css/],
      ['/manifest.webmanifest', /^application\/manifest\+json/],
      ['/icons/icon.svg', /^image\/svg\+xml/],
    ];
    for (const [p, type] of expected) {
      const r = await get(port, p);
      assert.equal(r.status, 200, p);
      assert.match(String(r.headers['content-type']), type, p);
      const csp = String(r.headers['content-security-policy']);
      for (const d of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "connect-src 'self';"]) {
        assert.ok(csp.includes(d), `${p}: CSP lacks ${d}`);
      }
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['referrer-policy'], 'no-referrer');
    }
    assert.equal((await get(port, '/index.html')).body, '<!doctype html><title>Walkie</title>');
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await get(port, '/app.js', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    const post = await get(port, '/app.js', 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers['allow'], 'GET, HEAD');
  });

  it('refuses path traversal, directory listings and symlinks out of the web root', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/icons/../../secret.txt', '/%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/icons/', '/icons', '/link.txt', '/missing.js', '/%00', '/%E0%A4%A', '/v1/host']) {
      const r = await get(port, p);
      assert.equal(r.status, 404, p);
      assert.ok(!r.body.includes('TOP-SECRET'), `${p} leaked a file`);
      assert.ok(String(r.headers['content-security-policy']).includes("default-src 'self'"), `${p}: no CSP on the error`);
    }
  });

  it('serves only /healthz when it has no web root', async () => {
    await relay.close();
    ({ relay, port } = await startRelay());
    assert.equal((await get(port, '/')).status, 404);
    assert.equal((await get(port, '/healthz')).status, 200);
  });
});
