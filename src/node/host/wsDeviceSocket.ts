// A DeviceSocket (src/core/bridge/links.ts) over the `ws` package, for `walkie device` and tests: one WebSocket to
// `<relay>/v1/device/<hostId>`. Binary messages are frames; a text message from the relay is a protocol
// error (the relay forwards only binary ciphertext), so it closes the socket with 1003. Every socket fires
// onClose exactly once, also when it never opened (connection refused → 1006).
import { WebSocket, type RawData } from 'ws';
import { CloseCode } from '../../core/wire/closeCodes';
import { Emitter } from '../../core/base/event';
import type { DeviceSocket, DeviceSocketFactory } from '../../core/bridge/links';
import { MAX_FRAME } from '../../core/bridge/secureChannel';

export interface WsDeviceSocketOptions {
  /** How long to wait for the TCP + TLS + HTTP upgrade before giving up (ms). */
  openTimeoutMs?: number;
}

const ABNORMAL = 1006;

export class WsDeviceSocket implements DeviceSocket {
  private readonly opened = new Emitter<void>();
  private readonly frames = new Emitter<Uint8Array>();
  private readonly closed = new Emitter<{ code: number; reason: string }>();
  readonly onOpen = this.opened.event;
  readonly onFrame = this.frames.event;
  readonly onClose = this.closed.event;
  private readonly ws: WebSocket;
  private done = false;

  constructor(url: string, opts: WsDeviceSocketOptions = {}) {
    // A Noise transport message is at most 65535 bytes: anything larger is not ours (ws closes with 1009).
    this.ws = new WebSocket(url, { maxPayload: MAX_FRAME, perMessageDeflate: false, handshakeTimeout: opts.openTimeoutMs ?? 15_000 });
    this.ws.binaryType = 'nodebuffer';
    this.ws.on('open', () => this.opened.fire());
    this.ws.on('message', (data: RawData, isBinary: boolean) => {
      if (this.done) return;
      if (!isBinary) return this.close(CloseCode.unsupportedData, 'binary frames only');
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      this.frames.fire(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    });
    // 'error' is always followed by 'close'; the error text is not logged (it may hold the URL's host id).
    this.ws.on('error', () => undefined);
    this.ws.on('close', (code: number, reason: Buffer) => this.finish(code || ABNORMAL, reason.toString('utf8')));
  }

  send(frame: Uint8Array): void {
    if (this.done || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(frame, { binary: true });
  }

  close(code: number, reason: string): void {
    if (this.done) return;
    try {
      // Only codes a client may send (RFC 6455 §7.4): 1000 or 3000–4999; anything else goes as 1000.
      this.ws.close(code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000, reason.slice(0, 100));
    } catch {
      this.ws.terminate();
    }
    // Report the close now: the caller is done with this socket, whatever the peer answers.
    this.finish(code, reason);
  }

  private finish(code: number, reason: string): void {
    if (this.done) return;
    this.done = true;
    this.closed.fire({ code, reason });
    this.opened.dispose();
    this.frames.dispose();
    this.closed.dispose();
  }
}

/** The factory BridgeClient takes. */
export const wsDeviceSocketFactory: DeviceSocketFactory = (url) => new WsDeviceSocket(url);
