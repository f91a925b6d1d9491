import type { LedgerEvent } from '@ledger/domain';
import { cancelled, redeemed } from '../testing/events';
import { projectionSpec } from '../testing/projection-spec';
import { redemptionsProjection } from './redemptions.projection';
import { receiptOf, stationDay } from './redemptions.queries';

const priced = (name: string): LedgerEvent => ({
  type: 'ItemPriced',
  data: { stationId: 's1', sku: 'water', name, kind: 'goods', pricePoints: 5 },
});

describe('redemptions projection (receipts)', () => {
  const spec = projectionSpec(redemptionsProjection);

  it('keeps each redemption with its items named as priced then, who served it, its day and cancellation', async () => {
    const db = await spec
      .given([
        priced('矿泉水'),
        {
          event: redeemed('x1', 'r1', 10, 40),
          actor: 'station-s1',
          recordedAt: '2026-06-15T15:59:00.000Z',
        },
        priced('矿泉水 550ml'),
        {
          event: redeemed('x2', 'r2', 5, 0),
          actor: 'station-s1',
          recordedAt: '2026-06-15T16:30:00.000Z',
        },
        {
          event: cancelled('x1', 'r1', 10, 50),
          actor: 'admin',
          recordedAt: '2026-06-16T01:00:00.000Z',
        },
      ])
      .then({
        redemptions: [
          {
            redemption_id: 'x1',
            station_id: 's1',
            rider_id: 'r1',
            items: [{ sku: 'water', name: '矿泉水', quantity: 2, pricePoints: 5 }],
            points: 10,
            served_by: 'station-s1',
            served_at: '2026-06-15T15:59:00.000Z',
            day: '2026-06-15',
            cancelled: true,
            cancelled_at: '2026-06-16T01:00:00.000Z',
            cancelled_by: 'admin',
          },
          // 00:30 in Shanghai: the next day, named as the catalogue had it by then.
          { redemption_id: 'x2', day: '2026-06-16', cancelled: false, cancelled_at: null },
        ],
        redemption_item_names: [{ station_id: 's1', sku: 'water', name: '矿泉水 550ml' }],
      });
    expect(await receiptOf(db, 'x2')).toEqual({
      redemptionId: 'x2',
      stationId: 's1',
      riderId: 'r2',
      items: [{ sku: 'water', name: '矿泉水 550ml', quantity: 1, pricePoints: 5 }],
      points: 5,
      servedBy: 'station-s1',
      at: '2026-06-15T16:30:00.000Z',
      cancelled: false,
      cancelledAt: null,
      position: 4,
    });
    const day = await stationDay(db, { stationId: 's1', day: '2026-06-15', limit: 10 });
    expect(day).toMatchObject({
      items: [{ redemptionId: 'x1', cancelled: true }],
      nextCursor: null,
    });
    expect((await stationDay(db, { stationId: 's2', day: '2026-06-15', limit: 10 })).items).toEqual(
      [],
    );
  });
});
