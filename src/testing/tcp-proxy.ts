import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/**
 * A TCP relay in front of a database server, for outage tests: point a pool at `port` and the
 * test can cut every connection (and refuse new ones) and later restore the service on the same
 * port — a database restart or a network cut and its recovery, without touching the real
 * server that other tests share.
 */
export class TcpProxy {
  readonly #targetHost: string;
  readonly #targetPort: number;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #port = 0;
  #commitCut: (() => void) | undefined;

  private constructor(targetHost: string, targetPort: number) {
    this.#targetHost = targetHost;
    this.#targetPort = targetPort;
    this.#server = createServer((client) => this.#relay(client));
  }

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await proxy.#listen(0);
    return proxy;
  }

  /** A copy of `url` (postgres://…) that goes through this proxy. */
  static via(url: string, proxy: TcpProxy): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(proxy.port);
    return parsed.toString();
  }

  get port(): number {
    return this.#port;
  }

  /** Connections relayed now. */
  get open(): number {
    return this.#sockets.size / 2;
  }

  /** The outage: every relayed connection is reset and the port refuses new ones. */
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await closed;
  }

  /** The recovery: the same port accepts connections again. */
  async restore(): Promise<void> {
    await this.#listen(this.#port);
  }

  /**
   * The worst moment of an outage: the next `COMMIT` a client sends reaches the server, which
   * commits, and its answer is dropped as the client's connection is reset — the client cannot
   * know whether its transaction committed. Resolves once that has happened.
   */
  cutOnNextCommit(): Promise<void> {
    return new Promise((resolve) => {
      this.#commitCut = resolve;
    });
  }

  async close(): Promise<void> {
    if (this.#server.listening) await this.cut();
  }

  #listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.removeListener('error', reject);
        this.#port = (this.#server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  #relay(client: Socket): void {
    const upstream = tcpConnect(this.#targetPort, this.#targetHost);
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        this.#sockets.delete(socket);
        (socket === client ? upstream : client).destroy();
      });
    }
    // Set when this connection's COMMIT was sent on: the server's answer to it is never relayed.
    let dropAnswer: (() => void) | undefined;
    client.on('data', (chunk: Buffer) => {
      // Kysely sends COMMIT as a simple query: 'Q', length, "commit\0".
      if (this.#commitCut && chunk.includes('commit\0')) {
        dropAnswer = this.#commitCut;
        this.#commitCut = undefined;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (dropAnswer === undefined) {
        client.write(chunk);
        return;
      }
      // The server has processed the COMMIT and answered: the client never hears of it.
      const done = dropAnswer;
      dropAnswer = undefined;
      client.destroy();
      upstream.destroy();
      done();
    });
  }
}
