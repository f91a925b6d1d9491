import { projectionSpec } from '../testing/projection-spec';
import { tasksProjection } from './tasks.projection';
import { taskPage } from './tasks.queries';

describe('tasks projection', () => {
  const spec = projectionSpec(tasksProjection);

  it('counts slots taken and records who signed up and whose completion was confirmed', async () => {
    const db = await spec
      .given([
        {
          type: 'TaskPublished',
          data: {
            taskId: 't1',
            communityId: 'c1',
            title: '滨江路夜间巡逻',
            points: 30,
            slots: 3,
            startsAt: '2026-06-14T16:00:00.000Z',
            endsAt: '2026-06-15T16:00:00.000Z',
          },
        },
        { type: 'TaskSignedUp', data: { taskId: 't1', riderId: 'r1' } },
        { type: 'TaskSignedUp', data: { taskId: 't1', riderId: 'r2' } },
        { type: 'TaskCompleted', data: { taskId: 't1', riderId: 'r1', entryId: 'e1' } },
      ])
      .then({
        tasks: [{ task_id: 't1', community_id: 'c1', points: 30, slots: 3, taken: 2, position: 1 }],
        task_riders: [
          { task_id: 't1', rider_id: 'r1', entry_id: 'e1' },
          { task_id: 't1', rider_id: 'r2', entry_id: null },
        ],
      });
    const page = await taskPage(db, { communityId: 'c1', limit: 10 });
    expect(page.items).toEqual([
      {
        id: 't1',
        communityId: 'c1',
        title: '滨江路夜间巡逻',
        points: 30,
        slots: 3,
        taken: 2,
        startsAt: '2026-06-14T16:00:00.000Z',
        endsAt: '2026-06-15T16:00:00.000Z',
      },
    ]);
    // The window is long past: not open for sign-ups now.
    expect((await taskPage(db, { open: true, limit: 10 })).items).toEqual([]);
  });
});
