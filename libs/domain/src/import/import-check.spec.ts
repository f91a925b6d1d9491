import {
  checkImport,
  importRowKey,
  MinTree,
  phoneClaimOf,
  type ImportLedger,
  type KnownRider,
} from './import-check';
import type { ImportRow } from './import';

const at = (day: string) => new Date(`${day}T04:00:00.000Z`).getTime();
const iso = (day: string) => new Date(at(day)).toISOString();

function ledgerWith(
  riders: Record<string, KnownRider>,
  fundPoints = 10_000,
  held: string[] = [],
): ImportLedger {
  return {
    timeZone: 'Asia/Shanghai',
    communities: new Map([
      ['c1', '江津区'],
      ['c2', '江津区'],
      ['h1', '汉江区'],
    ]),
    stations: new Set(['s1']),
    funds: new Map([['f1', { remaining: fundPoints, held: new Set(held) }]]),
    riders: new Map(Object.entries(riders)),
    phoneHolders: new Map([[phoneClaimOf('江津区', '13900000000') ?? '', 'r-live']]),
    idOf: (row) => `id-${importRowKey(row)}`,
  };
}
const award = (
  row: number,
  riderId: string,
  day: string,
  points: number,
): Extract<ImportRow, { kind: 'award' }> => ({
  ...{ row, kind: 'award', riderId, occurredAt: iso(day), activity: 'patrol', points },
  ...{ fundId: 'f1', reason: '巡逻' },
});
const redemption = (
  row: number,
  riderId: string,
  day: string,
  points: number,
): Extract<ImportRow, { kind: 'redemption' }> => ({
  ...{ row, kind: 'redemption', riderId, occurredAt: iso(day), stationId: 's1' },
  ...{ item: '雨衣', quantity: 1, points },
});
const rider = (row: number, riderId: string, communityId: string, phone?: string): ImportRow => ({
  ...{ row, kind: 'rider', riderId, communityId, name: '张伟', platform: '美团' },
  ...{ occupation: 'food_delivery', ...(phone && { phone }) },
});
const verdicts = (rows: ImportRow[], ledger: ImportLedger) =>
  checkImport(rows, ledger).verdicts.map((v) =>
    v.refusal ? `${v.row} ${v.refusal.code}: ${v.refusal.detail}` : `${v.row} ${v.outcome}`,
  );

