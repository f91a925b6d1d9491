import { perEvent, type Projection } from '../projection';

/** Tasks with their slots taken, and who signed up and completed. */
export const tasksProjection: Projection = {
  name: 'tasks',
  tables: [
    { name: 'tasks', orderBy: 'task_id' },
    { name: 'task_riders', orderBy: 'task_id, rider_id' },
  ],
  ddl: (s) => `
    create table if not exists ${s}.tasks (task_id text primary key, community_id text not null,
      title text not null, points bigint not null, slots integer not null, taken integer not null,
      starts_at timestamptz not null, ends_at timestamptz not null, position bigint not null);
    create index if not exists tasks_community on ${s}.tasks (community_id, task_id);
    create table if not exists ${s}.task_riders (task_id text not null, rider_id text not null,
      entry_id text, primary key (task_id, rider_id));`,
  applyBatch: perEvent(async (event, stored, q, { schema: s }) => {
    switch (event.type) {
      case 'TaskPublished': {
        const d = event.data;
        await q(`insert into ${s}.tasks values ($1, $2, $3, $4, $5, 0, $6, $7, $8)`, [
          d.taskId,
          d.communityId,
          d.title,
          d.points,
          d.slots,
          d.startsAt,
          d.endsAt,
          stored.position,
        ]);
        break;
      }
      case 'TaskSignedUp':
        await q(`insert into ${s}.task_riders values ($1, $2, null)`, [
          event.data.taskId,
          event.data.riderId,
        ]);
        await q(`update ${s}.tasks set taken = taken + 1 where task_id = $1`, [event.data.taskId]);
        break;
      case 'TaskCompleted':
        await q(`update ${s}.task_riders set entry_id = $3 where task_id = $1 and rider_id = $2`, [
          event.data.taskId,
          event.data.riderId,
          event.data.entryId,
        ]);
        break;
      default:
        break;
    }
  }),
};
