// One HTTP(S) POST for the notification senders: a timeout, a capped response body, and a fixed rule for
// where a request may go. Nothing here logs: the URL may hold a secret (an ntfy topic, a bot token, a
// push endpoint).
import http from 'node:http';
import https from 'node:https';
import { NotifyError } from './notifyError';

export interface PostOptions {
  headers: Record<string, string | number>;
  body: Uint8Array | string;
  timeoutMs: number;
}

export interface PostResult {
  status: number;
  /** At most MAX_RESPONSE bytes of the answer, as UTF-8. */
  text: string;
}

const MAX_RESPONSE = 64 * 1024;

export function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === '[::1]' || hostname === '::1' || hostname === 'localhost';
}

/**
 * Security decision: plain http only to this machine (loopback), where nobody on the network can read the
 * topic, token or ciphertext; everything else must be https.
 */
export function checkUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new NotifyError('NOTIFY_ERR_BAD_TARGET', 'not a URL');
  }
  if (url.username || url.password) throw new NotifyError('NOTIFY_ERR_BAD_TARGET', 'credentials in the URL are refused');
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new NotifyError('NOTIFY_ERR_BAD_TARGET', `a ${url.protocol} URL is refused (https, or http to loopback only)`);
}

export function post(url: URL, options: PostOptions): Promise<PostResult> {
  const body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : Buffer.from(options.body);
  const headers = { ...options.headers, 'Content-Length': body.length };
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'POST', headers, timeout: options.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_RESPONSE) chunks.push(chunk.subarray(0, MAX_RESPONSE - size));
        size += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => reject(new NotifyError('NOTIFY_ERR_UNAVAILABLE', 'the response broke off')));
    });
    req.on('timeout', () => req.destroy(new NotifyError('NOTIFY_ERR_TIMEOUT', `no answer within ${options.timeoutMs} ms`)));
    req.on('error', (e) => reject(e instanceof NotifyError ? e : new NotifyError('NOTIFY_ERR_UNAVAILABLE', `connection failed (${(e as NodeJS.ErrnoException).code ?? 'error'})`)));
    req.end(body);
  });
}

/** Maps a status to success or the NotifyError a sender throws. */
export function checkStatus(status: number, service: string): void {
  if (status >= 200 && status < 300) return;
  if (status === 404 || status === 410) throw new NotifyError('NOTIFY_ERR_GONE', `${service} answered ${status}: gone`, status);
  if (status === 429 || status >= 500) throw new NotifyError('NOTIFY_ERR_UNAVAILABLE', `${service} answered ${status}`, status);
  throw new NotifyError('NOTIFY_ERR_REJECTED', `${service} answered ${status}`, status);
}
