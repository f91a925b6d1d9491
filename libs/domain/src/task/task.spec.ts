import { contextOf, given } from '@ledger/testing/decider-spec';
import { taskDecider, type TaskEvent } from './task';

const publish = {
  type: 'PublishTask' as const,
  taskId: 't1',
  communityId: 'c1',
  title: '夜间巡逻 滨江路',
  points: 30,
  slots: 2,
  startsAt: '2026-06-15T00:00:00+08:00',
  endsAt: '2026-06-16T00:00:00+08:00',
  rule: { activity: 'task' as const, points: 30 },
};
const published: TaskEvent = {
  type: 'TaskPublished',
  data: {
    taskId: 't1',
    communityId: 'c1',
    title: '夜间巡逻 滨江路',
    points: 30,
    slots: 2,
    startsAt: '2026-06-14T16:00:00.000Z',
    endsAt: '2026-06-15T16:00:00.000Z',
  },
};
const signUp = (riderId: string, riderCommunityId = 'c1') => ({
  type: 'SignUp' as const,
  taskId: 't1',
  riderId,
  riderCommunityId,
});
const signedUp = (riderId: string): TaskEvent => ({
  type: 'TaskSignedUp',
  data: { taskId: 't1', riderId },
});
const complete = (riderId: string, entryId = `e-${riderId}`) => ({
  type: 'CompleteTask' as const,
  taskId: 't1',
  riderId,
  entryId,
});
const during = contextOf({ now: new Date('2026-06-15T04:00:00Z') });
const staffOf = (communityId: string) =>
  contextOf({ role: 'staff', principalId: 'staff-1', communityIds: [communityId] });

describe('task decider', () => {
  it('publishes once, with valid points, slots and a window that ends after it starts', () => {
    given(taskDecider, []).when(publish).then([published]);
    given(taskDecider, [published]).when(publish).thenError('ALREADY_EXISTS');
    given(taskDecider, [])
      .when({ ...publish, points: 0 })
      .thenError('VALIDATION_FAILED');
    given(taskDecider, [])
      .when({ ...publish, slots: 0 })
      .thenError('VALIDATION_FAILED');
    given(taskDecider, [])
      .when({ ...publish, endsAt: publish.startsAt })
      .thenError('RULE_VIOLATION', /end after it starts/);
  });

  it('signs riders up within the window until the slots are taken, each once', () => {
    given(taskDecider, [published])
      .when(signUp('r1'), during)
      .then([signedUp('r1')]);
    given(taskDecider, [published, signedUp('r1')])
      .when(signUp('r1'), during)
      .thenError('ALREADY_EXISTS');
    given(taskDecider, [published, signedUp('r1'), signedUp('r2')])
      .when(signUp('r3'), during)
      .thenError('TASK_FULL');
    given(taskDecider, [published])
      .when(signUp('r1'), contextOf({ now: new Date('2026-06-14T15:59:59Z') }))
      .thenError('RULE_VIOLATION', /opens/);
    given(taskDecider, [published])
      .when(signUp('r1'), contextOf({ now: new Date('2026-06-15T16:00:00Z') }))
      .thenError('RULE_VIOLATION', /ended/);
    given(taskDecider, []).when(signUp('r1'), during).thenError('NOT_FOUND');
  });

  it('takes riders of the task’s own community only (its staff confirm the work)', () => {
    given(taskDecider, [published])
      .when(signUp('r9', 'c2'), during)
      .thenError('RULE_VIOLATION', /for riders of community c1/);
  });

  it('confirms a signed-up rider’s completion once; a retry of the same completion is a no-op', () => {
    const done: TaskEvent = {
      type: 'TaskCompleted',
      data: { taskId: 't1', riderId: 'r1', entryId: 'e-r1' },
    };
    given(taskDecider, [published, signedUp('r1')])
      .when(complete('r1'), during)
      .then([done]);
    given(taskDecider, [published, signedUp('r1'), done])
      .when(complete('r1'), during)
      .then([]);
    given(taskDecider, [published, signedUp('r1'), done])
      .when(complete('r1', 'other'), during)
      .thenError('ALREADY_EXISTS');
    given(taskDecider, [published])
      .when(complete('r2'), during)
      .thenError('RULE_VIOLATION', /did not sign up/);
  });

  it('holds staff to the task rule and to their communities; riders sign up only as themselves', () => {
    given(taskDecider, [])
      .when({ ...publish, rule: undefined })
      .thenError('RULE_VIOLATION', /no point rule/);
    given(taskDecider, [])
      .when({ ...publish, points: 31 }, staffOf('c1'))
      .thenError('RULE_VIOLATION', /only an admin/);
    given(taskDecider, [])
      .when({ ...publish, points: 31 })
      .then([{ ...published, data: { ...published.data, points: 31 } }]);
    given(taskDecider, []).when(publish, staffOf('c2')).thenError('FORBIDDEN');
    given(taskDecider, []).when(publish, staffOf('c1')).then([published]);
    const riderR2 = contextOf({
      role: 'rider',
      principalId: 'p-r2',
      riderId: 'r2',
      now: during.now,
    });
    given(taskDecider, [published]).when(signUp('r1'), riderR2).thenError('FORBIDDEN');
    given(taskDecider, [published, signedUp('r1')])
      .when(complete('r1'), { ...staffOf('c2'), now: during.now })
      .thenError('FORBIDDEN');
  });
});
