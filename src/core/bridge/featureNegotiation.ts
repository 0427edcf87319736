// The device's side of feature negotiation (docs/protocol.md §Versions and features), kept apart from the
// transport like chatCursor.ts. On every connection the device sends `hello` with its features first; the
// host answers with a `hello` carrying its own, and the features both listed are on for that connection.
// A v1 host does not know `hello` from a device and closes the channel (4422) without answering: the
// device then reconnects and speaks v1 — no hello, no features — for as long as it runs.
import { CloseCode } from '../wire/closeCodes';
import { agreedFeatures, WIRE_FEATURES, type WireFeature } from '../wire/features';
import { PROTOCOL_VERSION, type DeviceMessage, type HostMessage } from '../wire/protocol';

export class FeatureNegotiation {
  private pending = false;
  private v1 = false;
  private agreed: ReadonlySet<WireFeature> | undefined;

  /** The features agreed on this connection; undefined for a v1 host, or until the host has answered. */
  get features(): ReadonlySet<WireFeature> | undefined {
    return this.agreed;
  }

  /** True while this connection's `hello` has not been answered. */
  get awaiting(): boolean {
    return this.pending;
  }

  /** True once the host turned out to speak v1 only. */
  get v1Host(): boolean {
    return this.v1;
  }

  /** A connection came up: the `hello` to send before anything else, or undefined for a v1 host. */
  opening(): DeviceMessage | undefined {
    this.agreed = undefined;
    if (this.v1) return undefined;
    this.pending = true;
    return { type: 'hello', v: PROTOCOL_VERSION, features: [...WIRE_FEATURES] };
  }

  /** A host message arrived (before it is passed on). */
  received(m: HostMessage): void {
    if (m.type !== 'hello' || !m.features || !this.pending) return;
    this.pending = false;
    this.agreed = agreedFeatures(m.features);
  }

  /**
   * The connection is gone. `byHost`: the host closed it (not this device). True when that taught us the
   * host speaks v1 only: it closed with badMessage while our `hello` was unanswered.
   */
  lost(code: number, byHost: boolean): boolean {
    const learnt = byHost && this.pending && code === CloseCode.badMessage && !this.v1;
    if (learnt) this.v1 = true;
    this.pending = false;
    this.agreed = undefined;
    return learnt;
  }
}
