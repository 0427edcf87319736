// A minimal round-robin TCP load balancer on 127.0.0.1 for the relay cluster test: each new connection goes
// to the next backend that accepts it (a dead backend is skipped), as Caddy or HAProxy would do in front of
// relay nodes. Bytes are piped both ways untouched.
import net from 'node:net';

export class TcpBalancer {
  private next = 0;
  private readonly server: net.Server;
  private readonly conns = new Set<net.Socket>();

  constructor(private readonly backends: number[]) {
    this.server = net.createServer((client) => this.route(client, 0));
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  close(): Promise<void> {
    for (const s of this.conns) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private route(client: net.Socket, tried: number): void {
    client.pause();
    client.on('error', () => {});
    if (tried >= this.backends.length) return void client.destroy();
    const port = this.backends[this.next++ % this.backends.length]!;
    const upstream = net.connect(port, '127.0.0.1');
    let connected = false;
    upstream.on('error', () => {
      if (!connected && !client.destroyed) return this.route(client, tried + 1);
      client.destroy();
    });
    upstream.once('connect', () => {
      connected = true;
      this.conns.add(client).add(upstream);
      client.once('close', () => (upstream.destroy(), this.conns.delete(client)));
      upstream.once('close', () => (client.destroy(), this.conns.delete(upstream)));
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }
}
