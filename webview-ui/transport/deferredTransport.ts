// A Transport whose real implementation is loaded after the first screen has been painted. The real
// transports pull in the protocol's zod schemas and the Noise stack, whose module set-up is a large
// share of start-up time on a slow phone; deferring it lets the app shell render first. Until the real
// transport is attached, nothing is sent (send returns false: prompts wait in the outbox) and the
// connection shows as `initial`.
import { Emitter } from '../../src/core/base/event';
import type { Logger } from '../../src/core/base/logger';
import type { DeviceMessage, HostMessage } from '../../src/core/wire/protocol';
import { afterFirstPaint } from '../render/afterPaint';
import type { ConnState, Transport } from './transport';
import { errorName } from '../../src/core/base/errorName';

export class DeferredTransport implements Transport {
  private readonly messages = new Emitter<HostMessage>();
  private readonly states = new Emitter<ConnState>();
  readonly onMessage = this.messages.event;
  readonly onState = this.states.event;
  private inner: Transport | undefined;
  private current: ConnState;
  private disposed = false;

  /**
   * `load` builds (and starts) the real transport; it runs after the first paint. Anything the real
   * transport receives is forwarded from the moment it is attached, in the microtask after `load`
   * resolves: before any network or postMessage event can be delivered.
   */
  constructor(initial: ConnState, load: () => Promise<Transport>, logger: Logger) {
    this.current = initial;
    afterFirstPaint(() => this.begin(load, logger));
  }

  private begin(load: () => Promise<Transport>, logger: Logger): void {
    if (this.disposed) return;
    load().then(
      (t) => this.attach(t),
      (e: unknown) => {
        logger.error(`the transport failed to load (${errorName(e)})`);
        this.setState({ state: 'offline', since: Date.now(), reason: 'failed to load' });
      },
    );
  }

  get state(): ConnState {
    return this.current;
  }

  get resyncs(): boolean {
    return this.inner?.resyncs ?? false;
  }

  send(m: DeviceMessage): boolean {
    return this.inner ? this.inner.send(m) : false;
  }

  reconnectNow(): void {
    this.inner?.reconnectNow?.();
  }

  private attach(t: Transport): void {
    if (this.disposed) {
      t.dispose();
      return;
    }
    this.inner = t;
    t.onMessage((m) => this.messages.fire(m));
    t.onState((s) => this.setState(s));
    if (t.state !== this.current) this.setState(t.state);
  }

  private setState(s: ConnState): void {
    this.current = s;
    this.states.fire(s);
  }

  dispose(): void {
    this.disposed = true;
    this.inner?.dispose();
    this.messages.dispose();
    this.states.dispose();
  }
}
