import { awarded, cancelled, community, redeemed, registered, reversed } from '../testing/events';
import { projectionSpec } from '../testing/projection-spec';
import { ledgerLinesProjection } from './ledger-lines.projection';
import { ledgerPage } from './ledger-lines.queries';

describe('ledger lines projection', () => {
  const spec = projectionSpec(ledgerLinesProjection);

  it('writes one signed line per movement, in the rider’s own order, with who and when', async () => {
    const db = await spec
      .given([
        community('c1'),
        registered('r1'),
        { event: awarded('a1', 'r1', 30, 30), actor: 'staff-c1' },
        {
          event: redeemed('x1', 'r1', 10, 20),
          actor: 'station-s1',
          recordedAt: '2026-06-16T01:00:00.000Z',
        },
        cancelled('x1', 'r1', 10, 30),
        reversed('v1', 'a1', 'r1', 30, 0),
      ])
      .then({
        ledger_lines: [
          {
            rider_id: 'r1',
            revision: 1,
            entry_id: 'a1',
            type: 'award',
            points: 30,
            balance_after: 30,
            activity: 'patrol',
            reason: '夜间巡逻',
            station_id: null,
            actor: 'staff-c1',
            occurred_at: '2026-06-14T13:00:00.000Z',
            position: 3,
          },
          {
            rider_id: 'r1',
            revision: 2,
            entry_id: 'x1',
            type: 'redemption',
            points: -10,
            balance_after: 20,
            activity: null,
            station_id: 's1',
            items: [{ sku: 'water', quantity: 2, pricePoints: 5 }],
            actor: 'station-s1',
            occurred_at: '2026-06-16T01:00:00.000Z',
            recorded_at: '2026-06-16T01:00:00.000Z',
          },
          { revision: 3, entry_id: 'x1', type: 'cancellation', points: 10, items: null },
          {
            revision: 4,
            entry_id: 'v1',
            type: 'reversal',
            points: -30,
            balance_after: 0,
            reversal_of: 'a1',
          },
        ],
      });
    const first = await ledgerPage(db, 'r1', { limit: 3 });
    expect(first.items.map((l) => [l.type, l.points])).toEqual([
      ['award', 30],
      ['redemption', -10],
      ['cancellation', 10],
    ]);
    const rest = await ledgerPage(db, 'r1', { limit: 3, cursor: first.nextCursor ?? undefined });
    expect(rest).toMatchObject({
      items: [{ type: 'reversal', entryId: 'v1', reversalOf: 'a1' }],
      nextCursor: null,
    });
    expect(first.items[0]).not.toHaveProperty('reversalOf');
    const newest = await ledgerPage(db, 'r1', { limit: 3, order: 'desc' });
    expect(newest.items.map((l) => l.type)).toEqual(['reversal', 'cancellation', 'redemption']);
    const older = await ledgerPage(db, 'r1', {
      limit: 3,
      order: 'desc',
      cursor: newest.nextCursor ?? undefined,
    });
    expect(older).toMatchObject({ items: [{ type: 'award' }], nextCursor: null });
  });
});
