// In-memory stand-ins for the relay, for the bridge tests: a HostLink and DeviceSockets joined by a
// queue. Delivery is synchronous but never re-entrant (a frame sent while another is being handled waits
// its turn), like a real relay that delivers one message at a time. Frames can be intercepted (to tamper,
// replay or drop them) and sockets cut, to simulate an attacker on the wire or a dead network.
import type { Disposable } from '../../../../src/core/base/dispose';
import { Emitter } from '../../../../src/core/base/event';
import type { DeviceSocket, HostLink } from '../../../../src/core/bridge/links';
import type { BridgeHost, ConnectedDevice } from '../../../../src/core/bridge/bridgeHost';
import type { ChatEvent, DeviceMessage, HostMessage, SessionInfo } from '../../../../src/core/wire/protocol';

type Direction = 'toHost' | 'toDevice';
/** Return a frame to deliver instead (or undefined to drop it). */
export type Interceptor = (frame: Uint8Array, dir: Direction, conn: number) => Uint8Array | undefined;

export class FakeDeviceSocket implements DeviceSocket {
  readonly opened = new Emitter<void>();
  readonly frames = new Emitter<Uint8Array>();
  readonly closed = new Emitter<{ code: number; reason: string }>();
  readonly onOpen = this.opened.event;
  readonly onFrame = this.frames.event;
  readonly onClose = this.closed.event;
  isClosed = false;
  closeCode: number | undefined;

  constructor(
    private readonly relay: FakeRelay,
    readonly conn: number,
    readonly url: string,
  ) {}

  send(frame: Uint8Array): void {
    if (!this.isClosed) this.relay.deliver('toHost', this.conn, frame.slice());
  }

  close(code: number, reason: string): void {
    this.relay.closeFromDevice(this, code, reason);
  }
}

export class FakeRelay {
  private readonly queue: (() => void)[] = [];
  private draining = false;
  private nextConn = 1;
  readonly sockets = new Map<number, FakeDeviceSocket>();
  readonly urls: string[] = [];
  interceptor: Interceptor | undefined;
  /** When false, device sockets never open (the relay is unreachable). */
  reachable = true;
  /** When true, new device sockets neither open nor fail (their packets vanish) until releaseOpens(). */
  holdOpens = false;
  private readonly heldOpens: (() => void)[] = [];

  private readonly hostOpen = new Emitter<number>();
  private readonly hostFrame = new Emitter<{ conn: number; frame: Uint8Array }>();
  private readonly hostClose = new Emitter<number>();
  private readonly hostState = new Emitter<'online' | 'offline'>();

  readonly hostLink: HostLink & { sent: number } = {
    onOpen: this.hostOpen.event,
    onFrame: this.hostFrame.event,
    onClose: this.hostClose.event,
    onState: this.hostState.event,
    sent: 0,
    send: (conn, frame) => {
      this.hostLink.sent++;
      this.deliver('toDevice', conn, frame.slice());
    },
    close: (conn, code, reason) => {
      const socket = this.sockets.get(conn);
      if (socket) this.cut(socket, code, reason);
    },
    dispose: () => undefined,
  };

  /** The DeviceSocketFactory. */
  readonly connect = (url: string): FakeDeviceSocket => {
    const socket = new FakeDeviceSocket(this, this.nextConn++, url);
    this.urls.push(url);
    // Like a real socket, it opens (or fails) later, after the caller has subscribed: await settle().
    if (!this.reachable) {
      queueMicrotask(() => this.enqueue(() => this.finish(socket, 1006, 'unreachable', false)));
      return socket;
    }
    this.sockets.set(socket.conn, socket);
    const open = () =>
      this.enqueue(() => {
        if (socket.isClosed) return;
        this.hostOpen.fire(socket.conn);
        socket.opened.fire();
      });
    if (this.holdOpens) this.heldOpens.push(open);
    else queueMicrotask(open);
    return socket;
  };

  /** The sockets held by `holdOpens` open now, oldest first. */
  releaseOpens(): void {
    this.holdOpens = false;
    for (const open of this.heldOpens.splice(0)) open();
  }