describe('checking an import in date order', () => {
  // A rider with live history: 100 points earned on 2024-06-01, all of them spent on 2024-07-01.
  // Written by an earlier import (of this file or another holding the same row).
  const written = award(9, 'r-live', '2024-01-05', 5);
  const live: KnownRider = {
    registrationId: 'live-registration',
    entries: new Set([`id-${importRowKey(written)}`]),
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
      award(4, 'r-live', '2024-01-05', 5), // row 9 of the file as first written
    ];
    expect(verdicts(rows, ledgerWith({ 'r-live': live }, 100))).toEqual([
      '2 FUND_EXHAUSTED: fund f1 has 50 points left for this award of 60',
      '3 accepted',
      '4 imported',
    ]);
  });

  it('takes no more of the fund for an award a crash left reserved and not credited', () => {
    const cut = award(3, 'r-live', '2024-01-01', 50);
    const rows = [award(2, 'r-live', '2024-02-01', 60), cut];
    // The fund has 60 left after the cut award's 50 were reserved: both fit.
    expect(verdicts(rows, ledgerWith({ 'r-live': live }, 60, [`id-${importRowKey(cut)}`]))).toEqual(
      ['2 accepted', '3 accepted'],
    );
    expect(verdicts(rows, ledgerWith({ 'r-live': live }, 60))).toEqual([
      '2 FUND_EXHAUSTED: fund f1 has 10 points left for this award of 60',
      '3 accepted',
    ]);
  });

  it('names a row by what it says, not where it stands: a row moved or a date retyped is the same act', () => {
    const a = award(2, 'r-live', '2024-01-05', 5);
    expect(importRowKey({ ...a, row: 40 })).toBe(importRowKey(a));
    expect(importRowKey({ ...a, points: 6 })).not.toBe(importRowKey(a));
    expect(importRowKey({ ...a, reason: '文明劝导' })).not.toBe(importRowKey(a));
    // A time saved again without its seconds is the same act; another minute is another.
    const timed = { ...a, occurredAt: '2024-01-05T01:30:15.000Z' };
    expect(importRowKey({ ...timed, occurredAt: '2024-01-05T01:30:00.000Z' })).toBe(
      importRowKey(timed),
    );
    expect(importRowKey({ ...timed, occurredAt: '2024-01-05T01:31:00.000Z' })).not.toBe(
      importRowKey(timed),
    );
    const r = redemption(3, 'r-live', '2024-01-05', 5);
    expect(importRowKey({ ...r, item: '雨伞' })).not.toBe(importRowKey(r));
  });

  it('writes each rider’s awards, then its redemptions, rider after rider', () => {
    const rows = [
      award(2, 'n1', '2024-01-01', 50),
      award(3, 'r-live', '2024-01-02', 50),
      redemption(4, 'n1', '2024-01-03', 10),
      redemption(5, 'r-live', '2024-01-04', 10),
      award(6, 'n1', '2024-01-05', 50),
      rider(7, 'n1', 'c1'),
    ];
    const { toWrite } = checkImport(rows, ledgerWith({ 'r-live': live }));
    expect(toWrite.map((r) => r.row)).toEqual([7, 2, 6, 4, 3, 5]);
  });

  it('refuses an act before the day its rider joined', () => {
    const joined: KnownRider = { ...live, joinedAt: at('2024-03-01') };
    const rows = [
      { ...rider(2, 'n1', 'c1'), occurredAt: iso('2024-05-01') },
      award(3, 'n1', '2024-04-30', 10),
      // The morning of the day it joined (noon, the date alone): of a rider who had joined.
      { ...award(4, 'n1', '2024-05-01', 10), occurredAt: '2024-05-01T01:00:00.000Z' },
      award(5, 'r-old', '2024-02-28', 10),
      award(6, 'r-old', '2024-03-01', 10),
    ];
    expect(verdicts(rows, ledgerWith({ 'r-live': live, 'r-old': joined }))).toEqual([
      '2 accepted',
      '3 VALIDATION_FAILED: rider n1 joined on 2024-05-01, after this act',
      '4 accepted',
      '5 VALIDATION_FAILED: rider r-old joined on 2024-03-01, after this act',
      '6 accepted',
    ]);
  });

  it('takes new riders once, in known communities, with phones nobody holds', () => {
    const rows = [
      rider(2, 'n1', 'c1', '13800000001'),
      rider(3, 'n1', 'c1'),
      rider(4, 'n2', 'elsewhere'),
      rider(5, 'n3', 'c1', '13800000001'),
      rider(6, 'n4', 'c1', '13900000000'),
      rider(7, 'r-live', 'c1'),
      award(8, 'n1', '2024-01-01', 10),
      award(10, 'n2', '2024-01-01', 10),
      // The same numbers written otherwise, in the district and in another.
      rider(11, 'n5', 'c2', '138-0000-0001'),
      rider(12, 'n6', 'c1', '+86 139 0000 0000'),
      rider(13, 'n7', 'h1', '8613800000001'),
      rider(14, 'n8', 'h1', '139 0000 0000'),
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
      '11 ALREADY_EXISTS: the phone number of row 2 already exists',
      '12 ALREADY_EXISTS: rider r-live already has this phone number',
      '13 accepted',
      '14 accepted',
    ]);
  });
});

describe('checking a large file', () => {
  it('takes a redemption above the award it spends on the same day', () => {
    const rows = [redemption(2, 'r1', '2024-03-01', 30), award(3, 'r1', '2024-03-01', 30)];
    const rider: KnownRider = { registrationId: 'g', entries: new Set(), moves: [] };
    expect(verdicts(rows, ledgerWith({ r1: rider }))).toEqual(['2 accepted', '3 accepted']);
  });

  it('checks 100,000 rows of one rider in n log n, not n²', () => {
    const rider: KnownRider = { registrationId: 'g', entries: new Set(), moves: [] };
    const rows: ImportRow[] = [];
    for (let i = 0; i < 50_000; i++) {
      const day = new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString();
      rows.push({ ...award(2 + 2 * i, 'r1', '2020-01-01', 2), occurredAt: day });
      rows.push({ ...redemption(3 + 2 * i, 'r1', '2020-01-01', 1), occurredAt: day });
    }
    const started = Date.now();
    const { toWrite, verdicts: all } = checkImport(rows, ledgerWith({ r1: rider }, 1_000_000));
    const ms = Date.now() - started;
    expect(all.filter((v) => v.outcome === 'accepted')).toHaveLength(100_000);
    expect(toWrite).toHaveLength(100_000);
    // n² here is minutes (5·10⁹ steps); n log n well under a second on this machine.
    expect(ms).toBeLessThan(10_000);
  });
});

describe('a tree of balances', () => {
  it('adds to ranges and finds the least of ranges as a list would', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (const size of [1, 2, 7, 64, 300]) {
      const list = Array.from({ length: size }, () => random(1000) - 200);
      const tree = new MinTree(list);
      for (let i = 0; i < 200; i++) {
        const from = random(size);
        const to = from + random(size - from);
        if (i % 2 === 0) {
          const delta = random(100) - 50;
          tree.add(from, to, delta);
          for (let k = from; k <= to; k++) list[k] += delta;
        } else expect(tree.min(from, to)).toBe(Math.min(...list.slice(from, to + 1)));
      }
    }
  });
});
