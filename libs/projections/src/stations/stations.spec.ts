import { projectionSpec } from '../testing/projection-spec';
import { stationsProjection } from './stations.projection';
import { stationOf, stockOf } from './stations.queries';

const water = [{ sku: 'water', quantity: 2, pricePoints: 5 }];

describe('stations projection', () => {
  const spec = projectionSpec(stationsProjection);

  it('keeps the catalogue (a new price keeps the stock) and the stock through reservations', async () => {
    const db = await spec
      .given([
        {
          type: 'StationRegistered',
          data: { stationId: 's1', name: '小哥驿站', district: '江津区', kind: 'station' },
        },
        {
          type: 'ItemPriced',
          data: { stationId: 's1', sku: 'water', name: '矿泉水', kind: 'goods', pricePoints: 5 },
        },
        {
          type: 'StockAdded',
          data: { stationId: 's1', sku: 'water', quantity: 10, stockAfter: 10 },
        },
        {
          type: 'ItemPriced',
          data: {
            stationId: 's1',
            sku: 'water',
            name: '矿泉水 550ml',
            kind: 'goods',
            pricePoints: 6,
          },
        },
        {
          type: 'StockReserved',
          data: { stationId: 's1', redemptionId: 'x1', riderId: 'r1', items: water, points: 10 },
        },
        {
          type: 'StockReserved',
          data: { stationId: 's1', redemptionId: 'x2', riderId: 'r1', items: water, points: 10 },
        },
        {
          type: 'StockReservationReleased',
          data: {
            stationId: 's1',
            redemptionId: 'x2',
            items: water,
            code: 'INSUFFICIENT_BALANCE',
            reason: 'x',
          },
        },
        {
          type: 'StockReserved',
          data: { stationId: 's1', redemptionId: 'x3', riderId: 'r1', items: water, points: 10 },
        },
        { type: 'StockReturned', data: { stationId: 's1', redemptionId: 'x3', items: water } },
      ])
      .then({
        stations: [
          {
            station_id: 's1',
            name: '小哥驿站',
            district: '江津区',
            community_id: null,
            kind: 'station',
          },
        ],
        station_items: [
          {
            station_id: 's1',
            sku: 'water',
            name: '矿泉水 550ml',
            kind: 'goods',
            price_points: 6,
            stock: 8,
          },
        ],
      });
    expect(await stationOf(db, 's1')).toEqual({
      id: 's1',
      name: '小哥驿站',
      district: '江津区',
      communityId: null,
      kind: 'station',
    });
    expect(await stockOf(db, 's1')).toEqual([
      { sku: 'water', name: '矿泉水 550ml', kind: 'goods', pricePoints: 6, stock: 8 },
    ]);
  });
});
