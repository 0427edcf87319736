// Shapes a host message for one peer: what a feature adds is left out for a peer that did not agree to it
// (docs/protocol.md §Versions and features). Beside protocol.ts and features.ts, which both stay free of
// each other's imports.
import type { WireFeature } from './features';
import type { HostMessage } from './protocol';

/**
 * The message as this peer may see it: fields of features the peer did not agree to are removed, and a
 * v1 peer (`features` undefined: it sent no hello) gets a `hello` without `features`. Messages of a feature
 * the peer did not agree to are not sent at all (undefined). Never mutates `message`.
 */
export function forPeer(message: HostMessage, features: ReadonlySet<WireFeature> | undefined): HostMessage | undefined {
  if ((message.type === 'schedules' || message.type === 'scheduleSaved') && !features?.has('schedules')) return undefined;
  // A peer that knows typed authors but not the terminal one gets the v1 `by` ("terminal") alone.
  if (message.type === 'resolved' && message.author && (!features?.has('author') || (message.author.kind === 'terminal' && !features.has('terminalAuthor')))) {
    const { author: _author, ...v1 } = message;
    return v1;
  }
  if (message.type === 'synced' && message.pending && !features?.has('reconcile')) {
    const { pending: _pending, ...v1 } = message;
    return v1;
  }
  if (message.type === 'hello') {
    let hello = message;
    if (hello.hostKind !== undefined && !features?.has('hostKind')) {
      const { hostKind: _hostKind, ...without } = hello;
      hello = without;
    }
    if (hello.features && !features) {
      const { features: _features, ...v1 } = hello;
      hello = v1;
    }
    return hello;
  }
  return message;
}
