import type { Projection } from '../projection';

/** Budget, points reserved for awards (not released), points returned by reversals. */
export const fundsProjection: Projection = {
  name: 'funds',
  tables: [{ name: 'funds', orderBy: 'fund_id' }],
  ddl: (s) => `
    create table if not exists ${s}.funds (fund_id text primary key, name text not null,
      district text not null, budget_points bigint not null, awarded_points bigint not null,
      reversed_points bigint not null, check (budget_points - awarded_points + reversed_points >= 0));`,
  async applyBatch(batch, q, { schema: s }) {
    const deltas = new Map<string, [budget: number, awarded: number, reversed: number]>();
    const add = (fundId: string, i: 0 | 1 | 2, amount: number) => {
      const d = deltas.get(fundId) ?? [0, 0, 0];
      d[i] += amount;
      deltas.set(fundId, d);
    };
    for (const { event } of batch) {
      switch (event.type) {
        case 'FundCreated': {
          const { fundId, name, district, budgetPoints } = event.data;
          await q(`insert into ${s}.funds values ($1, $2, $3, $4, 0, 0)`, [
            fundId,
            name,
            district,
            budgetPoints,
          ]);
          break;
        }
        case 'FundToppedUp':
          add(event.data.fundId, 0, event.data.points);
          break;
        case 'FundPointsReserved':
          add(event.data.fundId, 1, event.data.points);
          break;
        case 'FundReservationReleased':
          add(event.data.fundId, 1, -event.data.points);
          break;
        case 'FundPointsReturned':
          add(event.data.fundId, 2, event.data.points);
          break;
        default:
          break;
      }
    }
    for (const [fundId, [budget, awarded, reversed]] of deltas) {
      await q(
        `update ${s}.funds set budget_points = budget_points + $2, awarded_points = awarded_points + $3,
           reversed_points = reversed_points + $4 where fund_id = $1`,
        [fundId, budget, awarded, reversed],
      );
    }
  },
};
