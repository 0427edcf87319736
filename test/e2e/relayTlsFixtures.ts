// Test certificates made with the machine's `openssl` (a throw-away CA and leaf certificates it signs), an
// NSS database that trusts that CA (what Chromium on Linux reads as the user's trust store), a probe that
// tells which certificate a TLS server presents to a new connection.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';

export interface TestCa {
  readonly dir: string;
  /** The CA certificate (PEM file): what NODE_EXTRA_CA_CERTS and the NSS database get. */
  readonly certFile: string;
  /** Issues a leaf for `names` (DNS names or IPv4 addresses); returns its certificate and key files. */
  issue(names: readonly string[], label: string): { certFile: string; keyFile: string; serial: string };
}

const openssl = (args: string[], cwd: string): void => void execFileSync('openssl', args, { cwd, stdio: 'pipe' });

/** A fresh CA (P-256, valid for a day) in `dir`. */
export function makeTestCa(dir: string, name = 'Walkie Test CA'): TestCa {
  fs.mkdirSync(dir, { recursive: true });
  const certFile = path.join(dir, 'ca.pem');
  const keyFile = path.join(dir, 'ca.key');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${name}`, '-keyout', keyFile, '-out', certFile,
    '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return {
    dir,
    certFile,
    issue(names, label) {
      const leafKey = path.join(dir, `${label}.key`);
      const csr = path.join(dir, `${label}.csr`);
      const leafCert = path.join(dir, `${label}.pem`);
      const ext = path.join(dir, `${label}.ext`);
      const san = names.map((n) => (/^\d+\.\d+\.\d+\.\d+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
      fs.writeFileSync(ext, `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
      openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${names[0]}`, '-keyout', leafKey, '-out', csr], dir);
      openssl(['x509', '-req', '-in', csr, '-CA', certFile, '-CAkey', keyFile, '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', leafCert], dir);
      const serial = new crypto.X509Certificate(fs.readFileSync(leafCert)).serialNumber;
      return { certFile: leafCert, keyFile: leafKey, serial };
    },
  };
}

/**
 * An NSS database under `home`/.pki/nssdb trusting `caFile` to identify web sites ("C,,"): Chromium on
 * Linux reads it as the user's trust store, so a Chromium started with HOME=`home` trusts that CA — and
 * nothing else beyond what it trusts anyway.
 */
export function trustInNssDb(home: string, caFile: string): void {
  const db = path.join(home, '.pki', 'nssdb');
  fs.mkdirSync(db, { recursive: true });
  execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password'], { stdio: 'pipe' });
  execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', 'walkie-test-ca', '-t', 'C,,', '-i', caFile], { stdio: 'pipe' });
}

/** The serial number of the certificate a new TLS connection to host:port is shown (verified against `ca`). */
export function presentedSerial(host: string, port: number, ca: Buffer, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, ca, ...(servername ? { servername } : {}) }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial);
    });
    socket.on('error', reject);
  });
}

/** A TCP port free on 127.0.0.1 right now (for tools that cannot be told to pick one, like caddy). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
