import { fundBookStream, fundStream, upcastLedgerEvent, type FundEvent } from '@ledger/domain';
import { StoreUnavailable } from '@ledger/event-store';
import { InMemoryEventStore } from '@ledger/testing';
import { FIXTURE_NOW, ledgerProcess, ledgerTotals, requestOf, seedLedger } from '../testing';
import { reserveCommand, settleAward } from './award';
import { FundBooks } from './fund-books';

const DAY_MS = 24 * 60 * 60 * 1000;
const dayAfter = (days: number) => new Date(FIXTURE_NOW.getTime() + days * DAY_MS);

async function eventsOf(store: InMemoryEventStore, stream: string): Promise<FundEvent[]> {
  return (await store.readStream(stream)).map((e) => upcastLedgerEvent<FundEvent>(e));
}

async function seeded() {
  const store = new InMemoryEventStore();
  const p = ledgerProcess(store);
  await seedLedger(p, { riders: 2, budgetPoints: 1000, pricePoints: 10, stock: 5 });
  return { store, p };
}

describe("a fund's books", () => {
  it('closes the first stream into a book of the day, carrying the figures; acts then go there', async () => {
    const { store, p } = await seeded();
    const award = await p.awardPoints('r0', 30);
    if ('code' in award) throw new Error(award.detail);
    expect(await p.closeFundBooks(dayAfter(1))).toEqual({ funds: 1, closed: 1, carriedOpen: 1 });
    // A second run the same day closes nothing.
    expect(await p.closeFundBooks(dayAfter(1))).toMatchObject({ closed: 0 });

    const first = await eventsOf(store, fundStream('f1'));
    const closing = first[first.length - 1];
    expect(closing).toMatchObject({
      type: 'FundBookClosed',
      data: { book: '', next: '2026-06-16T12', budgetPoints: 1000, awardedPoints: 30 },
    });
    const book = fundBookStream('f1', '2026-06-16T12');
    expect(book).toBe('fund-f1@2026-06-16T12');
    expect((await eventsOf(store, book))[0]).toMatchObject({
      type: 'FundBookOpened',
      data: { book: '2026-06-16T12', previous: '', awardedPoints: 30 },
    });

    // A process started after the closing finds the open book by itself.
    const later = ledgerProcess(store);
    await later.awardPoints('r1', 20);
    const opened = await eventsOf(store, book);
    expect(opened.map((e) => e.type)).toEqual(['FundBookOpened', 'FundPointsReserved']);
    expect(await ledgerTotals(store, 2)).toMatchObject({ earned: 50, fundAwarded: 50 });
  });

  it('carries a reservation for a day of books, then only while it is open', async () => {
    const { store, p } = await seeded();
    await p.awardPoints('r0', 30);
    await p.closeFundBooks(dayAfter(1));
    await p.awardPoints('r1', 5); // a book with no act stays open (see below)
    await p.closeFundBooks(new Date(dayAfter(1).getTime() + 60 * 60 * 1000));
    await p.awardPoints('r1', 5);
    await p.closeFundBooks(new Date(dayAfter(2).getTime() + 60 * 60 * 1000));
    const carried = async (book: string) => {
      const [opened] = await eventsOf(store, fundBookStream('f1', book));
      if (opened.type !== 'FundBookOpened') throw new Error(`${book} has no opening`);
      return opened.data.reservations;
    };
    const first = { points: 30, book: '2026-06-16T12' };
    const isFirst = (r: { points: number; book: string }) =>
      r.points === 30 && r.book === first.book;
    expect((await carried('2026-06-16T13')).some(isFirst)).toBe(true);
    // Credited to the rider: more than a day later no longer carried (the last hour's still is).
    const dayLater = await carried('2026-06-17T13');
    expect(dayLater.some(isFirst)).toBe(false);
    expect(dayLater.map(({ points, book }) => ({ points, book }))).toEqual([
      { points: 5, book: '2026-06-16T13' },
    ]);
  });

  it('answers a retried award across a closing as the first attempt, without a second reservation', async () => {
    const { store, p } = await seeded();
    const first = await p.awardPoints('r0', 30, 'f1', 'key-1');
    await p.closeFundBooks(dayAfter(1));
    await p.closeFundBooks(dayAfter(2));
    const again = await ledgerProcess(store).awardPoints('r0', 30, 'f1', 'key-1');
    expect(again).toEqual(first);
    expect(await ledgerTotals(store, 2)).toMatchObject({ earned: 30, fundAwarded: 30 });
  });

  it('finishes, after a crash, an award whose reservation a closing carried as open', async () => {
    const { store, p } = await seeded();
    store.beforeAppend = (stream) => {
      if (stream === 'rider-r0') throw new StoreUnavailable('killed before the rider append');
    };
    await expect(p.awardPoints('r0', 30)).rejects.toBeInstanceOf(StoreUnavailable);
    store.beforeAppend = undefined;
    // Two closings: the reservation is open in the log, so both carry it.
    const restarted = ledgerProcess(store);
    expect(await restarted.closeFundBooks(dayAfter(1))).toMatchObject({ carriedOpen: 1 });
    // The closing's recovery run (grace 30 s, the crash was "now") may already finish it.
    await restarted.recovery.run(new Date(Date.now() + 60_000));
    expect(await ledgerTotals(store, 2)).toMatchObject({
      earned: 30,
      balance: 30,
      fundAwarded: 30,
    });
  });

  it('returns the points of a reversal through the open book, once', async () => {
    const { store, p } = await seeded();
    const award = await p.awardPoints('r0', 40);
    if ('code' in award) throw new Error(award.detail);
    await p.closeFundBooks(dayAfter(1));
    await p.closeFundBooks(dayAfter(2));
    await p.reverseAward('r0', award.entryId);
    const book = await eventsOf(store, fundBookStream('f1', '2026-06-17T12'));
    expect(book.map((e) => e.type)).toEqual(['FundBookOpened', 'FundPointsReturned']);
    expect(await ledgerTotals(store, 2)).toMatchObject({
      earned: 40,
      reversed: 40,
      fundReversed: 40,
      fundRemaining: 1000,
    });
  });

  it('moves an act that meets a book another process closed on to the next book', async () => {
    const { store, p } = await seeded();
    await p.awardPoints('r0', 10); // p now knows the first stream as the open book
    await ledgerProcess(store).closeFundBooks(dayAfter(1));
    await p.awardPoints('r1', 20);
    const book = await eventsOf(store, fundBookStream('f1', '2026-06-16T12'));
    expect(book.map((e) => e.type)).toEqual(['FundBookOpened', 'FundPointsReserved']);
    expect(await ledgerTotals(store, 2)).toMatchObject({ earned: 30, fundAwarded: 30 });
  });

  it('closes the open book when another process closed the one this process knew', async () => {
    const { store, p } = await seeded();
    await p.awardPoints('r0', 10); // p knows the first stream as the open book
    await ledgerProcess(store).closeFundBooks(dayAfter(1));
    await ledgerProcess(store).awardPoints('r1', 5);
    const hourLater = new Date(dayAfter(1).getTime() + 60 * 60 * 1000);
    expect(await p.closeFundBooks(hourLater)).toMatchObject({ closed: 1 });
    const book = await eventsOf(store, fundBookStream('f1', '2026-06-16T13'));
    expect(book[0]).toMatchObject({ type: 'FundBookOpened', data: { previous: '2026-06-16T12' } });
  });

  it('leaves a book with no act open for up to a day, then closes it', async () => {
    const { store, p } = await seeded();
    await p.closeFundBooks(dayAfter(1)); // the first stream: closed into 2026-06-16T12
    const hours = (h: number) => new Date(dayAfter(1).getTime() + h * 60 * 60 * 1000);
    expect(await p.closeFundBooks(hours(1))).toMatchObject({ closed: 0 });
    expect(await p.closeFundBooks(hours(23))).toMatchObject({ closed: 0 });
    expect(await p.closeFundBooks(hours(25))).toMatchObject({ closed: 1 });
    expect((await eventsOf(store, fundBookStream('f1', '2026-06-17T13')))[0]).toMatchObject({
      type: 'FundBookOpened',
      data: { previous: '2026-06-16T12' },
    });
  });

  /**
   * An award two closings ago, its reservation no longer carried, and the award command a retry
   * of it that stalled all along (its rider check passed before the original credited it) sends.
   */
  async function awardedTwoClosingsAgo() {
    const { store, p } = await seeded();
    const first = await p.awardPoints('r0', 30);
    if ('code' in first) throw new Error(first.detail);
    await p.closeFundBooks(dayAfter(1));
    await p.awardPoints('r1', 5);
    await p.closeFundBooks(new Date(dayAfter(2).getTime() + 60 * 60 * 1000));
    const retry = {
      type: 'AwardPoints' as const,
      entryId: first.entryId,
      riderId: 'r0',
      activity: 'patrol' as const,
      points: 30,
      fundId: 'f1',
      ruleVersion: first.ruleVersion,
      reason: '夜间巡逻',
      occurredAt: '2026-06-14T13:00:00Z',
      source: 'staff-backfill' as const,
      badges: [],
    };
    return { store, p, first, retry };
  }

  it('gives back a second hold for an award the rider already has (its first hold a closed book ago)', async () => {
    const { store, p, first, retry } = await awardedTwoClosingsAgo();
    // The reservation is made again in a book that no longer knows the first.
    const again = await settleAward(p.writer, retry, requestOf(), { reserve: true });
    expect(again).toMatchObject({ entryId: first.entryId, points: 30 });
    expect(await ledgerTotals(store, 2)).toMatchObject({ earned: 35, fundAwarded: 35 });
  });

  it('has recovery give back a second hold a crash left before its release', async () => {
    const { store, p, retry } = await awardedTwoClosingsAgo();
    // The stalled retry's second reservation, and then the process ends before the rider answers.
    const held = await FundBooks.of(p.writer).execute(reserveCommand(retry), requestOf());
    expect(held).toMatchObject({ appended: 1 });
    expect(await ledgerTotals(store, 2)).toMatchObject({ earned: 35, fundAwarded: 65 });
    await ledgerProcess(store).recovery.run(new Date(Date.now() + 60_000));
    expect(await ledgerTotals(store, 2)).toMatchObject({ earned: 35, fundAwarded: 35 });
    // Nothing is left open: the next run finds nothing to finish.
    const again = await ledgerProcess(store).recovery.run(new Date(Date.now() + 60_000));
    expect(again).toMatchObject({ awardsCompleted: 0, awardsReleased: 0 });
  });
});
