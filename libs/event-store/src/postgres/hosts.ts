import { Client, type ClientConfig } from 'pg';

/**
 * Several PostgreSQL servers in one `DATABASE_URL`, as libpq reads them
 * (`postgres://user@host1:5432,host2:5432/db?target_session_attrs=read-write`): node-postgres
 * connects to one host only, so the adapter picks the host itself. Every new connection goes to
 * the server last found writable; when it refuses or turns out to be a standby, the hosts are
 * tried in order (each with a connection and `pg_is_in_recovery()`) until one accepts writes.
 * While none does (the primary is gone and the standby not yet promoted), connecting fails with
 * SQLSTATE 08001, which the ledger answers as STORE_UNAVAILABLE (503) and retries by itself.
 */

export interface PgHost {
  readonly host: string;
  readonly port: number;
}

/** What the ledger accepts of libpq's `target_session_attrs`; it writes, so no standby-only. */
export const SESSION_ATTRS = ['any', 'read-write', 'primary'] as const;
export type SessionAttrs = (typeof SESSION_ATTRS)[number];

export interface DatabaseUrl {
  readonly hosts: readonly PgHost[];
  readonly targetSessionAttrs: SessionAttrs;
  /** The URL with the first host only and without `target_session_attrs`, for `pg`. */
  readonly connectionString: string;
}

