import { classifiedPg, StoreUnavailable, type SqlClient, type SqlQuery } from '@ledger/event-store';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
  readonly contentType: string;
}

export type Claim =
  /** `claimId` names this request's hold on the key: only it completes or releases it. */
  | { kind: 'claimed'; claimId: string }
  | { kind: 'in-use' }
  | { kind: 'reused' }
  | { kind: 'replay'; response: StoredResponse };

/** api.md: keys are remembered at least 24 h per principal; they are purged after this. */
export const IDEMPOTENCY_RETENTION_HOURS = 48;
/** A claim this old whose request never finished (its process died) may be taken over. */
export const ABANDONED_CLAIM_SECONDS = 60;
const RELEASE_RETRY_MS = 1000;
/** Expired keys are purged at start and every hour (kept 48 h, so always at least the 24 h of api.md). */
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

const logger = new Logger('idempotency');

export const IDEMPOTENCY_TABLE = 'idempotency_keys';

/**
 * Deletes, in an erasure's transaction, every answer kept for a retry that repeats one of the
 * erased texts (a registration's answer holds the name and phone it registered); answers whether
 * the table exists here (the API's processes create it, a worker's or the CLI's may not).
 */
export async function deleteAnswersRepeating(
  query: SqlQuery,
  erased: readonly string[],
): Promise<boolean> {
  const { rows } = await query<{ present: boolean }>(
    `select to_regclass('${IDEMPOTENCY_TABLE}') is not null as present`,
  );
  if (!rows[0]?.present) return false;
  for (const text of new Set(erased)) {
    if (!text) continue;
    const asInJson = JSON.stringify(text).slice(1, -1);
    await query(`delete from ${IDEMPOTENCY_TABLE} where position($1 in body::text) > 0`, [
      asInJson,
    ]);
  }
  return true;
}

const DDL = `create table if not exists idempotency_keys (
  principal_id text not null,
  key text not null,
  request_hash text not null,
  status integer,
  content_type text,
  body jsonb,
  created_at timestamptz not null default now(),
  primary key (principal_id, key)
);
alter table idempotency_keys add column if not exists claim_id text`;

/**
 * Idempotency records in the SQL database beside the log (so they survive restarts and are
 * shared by API replicas): a request claims its key, then stores the response it gave.
 */
export class IdempotencyStore {
  /** Claims whose release failed (the database was away), by claim id, with when to give up. */
  private readonly unreleased = new Map<
    string,
    { principalId: string; key: string; until: number }
  >();
  private releasing: NodeJS.Timeout | undefined;
  private retryingReleases = false;

  private constructor(private readonly sql: SqlClient) {}

  static async open(sql: SqlClient): Promise<IdempotencyStore> {
    const store = new IdempotencyStore(sql);
    await classifiedPg(() => sql.exec(DDL));
    return store;
  }

  /** Opens the store, purges expired keys, and keeps purging every hour (the API's keys). */
  static async openPurging(sql: SqlClient): Promise<IdempotencyStore> {
    const store = await IdempotencyStore.open(sql);
    await store.purgeExpired();
    const purge = () =>
      store
        .purgeExpired()
        .catch((error: unknown) =>
          logger.warn({ msg: 'purging expired idempotency keys failed', error: String(error) }),
        );
    setInterval(() => void purge(), PURGE_INTERVAL_MS).unref();
    return store;
  }

