import type { Projection } from '../projection';

/** Communities and riders (ids, community, platform; never names): the directory of the ledger. */
export const directoryProjection: Projection = {
  name: 'directory',
  tables: [
    { name: 'communities', orderBy: 'community_id' },
    { name: 'riders', orderBy: 'rider_id' },
  ],
  ddl: (s) => `
    create table if not exists ${s}.communities (community_id text primary key, name text not null,
      street text not null, district text not null);
    create table if not exists ${s}.riders (rider_id text primary key, community_id text not null,
      platform text not null, occupation text not null, registered_at timestamptz not null,
      erased boolean not null default false);`,
  async applyBatch(batch, q, { schema: s }) {
    // Registrations are most of a directory's events: they go in one statement per batch.
    const registered: unknown[][] = [[], [], [], [], []];
    const flush = async () => {
      if (registered[0].length === 0) return;
      await q(
        `insert into ${s}.riders select r, c, p, o, t, false
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) as x(r, c, p, o, t)`,
        registered.map((column) => column.splice(0)),
      );
    };
    for (const { event, stored } of batch) {
      switch (event.type) {
        case 'CommunityRegistered': {
          const { communityId, name, street, district } = event.data;
          await q(`insert into ${s}.communities values ($1, $2, $3, $4)`, [
            communityId,
            name,
            street,
            district,
          ]);
          break;
        }
        case 'RiderRegistered': {
          const { riderId, communityId, platform, occupation } = event.data;
          [riderId, communityId, platform, occupation, stored.recordedAt.toISOString()].forEach(
            (v, i) => registered[i].push(v),
          );
          break;
        }
        case 'RiderTransferred':
          await flush(); // the rider may have registered earlier in this batch
          await q(`update ${s}.riders set community_id = $2 where rider_id = $1`, [
            event.data.riderId,
            event.data.toCommunityId,
          ]);
          break;
        case 'RiderPersonalDataErased':
          await flush();
          await q(`update ${s}.riders set erased = true where rider_id = $1`, [event.data.riderId]);
          break;
        default:
          break;
      }
    }
    await flush();
  },
};
