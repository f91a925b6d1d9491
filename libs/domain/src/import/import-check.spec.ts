import { checkImport, type ImportLedger, type KnownRider } from './import-check';
import type { ImportRow } from './import';

const at = (day: string) => new Date(`${day}T04:00:00.000Z`).getTime();
const iso = (day: string) => new Date(at(day)).toISOString();

function ledgerWith(riders: Record<string, KnownRider>, fundPoints = 10_000): ImportLedger {
  return {
    communities: new Set(['c1']),
    stations: new Set(['s1']),
    funds: new Map([['f1', fundPoints]]),
    riders: new Map(Object.entries(riders)),
    phoneHolders: new Map([['13900000000', 'r-live']]),
    idOf: (row) => `id-${row}`,
  };
}
const award = (row: number, riderId: string, day: string, points: number): ImportRow => ({
  ...{ row, kind: 'award', riderId, occurredAt: iso(day), activity: 'patrol', points },
  ...{ fundId: 'f1', reason: '巡逻' },
});
const redemption = (row: number, riderId: string, day: string, points: number): ImportRow => ({
  ...{ row, kind: 'redemption', riderId, occurredAt: iso(day), stationId: 's1' },
  ...{ item: '雨衣', quantity: 1, points },
});
const verdicts = (rows: ImportRow[], ledger: ImportLedger) =>
  checkImport(rows, ledger).verdicts.map((v) =>
    v.refusal ? `${v.row} ${v.refusal.code}: ${v.refusal.detail}` : `${v.row} ${v.outcome}`,
  );

describe('checking an import in date order', () => {
  // A rider with live history: 100 points earned on 2024-06-01, all of them spent on 2024-07-01.
  const live: KnownRider = {
    registrationId: 'live-registration',
    entries: new Set(['id-9']),
    moves: [
      { at: at('2024-06-01'), points: 100 },
      { at: at('2024-07-01'), points: -100 },
    ],
  };

  it('refuses a redemption short on its date or leaving a later live one short, and takes what the history allows', () => {
    const rows = [
      award(2, 'r-live', '2024-01-10', 50),
      redemption(3, 'r-live', '2024-03-01', 40), // 50 then: 10 left
      redemption(4, 'r-live', '2024-03-02', 30), // 10 then
      // 110 then, but the live redemption of 2024-07-01 needs 100 of what is left after it.
      redemption(5, 'r-live', '2024-06-15', 60),
      redemption(6, 'r-live', '2024-06-15', 10),
    ];
    expect(verdicts(rows, ledgerWith({ 'r-live': live }))).toEqual([
      '2 accepted',
      '3 accepted',
      '4 INSUFFICIENT_BALANCE: the redemption takes 30 points; the balance on that date is 10',
      '5 INSUFFICIENT_BALANCE: the redemption takes 60 points that a later redemption of the rider spends',
      '6 accepted',
    ]);
  });

  it('writes awards before redemptions, so no balance in the log goes below zero while it writes', () => {
    const rows = [redemption(2, 'r-live', '2024-08-01', 40), award(3, 'r-live', '2024-07-15', 50)];
    const { toWrite } = checkImport(rows, ledgerWith({ 'r-live': live }));
    expect(toWrite.map((r) => r.row)).toEqual([3, 2]);
  });

  it('keeps awards within the fund in date order, and knows the rows an earlier run wrote', () => {
    const rows = [
      award(2, 'r-live', '2024-02-01', 60),
      award(3, 'r-live', '2024-01-01', 50),
      award(9, 'r-live', '2024-01-05', 5),
    ];
    expect(verdicts(rows, ledgerWith({ 'r-live': live }, 100))).toEqual([
      '2 FUND_EXHAUSTED: fund f1 has 50 points left for this award of 60',
      '3 accepted',
      '9 imported',
    ]);
  });

  it('takes new riders once, in known communities, with phones nobody holds', () => {
    const rider = (
      row: number,
      riderId: string,
      communityId: string,
      phone?: string,
    ): ImportRow => ({
      ...{ row, kind: 'rider', riderId, communityId, name: '张伟', platform: '美团' },
      ...{ occupation: 'food_delivery', ...(phone && { phone }) },
    });
    const rows = [
      rider(2, 'n1', 'c1', '13800000001'),
      rider(3, 'n1', 'c1'),
      rider(4, 'n2', 'elsewhere'),
      rider(5, 'n3', 'c1', '13800000001'),
      rider(6, 'n4', 'c1', '13900000000'),
      rider(7, 'r-live', 'c1'),
      award(8, 'n1', '2024-01-01', 10),
      award(10, 'n2', '2024-01-01', 10),
    ];
    expect(verdicts(rows, ledgerWith({ 'r-live': live }))).toEqual([
      '2 accepted',
      '3 ALREADY_EXISTS: rider n1 of row 2 already exists',
      '4 NOT_FOUND: community elsewhere does not exist',
      '5 ALREADY_EXISTS: the phone number of row 2 already exists',
      '6 ALREADY_EXISTS: rider r-live already has this phone number',
      '7 ALREADY_EXISTS: rider r-live is already registered; leave its row out of the file',
      '8 accepted',
      '10 NOT_FOUND: rider n2 is not registered, nor added by an accepted rider row of the file',
    ]);
  });
});
