// The two transport seams of the bridge, so the channel logic in src/core runs over any carrier:
//  - HostLink: the host's view of its devices, multiplexed over one relay connection (src/node/host/relayHostLink.ts).
//  - DeviceSocket: one device's connection to the relay (a `ws` WebSocket in Node, a browser WebSocket on the phone).
// Frames are opaque bytes here: Noise handshake messages, then encrypted transport frames.
import type { Disposable } from '../base/dispose';
import type { Event } from '../base/event';

export interface HostLink extends Disposable {
  /** A device connected to the relay for this host; `conn` names it until it closes. */
  readonly onOpen: Event<number>;
  readonly onFrame: Event<{ conn: number; frame: Uint8Array }>;
  readonly onClose: Event<number>;
  /** The link to the relay itself came up ('online') or went down ('offline'; it reconnects by itself). */
  readonly onState: Event<'online' | 'offline'>;
  send(conn: number, frame: Uint8Array): void;
  /** Closes one device's connection at the relay with a close code (src/core/wire/closeCodes.ts). */
  close(conn: number, code: number, reason: string): void;
}

export interface DeviceSocket {
  readonly onOpen: Event<void>;
  readonly onFrame: Event<Uint8Array>;
  readonly onClose: Event<{ code: number; reason: string }>;
  send(frame: Uint8Array): void;
  close(code: number, reason: string): void;
}

/** Opens a device socket to `url` (ws:// or wss://). */
export type DeviceSocketFactory = (url: string) => DeviceSocket;
