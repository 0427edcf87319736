// A recording HTTP server on 127.0.0.1 that answers with a scripted status and body: the stand-in for the
// ntfy and Telegram APIs in tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class HttpStub {
  readonly requests: StubRequest[] = [];
  reply: (req: StubRequest) => { status: number; body?: string } = () => ({ status: 200, body: '{}' });
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: StubRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      this.requests.push(r);
      const { status, body } = this.reply(r);
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(body ?? '');
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
