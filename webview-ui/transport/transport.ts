// The web UI's one seam to the host: whatever carries the messages (VS Code's postMessage in the panel,
// the encrypted relay channel on the phone), the UI only sends DeviceMessages and hears HostMessages and
// connection states. Both implementations validate what they receive before it reaches the UI.
import type { Disposable } from '../../src/core/base/dispose';
import type { Event } from '../../src/core/base/event';
import type { DeviceMessage, HostMessage } from '../../src/core/wire/protocol';

export type ConnPhase = 'connecting' | 'online' | 'offline';

/** The connection as the UI shows it: the phase, since when (ms since epoch), and why it closed. */
export interface ConnState {
  readonly state: ConnPhase;
  readonly since: number;
  /** The WebSocket close code (src/core/wire/closeCodes.ts) when offline. */
  readonly code?: number;
  readonly reason?: string;
  /** While offline: when the next attempt starts (ms since epoch). */
  readonly retryAt?: number;
}

export interface Transport extends Disposable {
  /**
   * Sends one message, or keeps it to send once online (the channel keeps prompts). False when it was
   * neither sent nor kept. Never throws.
   */
  send(m: DeviceMessage): boolean;
  /**
   * True when the transport itself asks the host to resync every session and resends unechoed prompts
   * after each (re)connect (the bridge client does); otherwise the UI does it on every `hello`.
   */
  readonly resyncs: boolean;
  readonly onMessage: Event<HostMessage>;
  readonly onState: Event<ConnState>;
  /** The current state, for the first render. */
  readonly state: ConnState;
  /**
   * The network may have changed, or the user tapped "Reconnect": try now, with the backoff reset (a live
   * channel is probed first). Absent where there is nothing to reconnect (the VS Code panel).
   */
  reconnectNow?(): void;
}
