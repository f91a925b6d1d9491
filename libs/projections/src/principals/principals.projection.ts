import { isKeptText } from '@ledger/domain';
import { createHash } from 'node:crypto';
import { perEvent, type Projection } from '../projection';

/**
 * The channel on which the principals projection says a principal was revoked (payload: its id),
 * at the commit of the batch that marks it: every API process drops that principal from its cache
 * of authenticated tokens. One per read-model schema (deployments may share a database); a hash,
 * since a channel's name is at most 63 bytes.
 */
export function revocationChannel(schema: string): string {
  return `ledger_revoked_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`;
}

/**
 * Principals as the API authenticates them: role, scope, revoked, and which token acts as each
 * (`token_id`, a row of the token table beside the log). No name and no token hash: the name is a
 * kept text (`name_text_id`); only principals created before version 2 of `PrincipalCreated`
 * have theirs in the log, and so here (`name`, `token_hash`). After a rotation the token it
 * replaced stays in `previous_token_id` (or `previous_token_hash`) until `previous_valid_until`.
 * A rotation is told on the revocation channel too: caches drop the principal's tokens.
 */
export const principalsProjection: Projection = {
  name: 'principals',
  version: 3,
  tables: [{ name: 'principals', orderBy: 'principal_id' }],
  ddl: (s) => `
    create table if not exists ${s}.principals (principal_id text primary key,
      role text not null, community_ids text[] not null, station_ids text[] not null, rider_id text,
      name_text_id text, name text, token_id text unique, token_hash text unique,
      revoked boolean not null default false, previous_token_id text, previous_token_hash text,
      previous_valid_until timestamptz);`,
  applyBatch: perEvent(async (event, _stored, q, { schema: s }) => {
    if (event.type === 'PrincipalCreated') {
      const d = event.data;
      await q(
        `insert into ${s}.principals (principal_id, role, community_ids, station_ids, rider_id,
           name_text_id, name, token_id, token_hash)
         values ($1, $2, $3::text[], $4::text[], $5, $6, $7, $8, $9)`,
        [
          d.principalId,
          d.role,
          d.communityIds,
          d.stationIds,
          d.riderId ?? null,
          isKeptText(d.name) ? d.name.textId : null,
          isKeptText(d.name) ? null : d.name.inline,
          'tokenId' in d.token ? d.token.tokenId : null,
          'legacyHash' in d.token ? d.token.legacyHash : null,
        ],
      );
    } else if (event.type === 'PrincipalRevoked') {
      await q(`update ${s}.principals set revoked = true where principal_id = $1`, [
        event.data.principalId,
      ]);
      await q(`select pg_notify($1, $2)`, [revocationChannel(s), event.data.principalId]);
    } else if (event.type === 'PrincipalTokenRotated') {
      const { principalId, token, previousTokenValidUntil: until } = event.data;
      await q(
        `update ${s}.principals set
           previous_token_id = case when $3::timestamptz is null then null else token_id end,
           previous_token_hash = case when $3::timestamptz is null then null else token_hash end,
           previous_valid_until = $3::timestamptz, token_id = $2, token_hash = null
         where principal_id = $1`,
        [principalId, token.tokenId, until],
      );
      await q(`select pg_notify($1, $2)`, [revocationChannel(s), principalId]);
    }
  }),
};
