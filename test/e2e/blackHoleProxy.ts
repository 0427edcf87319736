// A TCP proxy on 127.0.0.1 that can lose the network the way mobile data does: `blackHole()` stops
// forwarding bytes on every connection open at that moment WITHOUT closing anything (no FIN, no RST — the
// peers keep waiting), and, while `holeNew` is on, new connections are accepted and then black-holed too.
// `restore()` lets new connections through again; black-holed ones stay dead and silent, as after a real
// outage, until the client sends on one: that gets an RST, as from a server that forgot the connection.
import net from 'node:net';

export class BlackHoleProxy {
  private readonly server: net.Server;
  private readonly live = new Set<{ client: net.Socket; upstream: net.Socket; dead: boolean }>();
  private holing = false;
  port = 0;
  /** Connections accepted so far (a test waits for a client's next attempt with it). */
  accepted = 0;

  constructor(private target: number) {
    this.server = net.createServer((client) => this.accept(client));
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Points new connections at another port (a relay restarted elsewhere). */
  retarget(port: number): void {
    this.target = port;
  }

  /** Silently drops every open connection, and new ones until restore(). */
  blackHole(): void {
    this.holing = true;
    for (const c of this.live) this.kill(c);
  }

  restore(): void {
    this.holing = false;
  }

  private reset(c: { client: net.Socket; upstream: net.Socket }): void {
    c.client.resetAndDestroy();
    c.upstream.destroy();
  }

  /**
   * Resets the black-holed connections (as a peer does with an RST when packets flow again for a connection
   * it has long forgotten), so a browser does not reuse a dead keep-alive connection for the next page load.
   */
  resetDead(): void {
    for (const c of this.live) {
      if (!c.dead) continue;
      c.client.resetAndDestroy();
      c.upstream.destroy();
    }
  }

  /** Connections still forwarding. */
  get forwarding(): number {
    return [...this.live].filter((c) => !c.dead).length;
  }

  async close(): Promise<void> {
    for (const c of this.live) {
      c.client.destroy();
      c.upstream.destroy();
    }
    this.live.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.accepted++;
    client.on('error', () => {});
    const upstream = net.connect(this.target, '127.0.0.1');
    upstream.on('error', () => {});
    const c = { client, upstream, dead: false };
    this.live.add(c);
    client.once('close', () => (upstream.destroy(), this.live.delete(c)));
    upstream.once('close', () => {
      // A closed upstream (the relay stopped) is passed on as a close, unless this connection is black-holed.
      if (!c.dead) client.destroy();
      this.live.delete(c);
    });
    client.pipe(upstream);
    upstream.pipe(client);
    if (this.holing) this.kill(c);
  }

  /** Stops forwarding both ways; neither socket is closed or told anything. */
  private kill(c: { client: net.Socket; upstream: net.Socket; dead: boolean }): void {
    if (c.dead) return;
    c.dead = true;
    c.client.unpipe(c.upstream);
    c.upstream.unpipe(c.client);
    // Keep reading and discarding, so neither side sees back-pressure it could act on. Once the network is
    // back, the first bytes the client sends on such a connection get an RST, as from a peer that forgot it.
    c.client.on('data', () => {
      if (!this.holing) this.reset(c);
    });
    c.upstream.on('data', () => {});
  }
}
