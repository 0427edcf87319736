// The device side of a relay cluster: devices connected to this node whose host is connected to another
// node. Each device is rate-limited here (as on one node) and its frames go to the host's node through
// Redis; the host's frames and closes come back and are written to the socket. Nothing is decrypted or
// kept: a frame is forwarded or dropped.
import { WebSocket, type RawData } from 'ws';
import { CloseCode } from '../core/wire/closeCodes';
import { ClusterKind, decodeClose, encodeClusterMessage, type ClusterMessage } from './clusterMessage';
import { RateLimiter } from './rateLimiter';
import { RelayError } from './relayError';
import { closePeer, failPeer, type RelayContext } from './relayPeer';
import { isForwardableCloseCode } from './relayProtocol';

interface RemoteDevice {
  readonly ws: WebSocket;
  readonly hostId: string;
  readonly conn: number;
  /** The node holding the host connection. */
  readonly node: string;
  /** The host (or its node) closed this device: do not tell it back. */
  closedByHost: boolean;
}

export type Publish = (node: string, message: Buffer, onFail: () => void) => void;

export class RemoteDevices {
  /** By `hostId:conn`. */
  private readonly devices = new Map<string, RemoteDevice>();

  constructor(
    private readonly ctx: RelayContext,
    private readonly publish: Publish,
  ) {}

  get size(): number {
    return this.devices.size;
  }

  /** The nodes holding the hosts of this node's remote devices. */
  nodes(): Iterable<string> {
    return new Set([...this.devices.values()].map((d) => d.node));
  }

  /** Takes a freshly upgraded device socket for `hostId` (on `node`) as conn `conn`, and tells that node. */
  attach(ws: WebSocket, hostId: string, conn: number, node: string, self: string): void {
    const key = `${hostId}:${conn}`;
    const device: RemoteDevice = { ws, hostId, conn, node, closedByHost: false };
    const limiter = new RateLimiter(this.ctx.limits.deviceRate, () => this.ctx.clock.now());
    const unavailable = (): void => failPeer(ws, new RelayError('RELAY_ERR_CLUSTER_UNAVAILABLE', 'try again later'), this.ctx, 'device');
    this.devices.set(key, device);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      try {
        if (ws.readyState !== WebSocket.OPEN || this.devices.get(key) !== device) return;
        // The same rules as a device on the host's own node (HostSession.onDeviceMessage).
        if (!isBinary) throw new RelayError('RELAY_ERR_TEXT_FROM_DEVICE', 'binary only');
        const payload = data as Buffer;
        if (!limiter.take(payload.length)) throw new RelayError('RELAY_ERR_RATE_LIMITED', 'rate limited');
        this.publish(node, encodeClusterMessage(ClusterKind.toHost, hostId, conn, payload), unavailable);
      } catch (e) {
        failPeer(ws, e, this.ctx, `device ${conn}`);
      }
    });
    ws.on('close', () => {
      if (this.devices.get(key) !== device) return;
      this.devices.delete(key);
      if (!device.closedByHost) this.publish(node, encodeClusterMessage(ClusterKind.deviceClosed, hostId, conn), () => {});
    });
    this.publish(node, encodeClusterMessage(ClusterKind.open, hostId, conn, Buffer.from(self, 'latin1')), unavailable);
  }

  /** A toDevice or closeDevice message from a host's node. */
  onMessage(msg: ClusterMessage): void {
    const device = this.devices.get(`${msg.hostId}:${msg.conn}`);
    if (!device) return;
    if (msg.kind === ClusterKind.toDevice) {
      if (device.ws.readyState !== WebSocket.OPEN) return;
      if (device.ws.bufferedAmount > this.ctx.limits.maxBufferedBytes) {
        return failPeer(device.ws, new RelayError('RELAY_ERR_SLOW_PEER', 'device too slow'), this.ctx, `device ${msg.conn}`);
      }
      device.ws.send(msg.body, { binary: true });
      return;
    }
    const close = decodeClose(msg.body);
    device.closedByHost = true;
    this.devices.delete(`${msg.hostId}:${msg.conn}`);
    // Only codes a host may ask for, or the relay's own (host offline, …); anything else becomes 1008.
    const code = close && (isForwardableCloseCode(close.code) || RELAY_CODES.has(close.code)) ? close.code : CloseCode.policyViolation;
    closePeer(device.ws, code, close?.reason ?? 'closed');
  }

  /** Closes every device whose host is on `node` (that node is gone). */
  closeNode(node: string, code: number, reason: string): void {
    for (const d of [...this.devices.values()]) if (d.node === node) this.closeDevice(d, code, reason);
  }

  closeAll(code: number, reason: string): void {
    for (const d of [...this.devices.values()]) this.closeDevice(d, code, reason);
  }

  private closeDevice(d: RemoteDevice, code: number, reason: string): void {
    d.closedByHost = true;
    this.devices.delete(`${d.hostId}:${d.conn}`);
    closePeer(d.ws, code, reason);
  }
}

const RELAY_CODES: ReadonlySet<number> = new Set([
  CloseCode.goingAway,
  CloseCode.tryAgainLater,
  CloseCode.hostOffline,
  CloseCode.tooManyDevices,
  CloseCode.rateLimited,
  CloseCode.protocolError,
  CloseCode.internalError,
]);
