import { classifiedPg, type SqlClient } from '@ledger/event-store';
import type { ReadDb } from '@ledger/projections';
import { randomUUID } from 'node:crypto';

/** The table beside the log (found by the connection's search path: the deployment's schema). */
export const PRINCIPAL_TOKENS_TABLE = 'principal_tokens';

const DDL = `create table if not exists ${PRINCIPAL_TOKENS_TABLE} (
  token_id text primary key,
  principal_id text not null,
  token_hash text not null unique,
  created_at timestamptz not null default now()
)`;

/** A principal as authentication needs it, with its token's hash to compare in constant time. */
export interface PrincipalRecord {
  principalId: string;
  role: string;
  communityIds: string[];
  stationIds: string[];
  riderId: string | null;
  tokenHash: string;
  /** A token a rotation replaced acts until then (ms since the epoch); `null`: the current one. */
  validUntil: number | null;
}

/**
 * Tokens' SHA-256 hashes, beside the log rather than in it: `PrincipalCreated` names its token's
 * row (`token: { tokenId }`), so a row no event names (left by an append that was refused, or by
 * a crash before it) never authenticates anyone.
 */
export class PrincipalTokens {
  private constructor(private readonly sql: SqlClient) {}

  static async open(sql: SqlClient): Promise<PrincipalTokens> {
    const tokens = new PrincipalTokens(sql);
    await classifiedPg(() => sql.exec(DDL));
    return tokens;
  }

  /** Records the hash of a principal's new token; the event then names the returned id. */
  async issue(principalId: string, tokenHash: string): Promise<string> {
    const tokenId = randomUUID();
    await classifiedPg(() =>
      this.sql.query(
        `insert into ${PRINCIPAL_TOKENS_TABLE} (token_id, principal_id, token_hash) values ($1, $2, $3)`,
        [tokenId, principalId, tokenHash],
      ),
    );
    return tokenId;
  }

  /** Removes a token no event names (its principal's creation was refused). */
  async withdraw(tokenId: string): Promise<void> {
    await classifiedPg(() =>
      this.sql.query(`delete from ${PRINCIPAL_TOKENS_TABLE} where token_id = $1`, [tokenId]),
    );
  }

  /**
   * The unrevoked principal whose token hashes to `hash`: its current token, or the one a
   * rotation replaced while its grace lasts; through the token table for principals created since
   * version 2 of `PrincipalCreated`, through the hash in the read model for older ones.
   */
  async principalOf(db: ReadDb, hash: string): Promise<PrincipalRecord | undefined> {
    const columns = 'p.principal_id, p.role, p.community_ids, p.station_ids, p.rider_id';
    const p = `${db.schema}.principals p`;
    const live = 'not p.revoked and p.previous_valid_until > now()';
    const { rows } = await db.query<{
      principal_id: string;
      role: string;
      community_ids: string[];
      station_ids: string[];
      rider_id: string | null;
      token_hash: string;
      valid_until: Date | null;
    }>(
      `select ${columns}, t.token_hash, null::timestamptz valid_until
         from ${PRINCIPAL_TOKENS_TABLE} t join ${p} on p.token_id = t.token_id
       where t.token_hash = $1 and not p.revoked
       union all
       select ${columns}, p.token_hash, null from ${p} where p.token_hash = $1 and not p.revoked
       union all
       select ${columns}, t.token_hash, p.previous_valid_until
         from ${PRINCIPAL_TOKENS_TABLE} t join ${p} on p.previous_token_id = t.token_id
       where t.token_hash = $1 and ${live}
       union all
       select ${columns}, p.previous_token_hash, p.previous_valid_until from ${p}
       where p.previous_token_hash = $1 and ${live}
       limit 1`,
      [hash],
    );
    const r = rows[0];
    return (
      r && {
        principalId: r.principal_id,
        role: r.role,
        communityIds: r.community_ids,
        stationIds: r.station_ids,
        riderId: r.rider_id,
        tokenHash: r.token_hash,
        validUntil: r.valid_until === null ? null : new Date(r.valid_until).getTime(),
      }
    );
  }
}
