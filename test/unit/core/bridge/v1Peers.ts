// Hand-driven peers that speak protocol v1 exactly as it shipped before features: the real Noise handshake
// and SecureChannel, then JSON checked against the FROZEN v1 schemas (v1Protocol.ts). Like the real old
// code, each closes the channel with badMessage (4422) on anything those schemas refuse, and records it.
// They also send any JSON they are given, to play a newer peer that sends a message type we do not know.
import { concatBytes, utf8Decode, utf8Encode } from '../../../../src/core/base/bytes';
import { PAIR_TAG, prologueFor, RECONNECT_TAG } from '../../../../src/core/bridge/channelHandshake';
import { SecureChannel } from '../../../../src/core/bridge/secureChannel';
import { generateKeyPair, type KeyPair } from '../../../../src/core/noise/dh';
import { HandshakeState } from '../../../../src/core/noise/handshakeState';
import { CloseCode } from '../../../../src/core/wire/closeCodes';
import type { DeviceSocket } from '../../../../src/core/bridge/links';
import type { FakeRelay } from './fakeBridgeLinks';
import { V1DeviceMessageSchema, V1HostMessageSchema, type V1DeviceMessage, type V1HostMessage } from './v1Protocol';

const EMPTY = new Uint8Array(0);
const json = (value: unknown) => utf8Encode(JSON.stringify(value));

/** What a V1Device needs of its socket: the fake relay's, or a real one that says whether it closed. */
export type V1Socket = DeviceSocket & { readonly isClosed: boolean; readonly closeCode: number | undefined };

/** A device page of protocol v1: pairs, sends only v1 messages, parses strictly, never sends `hello`. */
export class V1Device {
  readonly received: V1HostMessage[] = [];
  /** Host messages the v1 page refused (it closed the channel on the first). */
  readonly refused: unknown[] = [];
  private channel: SecureChannel | undefined;
  private phase: 'handshake' | 'accepting' | 'open' = 'handshake';
  private readonly socket: V1Socket;

  constructor(relay: { connect(url: string): V1Socket }, o: { hostId: string; hostPublicKey: Uint8Array; psk: Uint8Array; name: string; relayUrl?: string }) {
    this.socket = relay.connect(`${o.relayUrl ?? 'ws://relay.test'}/v1/device/${o.hostId}`);
    const hs = new HandshakeState({ pattern: 'IKpsk2', initiator: true, prologue: prologueFor(o.hostId), s: generateKeyPair(), rs: o.hostPublicKey, psk: o.psk });
    this.socket.onOpen(() => this.socket.send(concatBytes(Uint8Array.of(PAIR_TAG), hs.writeMessage(json({ v: 1, name: o.name })))));
    this.socket.onFrame((frame) => {
      if (this.phase === 'handshake') {
        hs.readMessage(frame);
        this.channel = SecureChannel.fromHandshake(hs);
        this.phase = 'accepting';
        return this.socket.send(this.channel.encrypt(EMPTY));
      }
      const plaintext = this.channel!.decrypt(frame);
      if (this.phase === 'accepting') return void (this.phase = 'open');
      const value: unknown = JSON.parse(utf8Decode(plaintext));
      const r = V1HostMessageSchema.safeParse(value);
      if (r.success) return void this.received.push(r.data);
      this.refused.push(value);
      this.socket.close(CloseCode.badMessage, 'bad message');
    });
  }

  get online(): boolean {
    return this.phase === 'open' && !this.socket.isClosed;
  }

  get closeCode(): number | undefined {
    return this.socket.closeCode;
  }

  send(message: V1DeviceMessage | Record<string, unknown>): void {
    this.socket.send(this.channel!.encrypt(json(message)));
  }

  of<T extends V1HostMessage['type']>(type: T): Extract<V1HostMessage, { type: T }>[] {
    return this.received.filter((m): m is Extract<V1HostMessage, { type: T }> => m.type === type);
  }
}

/**
 * A host of protocol v1 on the fake relay's host link: accepts any device key (pairing with `psk`, or
 * reconnecting), greets with the v1 `hello` and hands every v1 device message to `onMessage`.
 */
export class V1Host {
  /** Device messages the v1 host refused (it closed that connection with badMessage). */
  readonly refused: unknown[] = [];
  readonly closed: { conn: number; code: number }[] = [];
  private readonly conns = new Map<number, { hs?: HandshakeState; channel?: SecureChannel; open: boolean }>();
  readonly key: KeyPair = generateKeyPair();

  constructor(
    private readonly relay: FakeRelay,
    private readonly o: { hostId: string; psk: Uint8Array; onOpen: (conn: number) => void; onMessage: (conn: number, m: V1DeviceMessage) => void },
  ) {
    relay.hostLink.onOpen((conn) => this.conns.set(conn, { open: false }));
    relay.hostLink.onClose((conn) => this.conns.delete(conn));
    relay.hostLink.onFrame(({ conn, frame }) => this.frame(conn, frame));
  }

  send(conn: number, message: V1HostMessage | Record<string, unknown>): void {
    const c = this.conns.get(conn);
    if (c?.open) this.relay.hostLink.send(conn, c.channel!.encrypt(json(message)));
  }

  openConns(): number[] {
    return [...this.conns.entries()].flatMap(([conn, c]) => (c.open ? [conn] : []));
  }

  private frame(conn: number, frame: Uint8Array): void {
    const c = this.conns.get(conn);
    if (!c) return;
    if (!c.channel) {
      const pattern = frame[0] === RECONNECT_TAG ? 'IK' : 'IKpsk2';
      const hs = new HandshakeState({ pattern, initiator: false, prologue: prologueFor(this.o.hostId), s: this.key, psk: pattern === 'IKpsk2' ? this.o.psk : undefined });
      hs.readMessage(frame.subarray(1));
      const reply = hs.writeMessage(json({ v: 1, hostName: 'old host' }));
      c.channel = SecureChannel.fromHandshake(hs);
      return this.relay.hostLink.send(conn, reply);
    }
    const plaintext = c.channel.decrypt(frame);
    if (!c.open) {
      c.open = true;
      this.relay.hostLink.send(conn, c.channel.encrypt(EMPTY));
      return this.o.onOpen(conn);
    }
    const value: unknown = JSON.parse(utf8Decode(plaintext));
    const r = V1DeviceMessageSchema.safeParse(value);
    if (r.success) return this.o.onMessage(conn, r.data);
    // What the v1 BridgeHost did with a message its strict schema refused.
    this.refused.push(value);
    this.closed.push({ conn, code: CloseCode.badMessage });
    this.relay.hostLink.close(conn, CloseCode.badMessage, 'bad message');
  }
}
