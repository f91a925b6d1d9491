import { contextOf, given } from '@ledger/testing/decider-spec';
import { checkInDecider, type CheckInCommand, type CheckInEvent } from './check-in';

const NOW = new Date('2026-06-15T04:00:00Z');
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const STEP = Math.floor(NOW.getTime() / 30_000);
const staff = contextOf({ principalId: 'staff-1', role: 'staff', communityIds: ['c1'], now: NOW });
const rider = (minutes = 0) =>
  contextOf({ principalId: 'rider-r1', role: 'rider', riderId: 'r1', now: at(minutes) });

const opened: CheckInEvent = {
  type: 'CheckInOpened',
  data: {
    ...{ checkInId: 'k1', communityId: 'c1', kind: 'patrol', activity: 'patrol', fundId: 'f1' },
    ...{ title: '夜间巡逻', opensAt: NOW.toISOString(), closesAt: at(240).toISOString() },
    minMinutes: 60,
  },
};
const open: CheckInCommand = { type: 'OpenCheckIn', ...opened.data };
const checkIn = (step: number | undefined, nowStep = STEP): CheckInCommand => ({
  ...{ type: 'CheckIn', checkInId: 'k1', riderId: 'r1', riderCommunityId: 'c1', signedUp: false },
  code: { ...(step !== undefined && { step }), now: nowStep },
});
const checkedIn: CheckInEvent = {
  type: 'RiderCheckedIn',
  data: { checkInId: 'k1', riderId: 'r1', step: STEP, at: NOW.toISOString() },
};