  /**
   * Claims (principal, key) for a request, or says why not: another body, still running, or done.
   * When the database goes away during the claim, the claim may have been stored without this
   * process hearing so: it is released in the background as soon as the database answers (only
   * this request's claim, by its id), so the client's retry does not meet IDEMPOTENCY_KEY_IN_USE
   * for the minute an abandoned claim takes to expire.
   */
  async claim(principalId: string, key: string, requestHash: string): Promise<Claim> {
    const claimId = randomUUID();
    let inserted: { rows: unknown[] };
    try {
      inserted = await classifiedPg(() =>
        this.sql.query(
          `insert into idempotency_keys (principal_id, key, request_hash, claim_id) values ($1, $2, $3, $5)
         on conflict (principal_id, key) do update set request_hash = excluded.request_hash,
           claim_id = excluded.claim_id, created_at = now()
           where idempotency_keys.status is null and idempotency_keys.request_hash = excluded.request_hash
             and idempotency_keys.created_at < now() - make_interval(secs => $4)
         returning 1`,
          [principalId, key, requestHash, ABANDONED_CLAIM_SECONDS, claimId],
        ),
      );
    } catch (error) {
      if (error instanceof StoreUnavailable) this.releaseLater(principalId, key, claimId);
      throw error;
    }
    if (inserted.rows.length > 0) return { kind: 'claimed', claimId };
    const { rows } = await classifiedPg(() =>
      this.sql.query<{
        request_hash: string;
        status: number | null;
        content_type: string | null;
        body: unknown;
      }>(
        'select request_hash, status, content_type, body from idempotency_keys where principal_id = $1 and key = $2',
        [principalId, key],
      ),
    );
    const row = rows[0];
    if (!row) return this.claim(principalId, key, requestHash); // released in between: try again
    if (row.request_hash !== requestHash) return { kind: 'reused' };
    if (row.status === null) return { kind: 'in-use' };
    return {
      kind: 'replay',
      response: {
        status: row.status,
        body: row.body,
        contentType: row.content_type ?? 'application/json',
      },
    };
  }

  async complete(
    principalId: string,
    key: string,
    claimId: string,
    response: StoredResponse,
  ): Promise<void> {
    await classifiedPg(() =>
      this.sql.query(
        'update idempotency_keys set status = $4, content_type = $5, body = $6::jsonb where principal_id = $1 and key = $2 and claim_id = $3',
        [
          principalId,
          key,
          claimId,
          response.status,
          response.contentType,
          JSON.stringify(response.body ?? null),
        ],
      ),
    );
  }

  /**
   * Gives the key back: the request wrote nothing (it failed validation, or on the server). Only
   * this request's claim goes; one another request holds meanwhile is left alone.
   */
  async release(principalId: string, key: string, claimId: string): Promise<void> {
    await classifiedPg(() =>
      this.sql.query(
        'delete from idempotency_keys where principal_id = $1 and key = $2 and claim_id = $3 and status is null',
        [principalId, key, claimId],
      ),
    );
  }

  /**
   * Releases the key, or, when the database is away, keeps trying every second in the background:
   * a client that retries after an outage must not meet IDEMPOTENCY_KEY_IN_USE for the minute it
   * takes an abandoned claim to expire. Never throws.
   */
  async releaseOrRetry(principalId: string, key: string, claimId: string): Promise<void> {
    try {
      await this.release(principalId, key, claimId);
    } catch (error) {
      logger.warn({
        msg: 'idempotency key not released; retrying in the background',
        error: String(error),
      });
      this.releaseLater(principalId, key, claimId);
    }
  }

  /** Keys whose release waits for the database, for tests and health. */
  get pendingReleases(): number {
    return this.unreleased.size;
  }

  private releaseLater(principalId: string, key: string, claimId: string): void {
    this.unreleased.set(claimId, {
      principalId,
      key,
      until: Date.now() + ABANDONED_CLAIM_SECONDS * 1000,
    });
    this.releasing ??= setInterval(() => void this.retryReleases(), RELEASE_RETRY_MS).unref();
  }

  private async retryReleases(): Promise<void> {
    if (this.retryingReleases) return; // a tick still waits for the database
    this.retryingReleases = true;
    try {
      for (const [claimId, { principalId, key, until }] of this.unreleased) {
        const done = await this.release(principalId, key, claimId).then(
          () => true,
          () => Date.now() > until, // by then the claim may be taken over anyway
        );
        if (!done) return; // still away: try again on the next tick
        this.unreleased.delete(claimId);
      }
      clearInterval(this.releasing);
      this.releasing = undefined;
    } finally {
      this.retryingReleases = false;
    }
  }

  async purgeExpired(): Promise<number> {
    const { rows } = await classifiedPg(() =>
      this.sql.query(
        `delete from idempotency_keys where created_at < now() - make_interval(hours => $1) returning 1`,
        [IDEMPOTENCY_RETENTION_HOURS],
      ),
    );
    return rows.length;
  }
}
