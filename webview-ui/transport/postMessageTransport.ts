// The VS Code panel's transport: DeviceMessages go out through `acquireVsCodeApi().postMessage` as
// `{ type: 'device', message }`; HostMessages come in as window `message` events `{ type: 'host', message }`.
// The panel page holds nothing but this bundle (CSP: only the nonce'd script runs), yet every incoming
// event is still treated as untrusted: it is parsed with the protocol's zod schemas and junk is dropped.
import { Emitter } from '../../src/core/base/event';
import type { Logger } from '../../src/core/base/logger';
import { nullLogger } from '../../src/core/base/logger';
import { WIRE_FEATURES } from '../../src/core/wire/features';
import { checkHostMessage, PROTOCOL_VERSION, type DeviceMessage, type HostMessage } from '../../src/core/wire/protocol';
import type { ConnState, Transport } from './transport';

/** The part of VS Code's webview API this transport uses. */
export interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare global {
  interface Window {
    acquireVsCodeApi?: () => VsCodeApi;
  }
}

/** What the panel sends once it is listening, so the extension can (re)send `hello` and the pending state. */
export const PANEL_READY = { type: 'ready' } as const;

export class PostMessageTransport implements Transport {
  private readonly messages = new Emitter<HostMessage>((err) => this.logger.error(`a host message listener failed: ${String(err)}`));
  private readonly states = new Emitter<ConnState>();
  readonly onMessage = this.messages.event;
  readonly onState = this.states.event;
  /** The panel talks to its own extension host: it is online for as long as the page lives. */
  readonly state: ConnState;

  constructor(
    private readonly api: VsCodeApi,
    private readonly target: Window,
    now: number,
    private readonly logger: Logger = nullLogger,
  ) {
    this.state = { state: 'online', since: now };
    target.addEventListener('message', this.onWindowMessage);
  }

  /**
   * Announces the panel: call after the UI has subscribed to onMessage. The extension answers `ready` with
   * a v1 `hello`, and our `hello` (the panel's features) with a `hello` carrying its own.
   */
  ready(): void {
    this.api.postMessage(PANEL_READY);
    this.send({ type: 'hello', v: PROTOCOL_VERSION, features: [...WIRE_FEATURES] });
  }

  readonly resyncs = false;

  send(message: DeviceMessage): boolean {
    try {
      this.api.postMessage({ type: 'device', message });
      return true;
    } catch {
      this.logger.warn('postMessage to the extension failed');
      return false;
    }
  }

  // Security: no origin check is possible (VS Code posts from its own webview host origin), so the
  // envelope and the message are both validated; anything else is dropped with a redacted reason.
  private readonly onWindowMessage = (e: MessageEvent): void => {
    const data: unknown = e.data;
    if (typeof data !== 'object' || data === null || (data as { type?: unknown }).type !== 'host') return;
    const r = checkHostMessage((data as { message?: unknown }).message);
    if (!r.ok) {
      if (r.ignored) this.logger.debug(`ignored a host message (${r.reason})`);
      else this.logger.warn(`dropped an invalid host message (${r.reason})`);
      return;
    }
    this.messages.fire(r.value);
  };

  dispose(): void {
    this.target.removeEventListener('message', this.onWindowMessage);
    this.messages.dispose();
    this.states.dispose();
  }
}
