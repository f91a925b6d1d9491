import { contextOf, given } from '@ledger/testing/decider-spec';
import { stationDecider, type StationEvent } from './station';

const registered: StationEvent = {
  type: 'StationRegistered',
  data: {
    stationId: 's1',
    name: '几江街道小哥驿站',
    district: '江津区',
    communityId: 'c1',
    kind: 'station',
  },
};
const priced: StationEvent = {
  type: 'ItemPriced',
  data: { stationId: 's1', sku: 'water', name: '矿泉水', kind: 'goods', pricePoints: 5 },
};
const stocked: StationEvent = {
  type: 'StockAdded',
  data: { stationId: 's1', sku: 'water', quantity: 3, stockAfter: 3 },
};
const reserve = {
  type: 'ReserveStock' as const,
  stationId: 's1',
  redemptionId: 'x1',
  riderId: 'r1',
  items: [{ sku: 'water', quantity: 2 }],
};
const reserved: StationEvent = {
  type: 'StockReserved',
  data: {
    stationId: 's1',
    redemptionId: 'x1',
    riderId: 'r1',
    items: [{ sku: 'water', quantity: 2, pricePoints: 5 }],
    points: 10,
  },
};

describe('station decider', () => {
  it('lets a station principal price, restock and redeem only at its own stations: FORBIDDEN', () => {
    const other = contextOf({ principalId: 'st-2', role: 'station', stationIds: ['s2'] });
    const own = contextOf({ principalId: 'st-1', role: 'station', stationIds: ['s1'] });
    const price = {
      type: 'PriceItem' as const,
      stationId: 's1',
      sku: 'water',
      name: '矿泉水',
      kind: 'goods' as const,
      pricePoints: 5,
    };
    const restock = { type: 'AddStock' as const, stationId: 's1', sku: 'water', quantity: 3 };
    given(stationDecider, [registered])
      .when(price, other)
      .thenError('FORBIDDEN', /does not serve station s1/);
    given(stationDecider, [registered, priced]).when(restock, other).thenError('FORBIDDEN');
    given(stationDecider, [registered, priced, stocked])
      .when(reserve, other)
      .thenError('FORBIDDEN');
    // Before anything about the station: another station's principal learns nothing of it.
    given(stationDecider, []).when(reserve, other).thenError('FORBIDDEN');
    given(stationDecider, [registered, priced, stocked]).when(reserve, own).then([reserved]);
  });

  it('registers once: ALREADY_EXISTS; acts only on a registered station: NOT_FOUND', () => {
    given(stationDecider, [])
      .when({
        type: 'RegisterStation',
        stationId: 's1',
        name: '几江街道小哥驿站',
        district: '江津区',
        communityId: 'c1',
        kind: 'station',
      })
      .then([registered]);
    given(stationDecider, [registered])
      .when({ type: 'RegisterStation', stationId: 's1', name: 'x', district: 'y', kind: 'centre' })
      .thenError('ALREADY_EXISTS');
    given(stationDecider, []).when(reserve).thenError('NOT_FOUND');
  });
  it('prices items and restocks only priced ones: NOT_FOUND, VALIDATION_FAILED', () => {
    given(stationDecider, [registered])
      .when({
        type: 'PriceItem',
        stationId: 's1',
        sku: 'water',
        name: '矿泉水',
        kind: 'goods',
        pricePoints: 5,
      })
      .then([priced]);
    given(stationDecider, [registered, priced])
      .when({ type: 'AddStock', stationId: 's1', sku: 'water', quantity: 3 })
      .then([stocked]);
    given(stationDecider, [registered])
      .when({ type: 'AddStock', stationId: 's1', sku: 'water', quantity: 3 })
      .thenError('NOT_FOUND');
    given(stationDecider, [registered, priced])
      .when({ type: 'AddStock', stationId: 's1', sku: 'water', quantity: 100_001 })
      .thenError('VALIDATION_FAILED');
  });
  it('reserves priced stock and refuses more than there is: OUT_OF_STOCK', () => {
    const state = given(stationDecider, [registered, priced, stocked])
      .when(reserve)
      .then([reserved]);
    expect(state.items.get('water')?.stock).toBe(1);
    given(stationDecider, [registered, priced, stocked, reserved])
      .when({ ...reserve, redemptionId: 'x2' })
      .thenError('OUT_OF_STOCK');
    given(stationDecider, [registered, priced, stocked])
      .when({ ...reserve, items: [{ sku: 'tea', quantity: 1 }] })
      .thenError('NOT_FOUND');
  });
  it('releases and returns stock once each', () => {
    const release = {
      type: 'ReleaseStock' as const,
      stationId: 's1',
      redemptionId: 'x1',
      code: 'INSUFFICIENT_BALANCE' as const,
      reason: 'balance',
    };
    const released: StationEvent = {
      type: 'StockReservationReleased',
      data: {
        stationId: 's1',
        redemptionId: 'x1',
        items: [{ sku: 'water', quantity: 2, pricePoints: 5 }],
        code: 'INSUFFICIENT_BALANCE',
        reason: 'balance',
      },
    };
    const state = given(stationDecider, [registered, priced, stocked, reserved])
      .when(release)
      .then([released]);
    expect(state.items.get('water')?.stock).toBe(3);
    given(stationDecider, [registered, priced, stocked, reserved, released]).when(release).then([]);
    given(stationDecider, [registered, priced, stocked, reserved, released])
      .when(reserve)
      .thenError('INSUFFICIENT_BALANCE');
    const ret = { type: 'ReturnStock' as const, stationId: 's1', redemptionId: 'x1' };
    const returned: StationEvent = {
      type: 'StockReturned',
      data: {
        stationId: 's1',
        redemptionId: 'x1',
        items: [{ sku: 'water', quantity: 2, pricePoints: 5 }],
      },
    };
    given(stationDecider, [registered, priced, stocked, reserved]).when(ret).then([returned]);
    given(stationDecider, [registered, priced, stocked, reserved, returned]).when(ret).then([]);
  });
});
