import { classifiedPg, type SqlClient } from '@ledger/event-store';
import { Logger } from '@nestjs/common';
import type { EventStore } from '@ledger/event-store';
import { headsDigest } from '../write/chain';
import { sealAt, type LastSealPassed, type VerifiedStart } from './verify';

const logger = new Logger('verification');

const DDL = `create table if not exists verified_seal (
  id boolean primary key default true check (id),
  seal_position bigint not null,
  head_position bigint not null,
  head_cursor text not null,
  digest text not null,
  verified_at timestamptz not null default now()
);
create table if not exists verified_heads (
  stream text primary key,
  revision bigint not null,
  hash text not null
)`;

/** Heads written per statement when a run leaves its start for the next. */
const HEADS_PER_STATEMENT = 5000;

/**
 * Where the next verification may start (beside the log): the last seal a passing run verified,
 * and every stream's head at its cut-off. Only a shortcut: a start whose heads do not give the
 * seal's digest, or whose seal is not in the log as recorded, is not used (the run starts from
 * the first event), and a run that finds the log bad removes it, so an incremental run after a
 * failed one fails too. Tampering with events before the start is found by a full run only.
 */
export class VerifiedStarts {
  private constructor(private readonly sql: SqlClient) {}

  static async open(sql: SqlClient): Promise<VerifiedStarts> {
    const starts = new VerifiedStarts(sql);
    await classifiedPg(() => sql.exec(DDL));
    return starts;
  }

  /** The start, checked against the log's seal and its digest; `undefined`: start from the first event. */
  async load(store: EventStore): Promise<VerifiedStart | undefined> {
    const { rows } = await classifiedPg(() =>
      this.sql.query<{ seal_position: string | number; digest: string }>(
        'select seal_position, digest from verified_seal',
      ),
    );
    const saved = rows[0];
    if (!saved) return undefined;
    const seal = await sealAt(store, Number(saved.seal_position));
    if (!seal || seal.digest !== saved.digest) {
      logger.warn(`the verified seal at ${saved.seal_position} is not in the log as recorded`);
      return undefined;
    }
    const heads = new Map<string, { revision: number; hash: string }>();
    const all = await classifiedPg(() =>
      this.sql.query<{ stream: string; revision: string | number; hash: string }>(
        'select stream, revision, hash from verified_heads',
      ),
    );
    for (const r of all.rows) heads.set(r.stream, { revision: Number(r.revision), hash: r.hash });
    if (headsDigest(heads) !== seal.digest) {
      logger.warn(`the heads saved at the seal at ${seal.position} do not give its digest`);
      return undefined;
    }
    return { seal, heads };
  }

  /**
   * Leaves the run's last seal for the next run (`fromStart`: the run began at the saved start,
   * so only the changed heads are written; else every head is replaced). A run that started
   * earlier than the saved start, or stopped at an earlier seal, leaves it as it is.
   */
  async save(passed: LastSealPassed, fromStart: boolean): Promise<void> {
    const { seal, changed } = passed;
    await classifiedPg(() =>
      this.sql.transaction(async (query) => {
        const { rows } = await query(
          `insert into verified_seal (seal_position, head_position, head_cursor, digest)
           values ($1, $2, $3, $4)
           on conflict (id) do update set seal_position = excluded.seal_position,
             head_position = excluded.head_position, head_cursor = excluded.head_cursor,
             digest = excluded.digest, verified_at = now()
           where verified_seal.seal_position < excluded.seal_position
           returning 1`,
          [seal.position, seal.headPosition, seal.headCursor, seal.digest],
        );
        if (rows.length === 0) return;
        if (!fromStart) await query('delete from verified_heads');
        const entries = [...changed];
        for (let i = 0; i < entries.length; i += HEADS_PER_STATEMENT) {
          const slice = entries.slice(i, i + HEADS_PER_STATEMENT);
          await query(
            `insert into verified_heads (stream, revision, hash)
             select * from unnest($1::text[], $2::bigint[], $3::text[])
             on conflict (stream) do update set revision = excluded.revision, hash = excluded.hash`,
            [
              slice.map(([name]) => name),
              slice.map(([, h]) => h.revision),
              slice.map(([, h]) => h.hash),
            ],
          );
        }
      }),
    );
  }

  /** Forgets the start: the log was found bad, so the next run starts from the first event. */
  async clear(): Promise<void> {
    await classifiedPg(() =>
      this.sql.transaction(async (query) => {
        await query('delete from verified_seal');
        await query('delete from verified_heads');
      }),
    );
  }
}
