import assert from 'node:assert/strict';
import { chooseRoute } from '../../../../src/node/reach/routeChooser';

describe('chooseRoute', () => {
  it('prefers a forwarded port (with its path), then a relay, a tunnel, the LAN, and only then loopback', () => {
    const all = { port: 8787, forwarded: 'https://x-8787.app.github.dev/proxy/8787/', relay: 'https://relay.example', tunnel: { name: 'Tailscale', url: 'https://laptop.tail1234.ts.net', publicInternet: false }, lan: '192.168.1.23' };
    assert.equal(chooseRoute(all).url, 'https://x-8787.app.github.dev/proxy/8787/');
    assert.deepEqual(chooseRoute(all).alternatives, ['relay', 'tunnel', 'lan', 'loopback']);
    assert.equal(chooseRoute({ ...all, forwarded: undefined }).kind, 'relay');
    assert.equal(chooseRoute({ ...all, forwarded: undefined, relay: undefined }).label, 'Reachable from your Tailscale devices: https://laptop.tail1234.ts.net');
    const lan = chooseRoute({ port: 8787, lan: '192.168.1.23' });
    assert.deepEqual([lan.kind, lan.url, lan.label], ['lan', 'http://192.168.1.23:8787', 'Phone must be on the same Wi-Fi as 192.168.1.23.']);
    assert.match(lan.warning ?? '', /cannot install the app, get notifications or seal its key/);
  });

  it('never offers loopback without saying a phone cannot open it', () => {
    const r = chooseRoute({ port: 8787 });
    assert.deepEqual([r.kind, r.url, r.label], ['loopback', 'http://127.0.0.1:8787', 'Only this computer can open this link.']);
    assert.match(r.warning ?? '', /A phone cannot open this link/);
  });

  it('honours a chosen route, and says so when it is not available', () => {
    assert.equal(chooseRoute({ port: 1, lan: '10.0.0.2', relay: 'https://r.example', prefer: 'lan' }).kind, 'lan');
    const r = chooseRoute({ port: 1, lan: '10.0.0.2', prefer: 'tunnel' });
    assert.equal(r.kind, 'lan');
    assert.match(r.warning ?? '', /^a tunnel is not available here, so Walkie uses the local network\./);
  });

  it('says a public tunnel reaches the phone from anywhere', () => {
    assert.equal(chooseRoute({ port: 1, tunnel: { name: 'Cloudflare Tunnel', url: 'https://a.trycloudflare.com', publicInternet: true } }).label, 'Reachable from anywhere through Cloudflare Tunnel: https://a.trycloudflare.com');
  });
});