describe('check-ins (签到)', () => {
  it('are opened by staff of the community, once, within a day', () => {
    given(checkInDecider, []).when(open, staff).then([opened]);
    given(checkInDecider, [opened]).when(open, staff).then([]);
    // Sent again without opensAt (it defaulted to the first request's now): the same check-in.
    const { opensAt: _opensAt, ...unsent } = opened.data;
    given(checkInDecider, [opened])
      .when({ type: 'OpenCheckIn', ...unsent }, contextOf({ ...staff.actor, now: at(5) }))
      .then([]);
    // Its fields in another order (the log's JSON keeps none): the same.
    const reordered = Object.fromEntries(
      Object.entries(opened.data).reverse(),
    ) as typeof opened.data;
    given(checkInDecider, [{ ...opened, data: reordered }])
      .when(open, staff)
      .then([]);
    given(checkInDecider, [opened])
      .when({ ...open, title: '另一场' }, staff)
      .thenError('ALREADY_EXISTS');
    given(checkInDecider, [])
      .when({ ...open, closesAt: at(30).toISOString() }, staff)
      .thenError('RULE_VIOLATION', /a stay of 60 min does not fit/);
    given(checkInDecider, [])
      .when({ ...open, communityId: 'c2' }, staff)
      .thenError('FORBIDDEN');
    given(checkInDecider, [])
      .when({ ...open, closesAt: at(25 * 60).toISOString() }, staff)
      .thenError('RULE_VIOLATION', /at most 24 hours/);
    given(checkInDecider, [])
      .when({ ...open, kind: 'task', activity: 'task' }, staff)
      .thenError('VALIDATION_FAILED', /taskId/);
  });

  it('take a rider once, with the code of now or one step either side', () => {
    for (const step of [STEP - 1, STEP, STEP + 1])
      given(checkInDecider, [opened])
        .when(checkIn(step), rider())
        .then([{ ...checkedIn, data: { ...checkedIn.data, step } }]);
    given(checkInDecider, [opened, checkedIn])
      .when(checkIn(STEP), rider())
      .thenError('ALREADY_EXISTS');
  });

  it('refuse a wrong code, a code typed 2 minutes late, a rider of elsewhere, and another rider', () => {
    given(checkInDecider, [opened])
      .when(checkIn(undefined), rider())
      .thenError('CODE_REFUSED', /not the check-in's code/);
    given(checkInDecider, [opened])
      .when(checkIn(STEP - 5), rider())
      .thenError('CODE_REFUSED', /expired 2 min ago/);
    given(checkInDecider, [opened])
      .when(checkIn(STEP - 2), rider())
      .thenError('CODE_REFUSED', /expired 30 s ago/);
    given(checkInDecider, [opened])
      .when({ ...checkIn(STEP), riderCommunityId: 'c2' } as CheckInCommand, rider())
      .thenError('RULE_VIOLATION', /community c1/);
    given(checkInDecider, [opened])
      .when({ ...checkIn(STEP), riderId: 'r2' } as CheckInCommand, rider())
      .thenError('FORBIDDEN');
  });

  it('take no one before it opens, after it closes or once closed', () => {
    const later: CheckInEvent = {
      ...opened,
      data: { ...opened.data, opensAt: at(30).toISOString() },
    };
    given(checkInDecider, [later])
      .when(checkIn(STEP), rider())
      .thenError('RULE_VIOLATION', /opens at/);
    given(checkInDecider, [opened])
      .when(checkIn(STEP + 480), rider(241))
      .thenError('RULE_VIOLATION', /closed at/);
    const closed: CheckInEvent = {
      type: 'CheckInClosed',
      data: { checkInId: 'k1', at: NOW.toISOString() },
    };
    given(checkInDecider, [opened, closed])
      .when(checkIn(STEP), rider())
      .thenError('RULE_VIOLATION', /closed/);
  });

  it('check riders out after the stay asked, with a later code, until the stay past closing', () => {
    const out = (minutes: number, step: number): CheckInCommand => ({
      type: 'CheckOut',
      checkInId: 'k1',
      riderId: 'r1',
      code: { step, now: STEP + minutes * 2 },
    });
    given(checkInDecider, [opened, checkedIn])
      .when(out(59, STEP + 118), rider(59))
      .thenError('RULE_VIOLATION', /60 min is asked; 59 min/);
    given(checkInDecider, [opened, checkedIn])
      .when({ ...out(61, STEP), code: { step: STEP, now: STEP + 1 } } as CheckInCommand, rider(0))
      .thenError('CODE_REFUSED', /used to check in/);
    given(checkInDecider, [opened, checkedIn])
      .when(out(61, STEP + 122), rider(61))
      .then([
        {
          type: 'RiderCheckedOut',
          data: {
            checkInId: 'k1',
            riderId: 'r1',
            step: STEP + 122,
            at: at(61).toISOString(),
            minutes: 61,
          },
        },
      ]);
    given(checkInDecider, [opened])
      .when(out(61, STEP + 122), rider(61))
      .thenError('RULE_VIOLATION', /has not checked in/);
    // Closed at 240 min with a stay of 60 asked: check-outs end at 300.
    given(checkInDecider, [opened, checkedIn])
      .when(out(301, STEP + 602), rider(301))
      .thenError('RULE_VIOLATION', /check-outs of check-in k1 ended/);
  });

  it('record an award’s outcome once: made, or refused (never made later behind a back-fill)', () => {
    const record = (
      outcome: { entryId: string; points: number } | { code: string; reason: string },
    ) =>
      ({ type: 'RecordCheckInAward', checkInId: 'k1', riderId: 'r1', outcome }) as CheckInCommand;
    const refused: CheckInEvent = {
      type: 'CheckInAwardRefused',
      data: {
        checkInId: 'k1',
        riderId: 'r1',
        code: 'FUND_EXHAUSTED',
        reason: 'fund f1 has 0 points left',
      },
    };
    const state = given(checkInDecider, [opened, checkedIn])
      .when(record({ code: 'FUND_EXHAUSTED', reason: 'fund f1 has 0 points left' }), rider())
      .then([refused]);
    expect(state.riders.get('r1')?.award).toEqual({
      code: 'FUND_EXHAUSTED',
      reason: 'fund f1 has 0 points left',
    });
    given(checkInDecider, [opened, checkedIn, refused])
      .when(record({ entryId: 'e1', points: 20 }), rider())
      .then([]);
    given(checkInDecider, [opened])
      .when(record({ entryId: 'e1', points: 20 }), rider())
      .thenError('RULE_VIOLATION');
  });
});
