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

/** Where a host session forwards one conn's frames: a socket on this node, or a device on another node. */
export interface DeviceLink {
  /** Host → device: one payload (the conn header already removed). */
  send(payload: Uint8Array): void;
  /** Closes the device with `code` (the host asked, or the host is gone). */
  close(code: number, reason: string): void;
}

interface Device {
  readonly link: DeviceLink;
  /** The local socket, when the device is on this node. */
  readonly ws?: WebSocket;
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

  /** The highest conn id handed out so far (a cluster directory re-seeds its shared counter from it). */
  get highestConn(): number {
    return this.nextConn - 1;
  }

  /**
   * Attaches a freshly upgraded device socket, or closes it with the reason it cannot be attached. `conn`
   * is given in a cluster (allocated cluster-wide so devices on other nodes never collide); otherwise the
   * session counts its own.
   */
  addDevice(ws: WebSocket, conn?: number): void {
    let id: number;
    try {
      id = this.admit(conn);
    } catch (e) {
      return failPeer(ws, e, this.ctx, 'device');
    }
    const device: Device = {
      ws,
      closedByHost: false,
      link: {
        send: (payload) => {
          if (ws.readyState !== WebSocket.OPEN) return;
          if (ws.bufferedAmount > this.ctx.limits.maxBufferedBytes) {
            return failPeer(ws, new RelayError('RELAY_ERR_SLOW_PEER', 'device too slow'), this.ctx, `device ${id}`);
          }
          ws.send(payload, { binary: true });
        },
        close: (code, reason) => closePeer(ws, code, reason),
      },
    };
    const limiter = new RateLimiter(this.ctx.limits.deviceRate, () => this.ctx.clock.now());
    this.devices.set(id, device);
    this.attachLocal(id, ws, device, limiter);
  }

  /**
   * Attaches a device that is connected to another node (its node rate-limits it and forwards its frames
   * here through fromRemoteDevice). Throws a RelayError when it cannot be attached.
   */
  addRemoteDevice(conn: number, link: DeviceLink): void {
    const id = this.admit(conn);
    this.devices.set(id, { link, closedByHost: false });
    this.sendText({ type: 'open', conn: id });
  }

  /** A frame from a device on another node. */
  fromRemoteDevice(conn: number, payload: Uint8Array): void {
    const device = this.devices.get(conn);
    if (!device || device.ws || this.ended || this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > this.ctx.limits.maxBufferedBytes) {
      this.devices.delete(conn);
      device.link.close(CloseCode.tryAgainLater, 'host busy');
      this.sendText({ type: 'close', conn });
      return;
    }
    this.ws.send(encodeConnFrame(conn, payload), { binary: true });
  }

  /** A device on another node went away (or its node did). */
  remoteDeviceClosed(conn: number): void {
    const device = this.devices.get(conn);
    if (!device || device.ws) return;
    this.devices.delete(conn);
    if (!this.ended) this.sendText({ type: 'close', conn });
  }

  /** Checks a new device may join and picks its conn id; throws a RelayError when it may not. */
  private admit(conn: number | undefined): number {
    if (this.ended || this.ws.readyState !== WebSocket.OPEN) throw new RelayError('RELAY_ERR_HOST_OFFLINE', 'host offline');
    if (this.devices.size >= this.ctx.limits.maxDevicesPerHost) throw new RelayError('RELAY_ERR_TOO_MANY_DEVICES', 'too many devices');
    if (conn === undefined) {
      if (this.nextConn > MAX_CONN_ID) throw new RelayError('RELAY_ERR_CONN_IDS_EXHAUSTED', 'try again later');
      // Conn ids count up and are never reused while this host connection lives, so a late frame for a
      // closed conn can never reach a newer device.
      return this.nextConn++;
    }
    // A cluster-allocated id must be fresh too: after a Redis restart the shared counter could lag.
    if (conn < 1 || conn > MAX_CONN_ID || this.devices.has(conn)) throw new RelayError('RELAY_ERR_CONN_IDS_EXHAUSTED', 'try again later');
    this.nextConn = Math.max(this.nextConn, conn + 1);
    return conn;
  }

  private attachLocal(conn: number, ws: WebSocket, device: Device, limiter: RateLimiter): void {
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
    for (const device of this.devices.values()) device.link.close(code, reason);
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
    // An unknown conn is a race (the device just left), not an attack on anyone: drop it quietly.
    this.devices.get(conn)?.link.send(payload);
  }

  private onHostControl(text: string): void {
    const msg = parseControl(CloseDeviceMessageSchema, text);
    if (!msg) throw new RelayError('RELAY_ERR_BAD_MESSAGE', 'bad control message');
    const device = this.devices.get(msg.conn);
    if (!device) return;
    device.closedByHost = true;
    device.link.close(msg.code, msg.reason);
    // A remote device's close is not echoed back by its node: forget it now.
    if (!device.ws) this.devices.delete(msg.conn);
  }

  private sendText(msg: { type: 'open' | 'close'; conn: number }): void {
    try {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
    } catch {
      this.ws.terminate();
    }
  }
}
