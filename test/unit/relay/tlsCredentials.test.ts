// The relay's certificate and key (`walkie relay --tls-cert/--tls-key`): what is refused, with which reason,
// and that a reload swaps only a good pair. Certificates come from the machine's openssl (a CA made here).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nullLogger, type Logger } from '../../../src/core/base/logger';
import { RelayError } from '../../../src/relay/relayError';
import { readTlsPair, TlsCredentials, type TlsPair } from '../../../src/relay/tlsCredentials';
import { makeTestCa, type TestCa } from '../../e2e/relayTlsFixtures';

describe('TlsCredentials', function () {
  this.timeout(20_000);
  let dir: string;
  let ca: TestCa;
  let one: { certFile: string; keyFile: string };
  let two: { certFile: string; keyFile: string };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-reach-tlsunit-'));
    ca = makeTestCa(path.join(dir, 'ca'));
    one = ca.issue(['relay.test'], 'one');
    two = ca.issue(['relay.test'], 'two');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const refusal = (files: { certFile: string; keyFile: string }): RelayError => {
    try {
      readTlsPair(files);
    } catch (e) {
      assert.ok(e instanceof RelayError);
      assert.equal(e.code, 'RELAY_ERR_TLS');
      return e;
    }
    assert.fail('the pair was accepted');
  };

  it('accepts a certificate with its own key and reports its expiry', () => {
    const pair = readTlsPair(one);
    assert.ok(Math.abs(pair.notAfter - (Date.now() / 1000 + 86_400)) < 600, 'notAfter is about a day from now');
  });

  it('refuses a key that belongs to another certificate, naming both files', () => {
    assert.match(refusal({ certFile: one.certFile, keyFile: two.keyFile }).message, /the key in .*two\.key does not belong to the certificate in .*one\.pem/);
  });

  it('refuses junk, an empty file and a missing file without quoting their content', () => {
    const junk = path.join(dir, 'junk.pem');
    fs.writeFileSync(junk, '-----BEGIN CERTIFICATE-----\nSECRET-LOOKING-JUNK\n-----END CERTIFICATE-----\n');
    const empty = path.join(dir, 'empty.pem');
    fs.writeFileSync(empty, '');
    assert.match(refusal({ certFile: junk, keyFile: one.keyFile }).message, /junk\.pem is not a PEM certificate/);
    assert.match(refusal({ certFile: one.certFile, keyFile: junk }).message, /junk\.pem is not a PEM private key/);
    assert.match(refusal({ certFile: empty, keyFile: one.keyFile }).message, /empty\.pem is not a PEM certificate/);
    assert.match(refusal({ certFile: path.join(dir, 'nope.pem'), keyFile: one.keyFile }).message, /cannot read the certificate .*nope\.pem \(ENOENT\)/);
    // A key handed as the certificate must not leak into the message.
    const e = refusal({ certFile: one.keyFile, keyFile: one.keyFile });
    assert.doesNotMatch(e.message, /BEGIN|PRIVATE/);
  });

  it('reload() hands a good new pair over, keeps the old one when the new pair is broken, and counts both', () => {
    const certFile = path.join(dir, 'live.pem');
    const keyFile = path.join(dir, 'live.key');
    fs.copyFileSync(one.certFile, certFile);
    fs.copyFileSync(one.keyFile, keyFile);
    const errors: string[] = [];
    const logger: Logger = { ...nullLogger, error: (m: string) => errors.push(m) };
    const creds = new TlsCredentials({ certFile, keyFile }, logger);
    const applied: TlsPair[] = [];
    creds.watch((p) => applied.push(p));
    try {
      assert.equal(creds.reload(), true);
      assert.equal(applied.length, 0, 'an unchanged pair is not applied again');
      fs.copyFileSync(two.certFile, certFile);
      fs.copyFileSync(two.keyFile, keyFile);
      assert.equal(creds.reload(), true);
      assert.equal(applied.length, 1);
      assert.ok(applied[0]!.cert.equals(fs.readFileSync(two.certFile)));
      fs.copyFileSync(one.keyFile, keyFile);
      assert.equal(creds.reload(), false);
      assert.equal(applied.length, 1, 'a broken pair was applied');
      assert.ok(creds.pair.cert.equals(fs.readFileSync(two.certFile)), 'the previous pair is still current');
      assert.match(errors.join('\n'), /cannot be used: the key in .*live\.key does not belong .*; still serving the previous one/);
      assert.deepEqual(
        { reloads: creds.metrics().walkie_relay_tls_reloads_total, failures: creds.metrics().walkie_relay_tls_reload_failures_total },
        { reloads: 1, failures: 1 },
      );
    } finally {
      creds.close();
    }
  });
});
