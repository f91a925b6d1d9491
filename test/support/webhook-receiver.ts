import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** A message as a receiver got it: verified with the endpoint's secret by `standardwebhooks`. */
export interface Received {
  readonly id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly timestamp: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Whether the signature verified (a receiver in production drops the message when not). */
  readonly verified: boolean;
  readonly answered: number;
}

/**
 * A webhook receiver on 127.0.0.1, as a district's other system would run one: it verifies each
 * delivery's signature and answers `status` (200 while up; 503 "down for a while", 410 gone).
 * Every request is kept, answered or not, in arrival order.
 */
export class WebhookReceiver {
  readonly requests: Received[] = [];
  status = 200;
  /** How long it takes to answer (a slow receiver: a worker can be killed mid-delivery). */
  delayMs = 0;
  secret = '';
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(path = '/ledger-hooks'): Promise<WebhookReceiver> {
    const holder: { receiver?: WebhookReceiver } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const receiver = holder.receiver!;
        receiver.keep(body, req.headers);
        const status = receiver.status;
        setTimeout(() => {
          res.statusCode = status;
          res.end();
        }, receiver.delayMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}${path}`);
    return holder.receiver;
  }

  private keep(body: string, headers: IncomingHttpHeaders): void {
    let verified = false;
    try {
      new Webhook(this.secret).verify(body, headers as Record<string, string>);
      verified = true;
    } catch {
      verified = false;
    }
    const parsed = JSON.parse(body) as {
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    };
    this.requests.push({
      id: String(headers['webhook-id']),
      type: parsed.type,
      data: parsed.data,
      timestamp: parsed.timestamp,
      headers,
      body,
      verified,
      answered: this.status,
    });
  }

  /** The messages it accepted (a 2xx), the first time each came, in arrival order. */
  accepted(): Received[] {
    const seen = new Set<string>();
    return this.requests.filter((r) => {
      if (r.answered >= 300 || seen.has(r.id)) return false;
      seen.add(r.id);
      return true;
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
