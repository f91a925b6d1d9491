import type { SqlClient } from '@ledger/event-store';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** How long a lease lasts unless renewed (`PROJECTION_LEASE_MS`); renewed every third of it. */
export const DEFAULT_LEASE_MS = 6000;

/** A process's name in the lease table and the logs: host, pid and a random tag. */
export function runnerId(): string {
  return `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
}

/** The lease tables, in the read schema beside the checkpoints. */
export function leasesDdl(schema: string): string {
  return `create table if not exists ${schema}.projection_leases (projection text primary key,
      holder text, epoch bigint not null default 0, expires_at timestamptz);
    create table if not exists ${schema}.projection_runners (holder text primary key,
      seen_until timestamptz not null);`;
}

/** A lease this process holds: its epoch fences every batch it applies. */
export interface Lease {
  readonly projection: string;
  readonly holder: string;
  readonly epoch: number;
}

/** Who holds a projection now (`null`: nobody, or an expired lease). */
export interface LeaseHolder {
  readonly projection: string;
  readonly holder: string | null;
  readonly expiresAt: string | null;
}

/**
 * Leases on projections, one row per projection with holder, epoch and expiry, all times the
 * database's (processes' clocks never compared). A process takes a free or expired lease (a new
 * epoch), renews its own, and gives them back when it stops. The lease decides who follows the
 * log for a projection; what makes a batch apply once is the checkpoint's compare-and-set, which
 * also checks the lease (`advanceCheckpoint`): a holder that lost its lease without knowing it
 * (paused, cut off) cannot write.
 */
export class ProjectionLeases {
  constructor(
    private readonly sql: SqlClient,
    private readonly schema: string,
    readonly holder: string,
    readonly leaseMs: number,
  ) {}

  /** Takes the projection's lease if it is free or expired; `undefined` when another holds it. */
  async acquire(projection: string): Promise<Lease | undefined> {
    const { rows } = await this.sql.query<{ epoch: string | number }>(
      `insert into ${this.schema}.projection_leases as l (projection, holder, epoch, expires_at)
       values ($1, $2, 1, now() + make_interval(secs => $3))
       on conflict (projection) do update set holder = excluded.holder, epoch = l.epoch + 1,
         expires_at = excluded.expires_at
       where l.holder is null or l.expires_at < now()
       returning epoch`,
      [projection, this.holder, this.leaseMs / 1000],
    );
    const row = rows[0];
    return row && { projection, holder: this.holder, epoch: Number(row.epoch) };
  }

  /** Extends the lease; false when it was lost (expired and taken, or released). */
  async renew(lease: Lease): Promise<boolean> {
    const { rows } = await this.sql.query(
      `update ${this.schema}.projection_leases set expires_at = now() + make_interval(secs => $4)
       where projection = $1 and holder = $2 and epoch = $3 returning 1`,
      [lease.projection, lease.holder, lease.epoch, this.leaseMs / 1000],
    );
    return rows.length > 0;
  }

  /** Gives the lease back at once, so another process need not wait for it to expire. */
  async release(lease: Lease): Promise<void> {
    await this.sql.query(
      `update ${this.schema}.projection_leases set holder = null, expires_at = null
       where projection = $1 and holder = $2 and epoch = $3`,
      [lease.projection, lease.holder, lease.epoch],
    );
  }

  /** Says this process runs projections (for a lease's expiry), and how many do now. */
  async heartbeat(): Promise<number> {
    await this.sql.query(
      `insert into ${this.schema}.projection_runners (holder, seen_until)
       values ($1, now() + make_interval(secs => $2))
       on conflict (holder) do update set seen_until = excluded.seen_until`,
      [this.holder, this.leaseMs / 1000],
    );
    const { rows } = await this.sql.query<{ live: string | number }>(
      `select count(*) as live from ${this.schema}.projection_runners where seen_until > now()`,
    );
    await this.sql.query(
      `delete from ${this.schema}.projection_runners where seen_until < now() - interval '1 hour'`,
    );
    return Math.max(1, Number(rows[0]?.live ?? 1));
  }

  /**
   * Forgets every lease and runner: for a store only one process can open (the embedded folder),
   * where whatever the table holds was left by a process that is gone.
   */
  async forgetOthers(): Promise<void> {
    await this.sql.query(`delete from ${this.schema}.projection_leases`);
    await this.sql.query(`delete from ${this.schema}.projection_runners`);
  }

  /** This process is gone: others need not wait for it before sharing its projections. */
  async leave(): Promise<void> {
    await this.sql.query(`delete from ${this.schema}.projection_runners where holder = $1`, [
      this.holder,
    ]);
  }

  /** Every projection's holder now. */
  async holders(projections: readonly string[]): Promise<LeaseHolder[]> {
    const { rows } = await this.sql.query<{
      projection: string;
      holder: string | null;
      expires_at: Date | null;
    }>(
      `select projection, holder, expires_at from ${this.schema}.projection_leases
       where holder is not null and expires_at > now()`,
    );
    return projections.map((projection) => {
      const row = rows.find((r) => r.projection === projection);
      return {
        projection,
        holder: row?.holder ?? null,
        expiresAt: row?.expires_at ? new Date(row.expires_at).toISOString() : null,
      };
    });
  }
}
