// The relay's own certificate and key (`walkie relay --tls-cert FILE --tls-key FILE`), read from two PEM
// files and re-read when either changes, so a renewed certificate (certbot, acme.sh, a cron job) is served
// without a restart. A new pair is checked before it is used — both parse, the key belongs to the
// certificate, Node can build a TLS context from them — and a pair that fails keeps the old one in service
// and is reported (the relay keeps answering with what worked; nobody is cut off by a half-written file).
// Existing connections keep the context they were accepted with; only new handshakes see the new one.
import crypto from 'node:crypto';
import fs from 'node:fs';
import tls from 'node:tls';
import type { Logger } from '../core/base/logger';
import { RelayError } from './relayError';

export interface TlsFiles {
  /** PEM certificate chain: the server certificate first, then any intermediates. */
  readonly certFile: string;
  /** PEM private key of the first certificate. */
  readonly keyFile: string;
}

/** A checked pair, ready for https.createServer / server.setSecureContext. */
export interface TlsPair {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** The leaf certificate's notAfter, in seconds since the epoch (for /metrics). */
  readonly notAfter: number;
}

/** How often the files are looked at (stat only; they are read when their size, mtime or inode moved). */
const DEFAULT_POLL_MS = 2000;
/** Certificate and key are often written one after the other: wait this long after a change, then read both. */
const SETTLE_MS = 300;

/**
 * Reads and checks a certificate and key. @throws RelayError RELAY_ERR_TLS with a reason that names the
 * file but never quotes its content (a key must not end up in a log).
 */
export function readTlsPair(files: TlsFiles): TlsPair {
  const read = (file: string, what: string): Buffer => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      throw new RelayError('RELAY_ERR_TLS', `cannot read the ${what} ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const cert = read(files.certFile, 'certificate');
  const key = read(files.keyFile, 'key');
  let leaf: crypto.X509Certificate;
  try {
    leaf = new crypto.X509Certificate(cert);
  } catch {
    throw new RelayError('RELAY_ERR_TLS', `${files.certFile} is not a PEM certificate`);
  }
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(key);
  } catch {
    throw new RelayError('RELAY_ERR_TLS', `${files.keyFile} is not a PEM private key (or it is encrypted)`);
  }
  if (!leaf.checkPrivateKey(privateKey)) throw new RelayError('RELAY_ERR_TLS', `the key in ${files.keyFile} does not belong to the certificate in ${files.certFile}`);
  try {
    tls.createSecureContext({ cert, key });
  } catch (e) {
    throw new RelayError('RELAY_ERR_TLS', `Node cannot use this certificate and key (${(e as { code?: string }).code ?? 'error'})`);
  }
  return { cert, key, notAfter: Math.floor(Date.parse(leaf.validTo) / 1000) };
}

/** Watches the two files and hands every good new pair to `apply`; counts reloads for /metrics. */
export class TlsCredentials {
  private current: TlsPair;
  private reloads = 0;
  private failures = 0;
  private settle: NodeJS.Timeout | undefined;
  private watching = false;
  private readonly onChange = (now: fs.Stats, prev: fs.Stats): void => {
    if (now.mtimeMs === prev.mtimeMs && now.size === prev.size && now.ino === prev.ino) return;
    clearTimeout(this.settle);
    this.settle = setTimeout(() => this.reload(), SETTLE_MS);
  };

  /** @throws RelayError RELAY_ERR_TLS when the pair cannot be used at start (the relay then does not start). */
  constructor(
    readonly files: TlsFiles,
    private readonly logger: Logger,
    private readonly pollMs = DEFAULT_POLL_MS,
  ) {
    this.current = readTlsPair(files);
  }

  get pair(): TlsPair {
    return this.current;
  }

  /** Starts watching; every good new pair goes to `apply` (which swaps the server's secure context). */
  watch(apply: (pair: TlsPair) => void): void {
    this.apply = apply;
    if (this.watching) return;
    this.watching = true;
    // watchFile (stat polling) rather than fs.watch: it follows symlinks (certbot's live/ links are swapped,
    // not rewritten), survives the file being replaced by a rename, and works on every filesystem.
    for (const f of [this.files.certFile, this.files.keyFile]) fs.watchFile(f, { interval: this.pollMs, persistent: false }, this.onChange);
  }

  /** Re-reads both files now; keeps the old pair and logs why when the new one cannot be used. */
  reload(): boolean {
    try {
      const next = readTlsPair(this.files);
      if (next.cert.equals(this.current.cert) && next.key.equals(this.current.key)) return true;
      this.apply(next);
      this.current = next;
      this.reloads++;
      this.logger.info(`relay: TLS certificate reloaded (valid until ${new Date(next.notAfter * 1000).toISOString()})`);
      return true;
    } catch (e) {
      this.failures++;
      const why = e instanceof RelayError ? e.message : 'unexpected error';
      this.logger.error(`relay: the new TLS certificate cannot be used: ${why}; still serving the previous one`);
      return false;
    }
  }

  metrics(): Record<string, number> {
    return {
      walkie_relay_tls_reloads_total: this.reloads,
      walkie_relay_tls_reload_failures_total: this.failures,
      walkie_relay_tls_cert_not_after_seconds: this.current.notAfter,
    };
  }

  close(): void {
    clearTimeout(this.settle);
    if (!this.watching) return;
    this.watching = false;
    for (const f of [this.files.certFile, this.files.keyFile]) fs.unwatchFile(f, this.onChange);
  }

  private apply: (pair: TlsPair) => void = () => {};
}
