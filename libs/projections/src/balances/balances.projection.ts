import type { Projection } from '../projection';

type Delta = [balance: number, earned: number, redeemed: number, reversed: number];

/** Per rider: balance, earned, redeemed (net of cancellations), reversed, and badges. */
export const balancesProjection: Projection = {
  name: 'balances',
  tables: [
    { name: 'balances', orderBy: 'rider_id' },
    { name: 'rider_badges', orderBy: 'rider_id, badge_id' },
  ],
  ddl: (s) => `
    create table if not exists ${s}.balances (rider_id text primary key, balance bigint not null,
      earned bigint not null, redeemed bigint not null, reversed bigint not null,
      check (balance >= 0));
    create table if not exists ${s}.rider_badges (rider_id text not null, badge_id text not null,
      name text not null, earned_at timestamptz not null, primary key (rider_id, badge_id));`,
  async applyBatch(batch, q, { schema: s }) {
    const registered: string[] = [];
    const deltas = new Map<string, Delta>();
    const badges: [string, string, string, Date][] = [];
    const add = (riderId: string, d: Delta) => {
      const current = deltas.get(riderId) ?? [0, 0, 0, 0];
      deltas.set(riderId, current.map((v, i) => v + d[i]) as Delta);
    };
    for (const { event, stored } of batch) {
      switch (event.type) {
        case 'RiderRegistered':
          registered.push(event.data.riderId);
          break;
        case 'PointsAwarded':
          add(event.data.riderId, [event.data.points, event.data.points, 0, 0]);
          break;
        case 'AwardReversed':
          add(event.data.riderId, [-event.data.points, 0, 0, event.data.points]);
          break;
        case 'RedemptionMade':
          add(event.data.riderId, [-event.data.points, 0, event.data.points, 0]);
          break;
        case 'RedemptionCancelled':
          add(event.data.riderId, [event.data.points, 0, -event.data.points, 0]);
          break;
        case 'BadgeEarned':
          badges.push([event.data.riderId, event.data.badgeId, event.data.name, stored.recordedAt]);
          break;
        default:
          break;
      }
    }
    if (registered.length > 0) {
      await q(`insert into ${s}.balances select r, 0, 0, 0, 0 from unnest($1::text[]) as r`, [
        registered,
      ]);
    }
    if (deltas.size > 0) {
      const ids = [...deltas.keys()];
      const column = (i: number) => ids.map((id) => (deltas.get(id) as Delta)[i]);
      await q(
        `update ${s}.balances b set balance = b.balance + d.balance, earned = b.earned + d.earned,
           redeemed = b.redeemed + d.redeemed, reversed = b.reversed + d.reversed
         from unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[])
           as d(rider_id, balance, earned, redeemed, reversed)
         where b.rider_id = d.rider_id`,
        [ids, column(0), column(1), column(2), column(3)],
      );
    }
    for (const [riderId, badgeId, name, at] of badges) {
      await q(`insert into ${s}.rider_badges values ($1, $2, $3, $4)`, [
        riderId,
        badgeId,
        name,
        at,
      ]);
    }
  },
};
