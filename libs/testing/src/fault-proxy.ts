import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * How a dependency fails:
 * - `refuse`: the server is stopped: open connections are reset, new ones refused;
 * - `blackhole`: the network drops everything: open connections stay open but carry nothing,
 *   new ones are accepted and never answered (a client learns only from its own timeouts).
 */
export type Fault = 'refuse' | 'blackhole';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server (PostgreSQL, Redis), for outage tests: point
 * the system under test at `url`, then `cut()` and `heal()` the link while it serves.
 */
export class FaultProxy {
  private server: Server | undefined;
  private fault: Fault | undefined;
  /** Every pair (client side, server side) that is open now. */
  private readonly pairs = new Set<{ client: Socket; upstream?: Socket }>();

  private boundPort = 0;

  private constructor(private readonly target: { host: string; port: number }) {}

  /** Listens on a free port and forwards to `target`. */
  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    proxy.boundPort = await proxy.listen(0);
    return proxy;
  }

  /** The proxy's port; it stays the same across cuts. */
  get port(): number {
    return this.boundPort;
  }

  /** `host:port` of the proxy, to put in a URL in place of the real server's. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Connections open through the proxy now (what the system under test holds). */
  get connections(): number {
    return this.pairs.size;
  }

  async cut(fault: Fault): Promise<void> {
    this.fault = fault;
    if (fault === 'refuse') {
      for (const pair of this.pairs) destroy(pair);
      await this.close();
    } else {
      for (const pair of this.pairs) {
        // Nothing crosses any more; what was sent is lost, as on a dead link.
        pair.client.pause();
        pair.upstream?.pause();
        pair.client.unpipe();
        pair.upstream?.unpipe();
      }
    }
  }

  /**
   * The dependency is back. Connections that lived through a blackhole are reset (the server has
   * long dropped them), as a real TCP stack would on its next segment.
   */
  async heal(): Promise<void> {
    const was = this.fault;
    this.fault = undefined;
    if (was === 'blackhole') for (const pair of this.pairs) destroy(pair);
    if (!this.server) await this.listen(this.port);
  }

  async stop(): Promise<void> {
    for (const pair of this.pairs) destroy(pair);
    await this.close();
  }

  private listen(port: number): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  private async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const pair: { client: Socket; upstream?: Socket } = { client };
    this.pairs.add(pair);
    client.on('error', () => destroy(pair));
    client.on('close', () => {
      destroy(pair);
      this.pairs.delete(pair);
    });
    if (this.fault === 'blackhole') {
      client.pause(); // accepted, never answered
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    pair.upstream = upstream;
    upstream.on('error', () => destroy(pair));
    upstream.on('close', () => destroy(pair));
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

function destroy(pair: { client: Socket; upstream?: Socket }): void {
  hangUp(pair.client);
  if (pair.upstream && !pair.upstream.destroyed) pair.upstream.destroy();
}

/**
 * Closes a client's connection as a stopped server's kernel does: with a reset (RST) while it is
 * live. A socket already shutting down (its peer ended it and Node is ending ours) cannot be reset:
 * Node's reset fails with EINVAL there and never closes the handle, which kept the test process
 * alive for minutes after the outage suite. Such a socket is simply destroyed.
 */
export function hangUp(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writableEnded) socket.destroy();
  else socket.resetAndDestroy();
}
