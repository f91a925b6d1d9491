import { awarded, cancelled, community, redeemed, registered, reversed } from '../testing/events';
import type { LedgerEvent } from '@ledger/domain';
import { projectionSpec } from '../testing/projection-spec';
import { ledgerLinesProjection } from './ledger-lines.projection';
import { ledgerPage } from './ledger-lines.queries';

describe('ledger lines projection', () => {
  const spec = projectionSpec(ledgerLinesProjection);

  it('names who approved each award: its actor, or for a check-in’s award who opened the check-in', async () => {
    const opened: LedgerEvent = {
      type: 'CheckInOpened',
      data: {
        ...{ checkInId: 'ci1', communityId: 'c1', kind: 'patrol', activity: 'patrol' },
        ...{ fundId: 'f1', title: '夜间巡逻', opensAt: '2026-06-14T12:00:00.000Z' },
        closesAt: '2026-06-14T16:00:00.000Z',
      },
    };
    const db = await spec
      .given([
        community('c1'),
        registered('r1'),
        { event: opened, actor: 'staff-1' },
        {
          event: awarded('a1', 'r1', 20, 20, { source: 'check-in', checkInId: 'ci1' }),
          actor: 'rider-r1',
        },
        { event: awarded('a2', 'r1', 10, 30), actor: 'staff-2' },
        { event: reversed('v1', 'a2', 'r1', 10, 20), actor: 'staff-2' },
      ])
      .then({
        ledger_lines: [
          {
            entry_id: 'a1',
            ...{ source: 'check-in', actor: 'rider-r1', approved_by: 'staff-1' },
            check_in_id: 'ci1',
          },
          {
            entry_id: 'a2',
            ...{ source: 'staff-backfill', actor: 'staff-2', approved_by: 'staff-2' },
            check_in_id: null,
          },
          { entry_id: 'v1', type: 'reversal', approved_by: null, check_in_id: null },
        ],
        ledger_line_check_ins: [{ check_in_id: 'ci1', opened_by: 'staff-1' }],
      });
    const { items } = await ledgerPage(db, 'r1', { limit: 10 });
    expect(items[0]).toMatchObject({ approvedBy: 'staff-1', checkInId: 'ci1', actor: 'rider-r1' });
    expect(items[1]).toMatchObject({ approvedBy: 'staff-2' });
    expect(items[1]).not.toHaveProperty('checkInId');
    expect(items[2]).not.toHaveProperty('approvedBy');
  });

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
