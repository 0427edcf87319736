// A DeviceSocket (src/core/bridge/links.ts) over the browser's WebSocket, for the phone. Frames are binary
// (binaryType 'arraybuffer'); a text frame is a protocol violation and closes the socket with 1003.
import { CloseCode } from '../../src/core/wire/closeCodes';
import { Emitter } from '../../src/core/base/event';
import type { DeviceSocket, DeviceSocketFactory } from '../../src/core/bridge/links';

export class BrowserSocket implements DeviceSocket {
  private readonly opens = new Emitter<void>();
  private readonly frames = new Emitter<Uint8Array>();
  private readonly closes = new Emitter<{ code: number; reason: string }>();
  readonly onOpen = this.opens.event;
  readonly onFrame = this.frames.event;
  readonly onClose = this.closes.event;
  private readonly ws: WebSocket;
  private closed = false;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.binaryType = 'arraybuffer';
    this.ws.onopen = () => this.opens.fire();
    this.ws.onmessage = (e: MessageEvent) => {
      if (!(e.data instanceof ArrayBuffer)) {
        this.close(CloseCode.unsupportedData, 'binary frames only');
        return;
      }
      this.frames.fire(new Uint8Array(e.data));
    };
    // The browser fires `error` then `close`; only `close` carries the code, so it alone is reported.
    this.ws.onclose = (e: CloseEvent) => this.finish(e.code, e.reason);
  }

  send(frame: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  close(code: number, reason: string): void {
    try {
      // Browsers only let a page close with 1000 or 3000–4999.
      this.ws.close(code === CloseCode.normal || (code >= 3000 && code <= 4999) ? code : CloseCode.normal, reason.slice(0, 120));
    } catch {
      // already closing
    }
    this.finish(code, reason);
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closes.fire({ code, reason });
    this.opens.dispose();
    this.frames.dispose();
    this.closes.dispose();
  }
}

export const browserSocketFactory: DeviceSocketFactory = (url) => new BrowserSocket(url);
