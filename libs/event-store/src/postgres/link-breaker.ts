import { Client, type ClientConfig } from 'pg';
import { StoreUnavailable } from '../event-store.errors';
import { sleep } from '../subscription';
import { sqlState } from '../sql/pg-errors';

/** While the link is down, a fresh connection is tried this often; the first that answers closes it. */
const PROBE_EVERY_MS = 250;
/** A probe is a new connection and `select 1`, each bounded by this. */
const PROBE_TIMEOUT_MS = 1000;

/**
 * Errors that mean the network path to the server is gone (refused, reset, silent), as opposed to
 * a server that answered with an error (a statement timeout, a shutdown notice, too many
 * connections): only these open the breaker, so one slow statement never fails every request.
 */
const LINK_CODES = new Set([
  '08001',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
]);
const LINK_MESSAGES =
  /connection terminated unexpectedly|timeout exceeded when trying to connect|query read timeout|connection timeout/i;

export function isLinkFailure(error: unknown): boolean {
  const cause = error instanceof StoreUnavailable ? error.cause : error;
  const code = sqlState(cause);
  if (code !== undefined && LINK_CODES.has(code)) return true;
  return LINK_MESSAGES.test(cause instanceof Error ? cause.message : String(cause));
}

/**
 * A circuit breaker on the link to PostgreSQL. When a statement fails because the link is gone
 * (refused, reset, or silent until a timeout), every later call fails at once with
 * `StoreUnavailable` instead of waiting out its own timeout on a pooled connection that leads
 * nowhere; a probe on a fresh connection every 250 ms closes the breaker as soon as the server
 * answers again. Requests during an outage are answered in microseconds, and the service is back
 * within a quarter second of the server.
 */
export class LinkBreaker {
  private probing: Promise<void> | undefined;
  private readonly closed = new AbortController();
  private openedAt: number | undefined;

  constructor(
    private readonly probeConfig: ClientConfig,
    /** The class of the pool's clients: with several hosts, it finds the one to probe. */
    private readonly ClientClass: typeof Client = Client,
  ) {}

  get isOpen(): boolean {
    return this.openedAt !== undefined;
  }

  /** Throws at once while the link is known to be down. */
  check(): void {
    if (this.openedAt !== undefined)
      throw new StoreUnavailable(
        `database unreachable for ${Date.now() - this.openedAt} ms (waiting for it to answer)`,
      );
  }

  /** Notes the outcome of a call: a link failure opens the breaker. */
  failed(error: unknown): void {
    if (this.closed.signal.aborted || !isLinkFailure(error)) return;
    this.openedAt ??= Date.now();
    this.probing ??= this.probeUntilUp().finally(() => (this.probing = undefined));
  }

  async close(): Promise<void> {
    this.closed.abort();
    await this.probing;
  }

  private async probeUntilUp(): Promise<void> {
    while (!this.closed.signal.aborted) {
      await sleep(PROBE_EVERY_MS, this.closed.signal);
      if (await this.probe()) {
        this.openedAt = undefined;
        return;
      }
    }
  }

  private async probe(): Promise<boolean> {
    const client = new this.ClientClass({
      ...this.probeConfig,
      connectionTimeoutMillis: PROBE_TIMEOUT_MS,
      query_timeout: PROBE_TIMEOUT_MS,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      // A probe's client is thrown away either way: failing to close it says nothing new.
      void client.end().catch(() => undefined);
    }
  }
}
