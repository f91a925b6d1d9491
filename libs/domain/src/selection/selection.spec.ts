import { given } from '@ledger/testing/decider-spec';
import { selectionDecider, type SelectionEvent } from './selection';
import { DistrictYearStandings } from './standings';

const opened: SelectionEvent = {
  type: 'SelectionOpened',
  data: { selectionId: 's', district: '江津区', year: 2026, size: 10 },
};
const close = {
  type: 'CloseSelection' as const,
  selectionId: 's',
  cutoffPosition: 9,
  cutoffCursor: '1:9',
  winners: [{ rank: 1, riderId: 'r1', points: 5 }],
};

describe('selection decider', () => {
  it('opens once, with a size from 1 to 100', () => {
    const open = {
      type: 'OpenSelection' as const,
      selectionId: 's',
      district: '江津区',
      year: 2026,
      size: 10,
    };
    given(selectionDecider, []).when(open).then([opened]);
    given(selectionDecider, [opened]).when(open).thenError('ALREADY_EXISTS');
    given(selectionDecider, [])
      .when({ ...open, size: 0 })
      .thenError('VALIDATION_FAILED');
  });
  it('closes once: NOT_FOUND before opening, SELECTION_CLOSED after closing', () => {
    const { type: _type, ...data } = close;
    const closed: SelectionEvent = {
      type: 'SelectionClosed',
      data: { ...data, winners: [...close.winners] },
    };
    given(selectionDecider, [opened]).when(close).then([closed]);
    given(selectionDecider, [opened, closed]).when(close).thenError('SELECTION_CLOSED');
    given(selectionDecider, []).when(close).thenError('NOT_FOUND');
  });
});

describe('district year standings', () => {
  it('count only the district and year, net of reversals, ordered by points, first to reach, rider id', () => {
    const s = new DistrictYearStandings('江津区', 2026, 'Asia/Shanghai');
    s.apply(
      {
        type: 'CommunityRegistered',
        data: { communityId: 'c1', name: 'n', street: 'st', district: '江津区' },
      },
      1,
    );
    s.apply(
      {
        type: 'CommunityRegistered',
        data: { communityId: 'x', name: 'n', street: 'st', district: '渝中区' },
      },
      2,
    );
    const award = (
      entryId: string,
      riderId: string,
      points: number,
      communityId = 'c1',
      occurredAt = '2026-03-01T00:00:00Z',
    ) =>
      ({
        type: 'PointsAwarded',
        data: {
          entryId,
          riderId,
          communityId,
          activity: 'patrol',
          points,
          fundId: 'f',
          ruleVersion: 1,
          reason: 'r',
          occurredAt,
          balanceAfter: points,
          source: 'staff-backfill',
        },
      }) as const;
    s.apply(award('a', 'rB', 10), 3);
    s.apply(award('b', 'rA', 10), 4);
    s.apply(award('c', 'rC', 50, 'x'), 5);
    s.apply(award('d', 'rD', 50, 'c1', '2025-12-31T15:59:59Z'), 6);
    s.apply(award('e', 'rE', 30), 7);
    s.apply(
      {
        type: 'AwardReversed',
        data: {
          entryId: 'v',
          riderId: 'rE',
          reversalOf: 'e',
          communityId: 'c1',
          points: 30,
          fundId: 'f',
          reason: 'r',
          balanceAfter: 0,
        },
      },
      8,
    );
    expect(s.top(10)).toEqual([
      { rank: 1, riderId: 'rB', points: 10 },
      { rank: 2, riderId: 'rA', points: 10 },
    ]);
  });
});
