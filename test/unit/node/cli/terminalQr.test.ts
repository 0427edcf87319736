// The pairing QR code `walkie host`/`walkie serve`/`walkie pair` print: made from a real host's offer, it
// fits an 80×24 terminal for a LAN or Tailscale address, and what a camera sees decodes to the exact link.
import assert from 'node:assert/strict';
import { systemClock } from '../../../../src/core/base/clock';
import { generateKeyPair } from '../../../../src/core/noise/dh';
import { PairingOffers } from '../../../../src/core/pairing/pairingOffers';
import { encodePairingUrl, parsePairingUrl } from '../../../../src/core/pairing/pairingPayload';
import { hostIdFromSecret } from '../../../../src/core/wire/relayAuth';
import { terminalQr } from '../../../../src/node/cli/hostSetup';
import { generateHostIdentity } from '../../../../src/node/host/relayHostLink';
import { scanTerminalQr } from '../../../browser/phoneStack';

// eslint-disable-next-line no-control-regex -- measuring what the terminal shows, without colour escapes
const visible = (line: string) => [...line.replace(/\x1b\[\d+m/g, '')].length;

function offerAt(origin: string) {
  const relayUrl = origin.replace(/^http/, 'ws');
  const offers = new PairingOffers({ clock: systemClock, hostId: hostIdFromSecret(generateHostIdentity()), hostPublicKey: generateKeyPair().publicKey, relayUrl });
  return offers.create();
}

describe('terminalQr', () => {
  const origins = ['http://192.168.100.200:51234', 'http://10.0.0.7:8787', 'https://walkie-box.tail1a2b3c.ts.net', 'https://my-laptop.tailnet-9f3c.ts.net'];
  for (const origin of origins) {
    it(`fits 80×24 and scans back to the link for ${origin}`, async () => {
      const offer = offerAt(origin);
      const url = encodePairingUrl(origin, offer);
      const qr = await terminalQr(url, { isTTY: true, rows: 24 });
      const lines = qr.split('\n').filter((line) => visible(line) > 0);
      assert.ok(lines.length <= 23, `${lines.length} lines: the code and the cursor line must fit 24 rows`);
      assert.ok(lines.every((line) => /[▀▄█]/.test(line)), 'nothing but the code');
      assert.ok(Math.max(...lines.map(visible)) <= 80, `${Math.max(...lines.map(visible))} columns: no wider than 80`);
      assert.doesNotMatch(qr, /make the window taller/);
      const scanned = scanTerminalQr(qr);
      assert.equal(scanned, url);
      assert.deepEqual(parsePairingUrl(scanned!).psk, offer.psk);
    });
  }

  it('the same offer in format 1 did not fit, and says so in a short terminal', async () => {
    const offer = offerAt(origins[0]!);
    const qr = await terminalQr(encodePairingUrl(origins[0]!, offer, { format: 1 }), { isTTY: true, rows: 24 });
    assert.ok(qr.split('\n').filter((line) => /[▀▄█]/.test(line)).length > 24);
    assert.match(qr, /make the window taller \(or the font smaller\) to scan it, or run `walkie pair`/);
  });
});
