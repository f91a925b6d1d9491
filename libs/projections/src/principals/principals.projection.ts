import { perEvent, type Projection } from '../projection';

/** Principals as the API authenticates them: role, scope, token hash (never the token), revoked. */
export const principalsProjection: Projection = {
  name: 'principals',
  tables: [{ name: 'principals', orderBy: 'principal_id' }],
  ddl: (s) => `
    create table if not exists ${s}.principals (principal_id text primary key, name text not null,
      role text not null, community_ids text[] not null, station_ids text[] not null, rider_id text,
      token_hash text not null unique, revoked boolean not null default false);`,
  applyBatch: perEvent(async (event, _stored, q, { schema: s }) => {
    if (event.type === 'PrincipalCreated') {
      const d = event.data;
      await q(
        `insert into ${s}.principals values ($1, $2, $3, $4::text[], $5::text[], $6, $7, false)`,
        [
          d.principalId,
          d.name,
          d.role,
          d.communityIds,
          d.stationIds,
          d.riderId ?? null,
          d.tokenHash,
        ],
      );
    } else if (event.type === 'PrincipalRevoked') {
      await q(`update ${s}.principals set revoked = true where principal_id = $1`, [
        event.data.principalId,
      ]);
    }
  }),
};