const DEFAULT_PORT = 5432;
const URL_PARTS = /^(postgres(?:ql)?:\/\/)([^/?#]*)(.*)$/i;

/** Parses a `postgres://` URL with one host or several; throws an Error saying what is wrong. */
export function parseDatabaseUrl(url: string): DatabaseUrl {
  const parts = URL_PARTS.exec(url);
  if (!parts) throw new Error('must be a postgres:// or postgresql:// URL');
  const [, scheme, authority, rest] = parts;
  const at = authority.lastIndexOf('@');
  const userInfo = at === -1 ? '' : authority.slice(0, at + 1);
  const hostList = authority.slice(at + 1);
  // One host, or none (a socket given as ?host=…): the URL goes to `pg` as it is written.
  const hosts = hostList === '' ? [] : hostList.split(',').map(parseHost);
  const first = hosts[0];
  const single =
    hosts.length > 1 ? new URL(`${scheme}${userInfo}${hostText(first)}${rest}`) : new URL(url);
  const attrs = single.searchParams.get('target_session_attrs') ?? 'any';
  if (!(SESSION_ATTRS as readonly string[]).includes(attrs))
    throw new Error(
      `target_session_attrs=${attrs} cannot be used: the ledger writes (read-write, primary or any)`,
    );
  if (hosts.length <= 1 && !single.searchParams.has('target_session_attrs'))
    return { hosts, targetSessionAttrs: 'any', connectionString: url };
  single.searchParams.delete('target_session_attrs');
  return {
    hosts,
    targetSessionAttrs: attrs as SessionAttrs,
    connectionString: single.toString(),
  };
}

const hostText = ({ host, port }: PgHost) =>
  `${host.includes(':') ? `[${host}]` : encodeURIComponent(host)}:${port}`;

function parseHost(text: string): PgHost {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a host or host:port`);
  const port = match[3] === undefined ? DEFAULT_PORT : Number(match[3]);
  if (port < 1 || port > 65535) throw new Error(`port ${port} of "${text}" is out of range`);
  return { host: decodeURIComponent(match[1] ?? match[2]), port };
}

/** Why a server cannot take the ledger's writes, or undefined when it can. */
async function refusal(client: Client, attrs: SessionAttrs): Promise<string | undefined> {
  if (attrs === 'any') return undefined;
  const { rows } = await client.query<{ standby: boolean; readOnly: string }>(
    `select pg_is_in_recovery() as standby, current_setting('transaction_read_only') as "readOnly"`,
  );
  if (rows[0].standby) return 'is a standby (in recovery)';
  if (attrs === 'read-write' && rows[0].readOnly === 'on') return 'is read-only';
  return undefined;
}

/** No host of the URL accepts writes now: a connection failure (SQLSTATE 08001), retried. */
export class NoWritableHost extends Error {
  readonly code = '08001';
}

/**
 * Points a client not yet connected at `to`: the driver connects to `host` and `port` as they
 * are when `connect` is called (a `connectionString` would override them in the constructor).
 */
function aim(client: Client, to: PgHost): PgHost {
  client.host = to.host;
  client.port = to.port;
  const parameters = (client as unknown as { connectionParameters: { host: string; port: number } })
    .connectionParameters;
  parameters.host = to.host;
  parameters.port = to.port;
  return to;
}

const describe = ({ host, port }: PgHost) => `${host}:${port}`;

/**
 * The hosts of one URL and the one connections go to. `target()` gives the host last found
 * good, or looks for one (one search at a time); `lost()` forgets it after a failure.
 */
export class HostRing {
  private current = 0;
  private known = false;
  private finding: Promise<PgHost> | undefined;

  constructor(
    readonly hosts: readonly PgHost[],
    readonly attrs: SessionAttrs,
    private readonly config: ClientConfig,
  ) {}

  async target(): Promise<PgHost> {
    if (this.known) return this.hosts[this.current];
    this.finding ??= this.find().finally(() => (this.finding = undefined));
    return this.finding;
  }

  lost(): void {
    this.known = false;
  }

  /** Each host in turn from the current one: the first that connects and can write. */
  private async find(): Promise<PgHost> {
    const reasons: string[] = [];
    for (let k = 0; k < this.hosts.length; k++) {
      const index = (this.current + k) % this.hosts.length;
      const host = this.hosts[index];
      const probe = new Client({
        ...this.config,
        statement_timeout: undefined,
        query_timeout: this.config.connectionTimeoutMillis,
      });
      aim(probe, host);
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        const why = await refusal(probe, this.attrs);
        if (why !== undefined) {
          reasons.push(`${describe(host)} ${why}`);
          continue;
        }
        this.current = index;
        this.known = true;
        return host;
      } catch (error) {
        reasons.push(
          `${describe(host)}: ${error instanceof Error ? error.message : String(error)}`,
        );
      } finally {
        void probe.end().catch(() => undefined);
      }
    }
    throw new NoWritableHost(
      `no server of DATABASE_URL accepts writes now (${reasons.join('; ')})`,
    );
  }

  /** A `pg` Client class whose connections go to `target()` and are checked once connected. */
  clientClass(): typeof Client {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the class below needs the ring
    const ring = this;
    class FailoverClient extends Client {
      override connect(): Promise<Client>;
      override connect(callback: (err: Error) => void): void;
      override connect(callback?: (err: Error) => void): Promise<Client> | void {
        const done = this.connectToTarget();
        if (callback === undefined) return done;
        // pg-pool's callback style: called with no error once connected.
        done.then(
          () => (callback as (err: Error | undefined) => void)(undefined),
          (error: Error) => callback(error),
        );
      }

      private async connectToTarget(): Promise<Client> {
        const { host, port } = aim(this, await ring.target());
        try {
          await super.connect();
          const why = await refusal(this, ring.attrs);
          if (why !== undefined) throw new NoWritableHost(`${describe({ host, port })} ${why}`);
          return this;
        } catch (error) {
          ring.lost();
          if (error instanceof NoWritableHost) await this.end().catch(() => undefined);
          throw error;
        }
      }
    }
    return FailoverClient;
  }
}

/**
 * The `pg` settings of a URL: its first host, and for several hosts or a
 * `target_session_attrs` the Client class that picks the host.
 */
export function pgConnection(
  url: string,
  config: ClientConfig,
): { config: ClientConfig; Client?: typeof Client } {
  const parsed = parseDatabaseUrl(url);
  const base = { ...config, connectionString: parsed.connectionString };
  if (parsed.hosts.length <= 1 && parsed.targetSessionAttrs === 'any') return { config: base };
  const ring = new HostRing(parsed.hosts, parsed.targetSessionAttrs, base);
  return { config: base, Client: ring.clientClass() };
}
