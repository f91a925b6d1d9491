import { openEmbeddedDatabase, type EventStore, type SqlClient } from '@ledger/event-store';
import { ReadModels, selectionOf } from '@ledger/projections';
import { SHANGHAI } from '@ledger/testing';
import { ledgerProcess, requestOf, seedLedger, type LedgerProcess } from '../testing';
import { AwardPointsCommand } from './award-points';
import { SqlPersonalDataStore, type PersonalDataStore } from '../personal-data/personal-data.store';
import { CloseSelectionCommand, CloseSelectionHandler, replaySelection } from './close-selection';

describe('the annual top-ten selection', () => {
  let store: EventStore;
  let sql: SqlClient;
  let p: LedgerProcess;
  let close: CloseSelectionHandler;
  let personal: PersonalDataStore;

  beforeAll(async () => {
    ({ events: store, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' }));
    p = ledgerProcess(store);
    personal = await SqlPersonalDataStore.open(sql);
    close = new CloseSelectionHandler(p.writer, store, personal);
    await seedLedger(p, { riders: 12, budgetPoints: 1_000_000, pricePoints: 1, stock: 1 });
  });
  afterAll(() => store.close());

  const award = async (rider: number, points: number, occurredAt: string) => {
    const r = await p.award.execute(
      new AwardPointsCommand(
        {
          riderId: `r${rider}`,
          activity: 'patrol',
          fundId: 'f1',
          reason: '年度',
          occurredAt,
          points,
        },
        // recorded an hour after it happened, so every award is inside the 90-day window
        {
          ...requestOf(),
          context: { ...requestOf().context, now: new Date(Date.parse(occurredAt) + 3_600_000) },
        },
      ),
    );
    if ('code' in r) throw new Error(r.detail);
    return r;
  };
  const open = (id: string) =>
    p.run({
      kind: 'selection',
      id,
      command: { type: 'OpenSelection', selectionId: id, district: '江津区', year: 2026, size: 10 },
    });

  it('closes with the district’s year standings up to the cut-off; replaying the log gives the same list', async () => {
    for (let i = 0; i < 12; i++) await award(i, 10 + i * 5, '2026-06-10T02:00:00Z');
    await award(0, 100, '2025-12-31T15:00:00Z'); // 23:00 on 31 Dec in Shanghai: the year before
    const tie = await award(1, 55 - 15, '2026-06-11T02:00:00Z'); // r1 reaches 55 after r9 did
    await open('top-2026');
    const result = await close.execute(new CloseSelectionCommand('top-2026', requestOf()));
    if ('code' in result) throw new Error(result.detail);
    expect(result).toMatchObject({ district: '江津区', year: 2026, size: 10, closedBy: 'admin' });
    // Names come from personal data at read time (none given here), never from the log.
    const winners = result.winners.map(({ name, ...winner }) => {
      expect(name).toBeNull();
      return winner;
    });
    expect(winners).toHaveLength(10);
    expect(winners.slice(0, 3)).toEqual([
      { rank: 1, riderId: 'r11', points: 65 },
      { rank: 2, riderId: 'r10', points: 60 },
      { rank: 3, riderId: 'r9', points: 55 },
    ]);
    expect(winners[3]).toEqual({ rank: 4, riderId: 'r1', points: 55 });
    expect(winners.find((w) => w.riderId === 'r0')).toBeUndefined();

    // The log moves on: a reversal of a counted award and new points after the cut-off.
    await p.reverseAward('r1', tie.entryId);
    await award(0, 500, '2026-07-01T02:00:00Z');
    const replay = await replaySelection(store, 'top-2026', SHANGHAI);
    expect(replay).toMatchObject({ same: true, cutoffPosition: result.cutoffPosition });
    expect(replay?.recomputed).toEqual(winners);
    expect(replay?.stored).toEqual(winners);

    // The read model records what the close recorded, and the leaderboard at the cut-off agreed.
    const models = await ReadModels.open(store, sql, { schema: 'read', timeZone: SHANGHAI });
    await models.catchUp();
    expect(await selectionOf(models, 'top-2026')).toEqual({
      id: 'top-2026',
      district: '江津区',
      year: 2026,
      size: 10,
      status: 'closed',
      cutoffPosition: result.cutoffPosition,
      winners,
      closedBy: 'admin',
      closedAt: result.closedAt,
    });
  });

  it('refuses a second close (SELECTION_CLOSED) and an unknown selection (NOT_FOUND); of racing closes one wins', async () => {
    expect(await close.execute(new CloseSelectionCommand('top-2026', requestOf()))).toMatchObject({
      code: 'SELECTION_CLOSED',
    });
    expect(await close.execute(new CloseSelectionCommand('nope', requestOf()))).toMatchObject({
      code: 'NOT_FOUND',
    });
    await open('race');
    const others = [0, 1, 2, 3].map(
      () => new CloseSelectionHandler(ledgerProcess(store).writer, store, personal),
    );
    const outcomes = await Promise.all(
      others.map((h) => h.execute(new CloseSelectionCommand('race', requestOf()))),
    );
    expect(outcomes.filter((o) => 'code' in o && o.code === 'SELECTION_CLOSED')).toHaveLength(3);
    expect(outcomes.filter((o) => !('code' in o))).toHaveLength(1);
  });
});
