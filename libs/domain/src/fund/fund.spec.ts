import { given } from '@ledger/testing/decider-spec';
import { isDomainError } from '../shared/domain-error';
import { fundDecider, openingOf, remainingPoints, type FundEvent, type PendingAward } from './fund';

const created: FundEvent = {
  type: 'FundCreated',
  data: { fundId: 'f1', name: '江津区小哥积分基金', district: '江津区', budgetPoints: 100 },
};
const award: PendingAward = {
  activity: 'patrol',
  ruleVersion: 1,
  reason: '巡逻',
  occurredAt: '2026-06-14T13:00:00.000Z',
  source: 'staff-backfill',
};
const reserve = {
  type: 'ReserveFundPoints' as const,
  fundId: 'f1',
  entryId: 'e1',
  riderId: 'r1',
  points: 60,
  award,
};
const reserved: FundEvent = {
  type: 'FundPointsReserved',
  data: { fundId: 'f1', entryId: 'e1', riderId: 'r1', points: 60, award },
};

describe('fund decider', () => {
  it('creates a fund once: ALREADY_EXISTS', () => {
    given(fundDecider, [])
      .when({
        type: 'CreateFund',
        fundId: 'f1',
        name: '江津区小哥积分基金',
        district: '江津区',
        budgetPoints: 100,
      })
      .then([created]);
    given(fundDecider, [created])
      .when({ type: 'CreateFund', fundId: 'f1', name: 'x', district: 'y', budgetPoints: 1 })
      .thenError('ALREADY_EXISTS');
  });
  it('acts only on an existing fund: NOT_FOUND', () => {
    given(fundDecider, []).when(reserve).thenError('NOT_FOUND');
  });
  it('reserves within the budget and refuses past it: FUND_EXHAUSTED', () => {
    const state = given(fundDecider, [created]).when(reserve).then([reserved]);
    expect(remainingPoints(state)).toBe(40);
    given(fundDecider, [created, reserved])
      .when({ ...reserve, entryId: 'e2', points: 41 })
      .thenError('FUND_EXHAUSTED', /40 points left/);
  });
  it('answers a retried reservation as the first attempt ended', () => {
    given(fundDecider, [created, reserved]).when(reserve).then([]);
    given(fundDecider, [created, reserved])
      .when({ ...reserve, riderId: 'r2' })
      .thenError('IDEMPOTENCY_KEY_REUSED');
    const released: FundEvent = {
      type: 'FundReservationReleased',
      data: { fundId: 'f1', entryId: 'e1', points: 60, code: 'RULE_VIOLATION', reason: 'cap' },
    };
    given(fundDecider, [created, reserved, released]).when(reserve).thenError('RULE_VIOLATION');
  });
  it('releases a reservation once, giving the budget back', () => {
    const release = {
      type: 'ReleaseReservation' as const,
      fundId: 'f1',
      entryId: 'e1',
      code: 'RULE_VIOLATION' as const,
      reason: 'cap',
    };
    const released: FundEvent = {
      type: 'FundReservationReleased',
      data: { fundId: 'f1', entryId: 'e1', points: 60, code: 'RULE_VIOLATION', reason: 'cap' },
    };
    const state = given(fundDecider, [created, reserved]).when(release).then([released]);
    expect(remainingPoints(state)).toBe(100);
    given(fundDecider, [created, reserved, released]).when(release).then([]);
    given(fundDecider, [created]).when(release).thenError('NOT_FOUND');
  });
  it('takes back reversed points once, and tops up the budget', () => {
    const ret = {
      type: 'ReturnFundPoints' as const,
      fundId: 'f1',
      entryId: 'v1',
      reversalOf: 'e1',
      points: 60,
    };
    const returned: FundEvent = {
      type: 'FundPointsReturned',
      data: { fundId: 'f1', entryId: 'v1', reversalOf: 'e1', points: 60 },
    };
    const state = given(fundDecider, [created, reserved]).when(ret).then([returned]);
    expect(remainingPoints(state)).toBe(100);
    given(fundDecider, [created, reserved, returned]).when(ret).then([]);
    given(fundDecider, [created])
      .when({ type: 'TopUpFund', fundId: 'f1', points: 50, reason: '追加预算' })
      .then([
        {
          type: 'FundToppedUp',
          data: { fundId: 'f1', points: 50, reason: '追加预算', budgetAfter: 150 },
        },
      ]);
    given(fundDecider, [created])
      .when({ type: 'TopUpFund', fundId: 'f1', points: 0, reason: 'x' })
      .thenError('VALIDATION_FAILED');
  });

  describe('books', () => {
    const H1 = '2026-06-16T10';
    const H2 = '2026-06-16T11';
    const NEXT_DAY = '2026-06-17T11';
    /** Closes into `next`, keeping what was made since the same hour the day before. */
    const close = (next: string, settled: string[] = []) => ({
      type: 'CloseBook' as const,
      fundId: 'f1',
      next,
      keepSince: `${dayBefore(next.slice(0, 10))}${next.slice(10)}`,
      settled: new Set(settled),
    });
    const dayBefore = (day: string) =>
      new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const fold = (events: FundEvent[]) =>
      events.reduce(fundDecider.evolve, fundDecider.initialState());
    const closedOf = (events: FundEvent[], next: string, settled: string[] = []) => {
      const decided = fundDecider.decide(close(next, settled), fold(events));
      const event = isDomainError(decided) ? undefined : decided[0];
      if (event?.type !== 'FundBookClosed') throw new Error('not closed');
      return event;
    };

    it('closes a book with its figures and reservations; the next opens with the same', () => {
      const closing = closedOf([created, reserved], H1);
      expect(closing.data).toMatchObject({
        book: '',
        next: H1,
        budgetPoints: 100,
        awardedPoints: 60,
        reversedPoints: 0,
        // Made in the first stream: named by the book it closes into.
        reservations: [{ entryId: 'e1', riderId: 'r1', points: 60, book: H1 }],
        returns: [],
      });
      const opened = openingOf(closing);
      expect(opened.data).toMatchObject({ book: H1, previous: '', awardedPoints: 60 });
      expect(remainingPoints(fold([opened]))).toBe(40);
      // A retry of the carried reservation is answered as before, not reserved twice.
      given(fundDecider, [opened]).when(reserve).then([]);
    });

    it('refuses every act on a closed book (BOOK_CLOSED), and closes or opens only once', () => {
      const closing = closedOf([created], H1);
      given(fundDecider, [created, closing]).when(reserve).thenError('BOOK_CLOSED', /T10/);
      given(fundDecider, [created, closing]).when(close(H1)).then([]);
      given(fundDecider, [created, closing]).when(close(H2)).thenError('BOOK_CLOSED');
      const opened = openingOf(closing);
      given(fundDecider, []).when({ type: 'OpenBook', fundId: 'f1', from: closing }).then([opened]);
      given(fundDecider, [opened]).when({ type: 'OpenBook', fundId: 'f1', from: closing }).then([]);
      // A book is not closed into its own hour (a second closing run of the hour).
      given(fundDecider, [opened]).when(close(H1)).then([]);
    });

    it('carries reservations and returns for a day, then only open reservations', () => {
      const released: FundEvent = {
        type: 'FundReservationReleased',
        data: { fundId: 'f1', entryId: 'e1', points: 60, code: 'RULE_VIOLATION', reason: 'cap' },
      };
      const returned: FundEvent = {
        type: 'FundPointsReturned',
        data: { fundId: 'f1', entryId: 'v9', reversalOf: 'e0', points: 5 },
      };
      const first = openingOf(closedOf([created, reserved, released, returned], H1));
      expect(first.data.reservations).toEqual([
        {
          entryId: 'e1',
          riderId: 'r1',
          points: 60,
          book: H1,
          released: { code: 'RULE_VIOLATION', reason: 'cap' },
        },
      ]);
      expect(first.data.returns).toEqual([{ entryId: 'v9', book: H1 }]);
      // The retry meets its refusal in the next book; the return is not made twice.
      given(fundDecider, [first]).when(reserve).thenError('RULE_VIOLATION');
      const again = { type: 'ReturnFundPoints' as const, fundId: 'f1', entryId: 'v9' };
      given(fundDecider, [first])
        .when({ ...again, reversalOf: 'e0', points: 5 })
        .then([]);
      // An hour later both are still there; a day later both are gone.
      const second = openingOf(closedOf([first], H2));
      expect(second.data.reservations.map((r) => r.entryId)).toEqual(['e1']);
      expect(second.data.returns.map((r) => r.entryId)).toEqual(['v9']);
      const dayLater = openingOf(closedOf([first], NEXT_DAY));
      expect(dayLater.data).toMatchObject({ reservations: [], returns: [] });
      // An open reservation goes on past the day until the log shows it settled.
      const open = openingOf(closedOf([created, reserved], H1));
      const stillOpen = openingOf(closedOf([open], NEXT_DAY));
      expect(stillOpen.data.reservations.map((r) => r.entryId)).toEqual(['e1']);
      const settled = openingOf(closedOf([open], NEXT_DAY, ['e1']));
      expect(settled.data.reservations).toEqual([]);
      expect(remainingPoints(fold([settled]))).toBe(40);
    });
  });
});
