import type { Page, ReadDb } from '../read-db';
import { iso, num, pageByKey, pageByPosition } from '../read-db';

export interface TaskView {
  id: string;
  communityId: string;
  title: string;
  points: number;
  slots: number;
  taken: number;
  startsAt: string;
  endsAt: string;
}

interface TaskRow {
  task_id: string;
  community_id: string;
  title: string;
  points: string | number;
  slots: number;
  taken: number;
  starts_at: Date;
  ends_at: Date;
  position: string | number;
}

export interface TaskFilter {
  readonly communityId?: string | undefined;
  /** Only tasks taking sign-ups now: in their window, with a free slot. */
  readonly open?: boolean;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** Tasks in publishing order. */
export async function taskPage(db: ReadDb, filter: TaskFilter): Promise<Page<TaskView>> {
  const { rows } = await db.query<TaskRow>(
    `select * from ${db.schema}.tasks
     where position > $1 and ($2::text is null or community_id = $2)
       and (not $3 or (starts_at <= now() and ends_at > now() and taken < slots))
     order by position limit $4`,
    [
      Number(filter.cursor ?? 0),
      filter.communityId ?? null,
      filter.open ?? false,
      filter.limit + 1,
    ],
  );
  return pageByPosition(rows, filter.limit, (r) => ({
    id: r.task_id,
    communityId: r.community_id,
    title: r.title,
    points: num(r.points),
    slots: r.slots,
    taken: r.taken,
    startsAt: iso(r.starts_at),
    endsAt: iso(r.ends_at),
  }));
}

/** A task's community, or `undefined` for a task never published. */
export async function taskCommunity(db: ReadDb, taskId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ community_id: string }>(
    `select community_id from ${db.schema}.tasks where task_id = $1`,
    [taskId],
  );
  return rows[0]?.community_id;
}

/** A rider signed up for a task, and the award that confirmed its completion, if any. */
export interface SignUpView {
  riderId: string;
  entryId: string | null;
}

/** Who signed up for a task, by rider id. */
export async function signUpPage(
  db: ReadDb,
  taskId: string,
  page: { limit: number; after?: (string | number)[] | undefined },
): Promise<Page<SignUpView>> {
  const { rows } = await db.query<{ rider_id: string; entry_id: string | null }>(
    `select rider_id, entry_id from ${db.schema}.task_riders
     where task_id = $1 and ($2::text is null or rider_id > $2)
     order by rider_id limit $3`,
    [taskId, page.after?.[0] === undefined ? null : String(page.after[0]), page.limit + 1],
  );
  return pageByKey(
    rows,
    page.limit,
    (r) => [r.rider_id],
    (r) => ({ riderId: r.rider_id, entryId: r.entry_id }),
  );
}