  deliver(dir: Direction, conn: number, frame: Uint8Array): void {
    this.enqueue(() => {
      const socket = this.sockets.get(conn);
      if (!socket || socket.isClosed) return;
      const out = this.interceptor ? this.interceptor(frame, dir, conn) : frame;
      if (!out) return;
      if (dir === 'toHost') this.hostFrame.fire({ conn, frame: out });
      else socket.frames.fire(out);
    });
  }

  closeFromDevice(socket: FakeDeviceSocket, code: number, reason: string): void {
    this.cut(socket, code, reason);
  }

  /** The network dies under one device: both ends see an abnormal close. */
  drop(conn: number): void {
    const socket = this.sockets.get(conn);
    if (socket) this.cut(socket, 1006, 'connection lost');
  }

  /** The host's own connection to the relay changes state. */
  setHostState(state: 'online' | 'offline'): void {
    this.enqueue(() => this.hostState.fire(state));
  }

  /** Open sockets, oldest first. */
  openSockets(): FakeDeviceSocket[] {
    return [...this.sockets.values()].filter((s) => !s.isClosed);
  }

  private cut(socket: FakeDeviceSocket, code: number, reason: string): void {
    if (socket.isClosed) return;
    socket.isClosed = true;
    socket.closeCode = code;
    this.enqueue(() => this.finish(socket, code, reason, true));
  }

  private finish(socket: FakeDeviceSocket, code: number, reason: string, hostKnew: boolean): void {
    socket.isClosed = true;
    socket.closeCode = code;
    this.sockets.delete(socket.conn);
    if (hostKnew) this.hostClose.fire(socket.conn);
    socket.closed.fire({ code, reason });
  }

  private enqueue(fn: () => void): void {
    this.queue.push(fn);
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length) this.queue.shift()!();
    } finally {
      this.draining = false;
    }
  }
}

/** Lets sockets opened so far open (and everything that follows from it run). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A minimal stand-in for the lead's HostService, over a BridgeHost: `hello` on connect (and in answer to the
 * device's), `sync` answered from
 * an in-memory chat log (then `synced`), prompts typed at most once per clientId and echoed as `user` events.
 */
export class FakeHostApp implements Disposable {
  readonly log: { seq: number; at: number; event: ChatEvent }[] = [];
  readonly typed: string[] = [];
  readonly received: { device: ConnectedDevice; message: DeviceMessage }[] = [];
  private readonly seen = new Set<string>();
  private readonly subs: Disposable[];

  constructor(
    private readonly host: BridgeHost,
    readonly sessionId = 's1',
  ) {
    this.subs = [
      host.onDeviceConnected((d) => host.send(d.id, { type: 'hello', v: 1, hostName: 'test host', sessions: [this.info()] })),
      host.onMessage((m) => {
        this.received.push(m);
        this.receive(m.device, m.message);
      }),
    ];
  }

  info(): SessionInfo {
    return { id: this.sessionId, title: 't', agent: 'claude', cwd: '/w', status: 'working', since: 0, lastSeq: this.log.length };
  }

  /** The agent said something: logged and broadcast. */
  append(event: ChatEvent): void {
    const entry = { seq: this.log.length + 1, at: 1, event };
    this.log.push(entry);
    this.host.send('all', { type: 'chat', session: this.sessionId, ...entry });
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }

  private receive(device: ConnectedDevice, m: DeviceMessage): void {
    const send = (out: HostMessage) => this.host.send(device.id, out);
    // Like HostService: a device's hello is answered (this stand-in speaks no features).
    if (m.type === 'hello') send({ type: 'hello', v: 1, hostName: 'test host', sessions: [this.info()], features: [] });
    else if (m.type === 'sync') {
      for (const e of this.log.filter((x) => x.seq > m.after)) send({ type: 'chat', session: m.session, ...e });
      send({ type: 'synced', session: m.session, seq: this.log.length });
    } else if (m.type === 'prompt') {
      if (this.seen.has(m.clientId)) return; // exactly once per clientId
      this.seen.add(m.clientId);
      this.typed.push(m.text);
      this.append({ kind: 'user', text: m.text, source: 'device', clientId: m.clientId });
    }
  }
}
