// One authenticated host connection and its devices: the relay's routing table for that host id.
// Device → host: each binary message becomes `[conn u32 BE][payload]`; host → device: the reverse. The
// relay never looks inside a payload (Noise ciphertext); it only counts, limits and forwards.
import { WebSocket, type RawData } from 'ws';
import { CloseCode } from '../core/wire/closeCodes';
import { RateLimiter } from './rateLimiter';
import { RelayError } from './relayError';
import { MAX_CONN_ID } from './relayLimits';
import { closePeer, failPeer, shortId, type RelayContext } from './relayPeer';
import { CloseDeviceMessageSchema, decodeConnFrame, encodeConnFrame, parseControl } from './relayProtocol';

interface Device {
  readonly ws: WebSocket;
  /** The host asked for this close: do not tell it back. */
  closedByHost: boolean;
}

export class HostSession {
  private readonly devices = new Map<number, Device>();
  private nextConn = 1;
  private readonly limiter: RateLimiter;
  private ended = false;

  constructor(
    readonly hostId: string,
    readonly ws: WebSocket,
    private readonly ctx: RelayContext,
  ) {
    this.limiter = new RateLimiter(ctx.limits.hostRate, () => ctx.clock.now());
    ws.on('message', (data, isBinary) => this.onHostMessage(data, isBinary));
  }

  get deviceCount(): number {
    return this.devices.size;
  }

  /** Attaches a freshly upgraded device socket, or closes it with the reason it cannot be attached. */
  addDevice(ws: WebSocket): void {
    try {
      if (this.ended || this.ws.readyState !== WebSocket.OPEN) throw new RelayError('RELAY_ERR_HOST_OFFLINE', 'host offline');
      if (this.devices.size >= this.ctx.limits.maxDevicesPerHost) throw new RelayError('RELAY_ERR_TOO_MANY_DEVICES', 'too many devices');
      if (this.nextConn > MAX_CONN_ID) throw new RelayError('RELAY_ERR_CONN_IDS_EXHAUSTED', 'try again later');
    } catch (e) {
      return failPeer(ws, e, this.ctx, 'device');
    }
    // Conn ids count up and are never reused while this host connection lives, so a late frame for a
    // closed conn can never reach a newer device.
    const conn = this.nextConn++;
    const device: Device = { ws, closedByHost: false };
    const limiter = new RateLimiter(this.ctx.limits.deviceRate, () => this.ctx.clock.now());
    this.devices.set(conn, device);
    ws.on('message', (data, isBinary) => {
      try {
        this.onDeviceMessage(conn, ws, limiter, data, isBinary);
      } catch (e) {
        failPeer(ws, e, this.ctx, `device ${conn}`);
      }
    });
    ws.on('close', () => this.onDeviceClosed(conn, device));
    this.sendText({ type: 'open', conn });
    this.ctx.logger.debug(`relay: host ${shortId(this.hostId)} conn ${conn} open (${this.devices.size} devices)`);
  }

  /** The host connection is gone (dropped, replaced or shut down): close every device with `code`. */
  end(code: number = CloseCode.hostOffline, reason = 'host offline'): void {
    if (this.ended) return;
    this.ended = true;
    for (const device of this.devices.values()) closePeer(device.ws, code, reason);
    this.devices.clear();
  }

  private onDeviceMessage(conn: number, ws: WebSocket, limiter: RateLimiter, data: RawData, isBinary: boolean): void {
    if (ws.readyState !== WebSocket.OPEN || this.devices.get(conn)?.ws !== ws) return;
    // Devices speak only binary (Noise messages); text is a protocol error, not something to forward.
    if (!isBinary) throw new RelayError('RELAY_ERR_TEXT_FROM_DEVICE', 'binary only');
    const payload = data as Buffer;
    if (!limiter.take(payload.length)) throw new RelayError('RELAY_ERR_RATE_LIMITED', 'rate limited');
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > this.ctx.limits.maxBufferedBytes) throw new RelayError('RELAY_ERR_SLOW_PEER', 'host busy');
    this.ws.send(encodeConnFrame(conn, payload), { binary: true });
  }

  private onDeviceClosed(conn: number, device: Device): void {
    if (this.devices.get(conn) !== device) return;
    this.devices.delete(conn);
    if (!device.closedByHost && !this.ended) this.sendText({ type: 'close', conn });
    this.ctx.logger.debug(`relay: host ${shortId(this.hostId)} conn ${conn} closed (${this.devices.size} devices)`);
  }

  private onHostMessage(data: RawData, isBinary: boolean): void {
    try {
      if (this.ended || this.ws.readyState !== WebSocket.OPEN) return;
      const bytes = data as Buffer;
      if (!this.limiter.take(bytes.length)) throw new RelayError('RELAY_ERR_RATE_LIMITED', 'rate limited');
      if (isBinary) this.routeToDevice(bytes);
      else this.onHostControl(bytes.toString('utf8'));
    } catch (e) {
      failPeer(this.ws, e, this.ctx, `host ${shortId(this.hostId)}`);
    }
  }

  private routeToDevice(frame: Buffer): void {
    const decoded = decodeConnFrame(frame);
    if (!decoded) throw new RelayError('RELAY_ERR_BAD_FRAME', 'frame without a conn id');
    const { conn, payload } = decoded;
    const device = this.devices.get(conn);
    // An unknown conn is a race (the device just left), not an attack on anyone: drop it quietly.
    if (!device || device.ws.readyState !== WebSocket.OPEN) return;
    if (device.ws.bufferedAmount > this.ctx.limits.maxBufferedBytes) {
      return failPeer(device.ws, new RelayError('RELAY_ERR_SLOW_PEER', 'device too slow'), this.ctx, `device ${conn}`);
    }
    device.ws.send(payload, { binary: true });
  }

  private onHostControl(text: string): void {
    const msg = parseControl(CloseDeviceMessageSchema, text);
    if (!msg) throw new RelayError('RELAY_ERR_BAD_MESSAGE', 'bad control message');
    const device = this.devices.get(msg.conn);
    if (!device) return;
    device.closedByHost = true;
    closePeer(device.ws, msg.code, msg.reason);
  }

  private sendText(msg: { type: 'open' | 'close'; conn: number }): void {
    try {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
    } catch {
      this.ws.terminate();
    }
  }
}
