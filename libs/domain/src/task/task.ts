import { say } from '../shared/said';
import type { Decider } from '../shared/decider';
import {
  alreadyExists,
  assertNever,
  DomainError,
  notFound,
  ruleViolation,
  type Decision,
} from '../shared/domain-error';
import type { CommandContext } from '../shared/context';
import { isValidPoints } from '../shared/points';
import { commandScope, staffInCommunity } from '../shared/scope';
import type { ActivityRule } from '../rules/rules';

/** Slots of one task: a community activity, not a mass event. */
export const MAX_TASK_SLOTS = 10_000;

/**
 * A micro-volunteering task (微公益) published by a community's staff: riders sign up for its
 * slots within its window; staff confirm each signed-up rider's completion once, which awards the
 * task's points (activity `task`) through the ordinary award path.
 */
export type TaskEvent =
  | {
      type: 'TaskPublished';
      data: {
        taskId: string;
        communityId: string;
        title: string;
        points: number;
        slots: number;
        startsAt: string;
        endsAt: string;
      };
    }
  | { type: 'TaskSignedUp'; data: { taskId: string; riderId: string } }
  | { type: 'TaskCompleted'; data: { taskId: string; riderId: string; entryId: string } };

export type TaskCommand =
  | {
      type: 'PublishTask';
      taskId: string;
      communityId: string;
      title: string;
      points: number;
      slots: number;
      startsAt: string;
      endsAt: string;
      /** The `task` rule in force when published (its points cap what staff may give). */
      rule: ActivityRule | undefined;
    }
  | {
      type: 'SignUp';
      taskId: string;
      riderId: string;
      /** The rider's community now: a task takes riders of its own community only. */
      riderCommunityId: string;
    }
  | { type: 'CompleteTask'; taskId: string; riderId: string; entryId: string };

export interface TaskState {
  exists: boolean;
  taskId: string;
  communityId: string;
  points: number;
  slots: number;
  startsAt: string;
  endsAt: string;
  /** Signed-up riders, and the award entry of those whose completion was confirmed. */
  readonly riders: Map<string, { entryId?: string }>;
}

export const taskDecider = {
  initialState: (): TaskState => ({
    exists: false,
    taskId: '',
    communityId: '',
    points: 0,
    slots: 0,
    startsAt: '',
    endsAt: '',
    riders: new Map(),
  }),

  evolve(state: TaskState, event: TaskEvent): TaskState {
    switch (event.type) {
      case 'TaskPublished': {
        const { taskId, communityId, points, slots, startsAt, endsAt } = event.data;
        Object.assign(state, {
          exists: true,
          taskId,
          communityId,
          points,
          slots,
          startsAt,
          endsAt,
        });
        break;
      }
      case 'TaskSignedUp':
        state.riders.set(event.data.riderId, {});
        break;
      case 'TaskCompleted':
        state.riders.set(event.data.riderId, { entryId: event.data.entryId });
        break;
      default:
        assertNever(event);
    }
    return state;
  },

  decide(command: TaskCommand, state: TaskState, context: CommandContext): Decision<TaskEvent> {
    const outOfScope = commandScope(context.actor, command);
    if (outOfScope) return outOfScope;
    if (command.type === 'PublishTask') return publish(command, state, context);
    if (!state.exists) return notFound(say`task ${command.taskId}`);
    switch (command.type) {
      case 'SignUp': {
        if (state.riders.has(command.riderId))
          return alreadyExists(say`rider ${command.riderId}'s sign-up for task ${state.taskId}`);
        if (command.riderCommunityId !== state.communityId)
          return ruleViolation(
            say`task ${state.taskId} is for riders of community ${state.communityId}, whose staff confirm it`,
          );
        const now = context.now.getTime();
        if (now < Date.parse(state.startsAt))
          return ruleViolation(say`task ${state.taskId} opens for sign-up at ${state.startsAt}`);
        if (now >= Date.parse(state.endsAt))
          return ruleViolation(say`task ${state.taskId} ended at ${state.endsAt}`);
        if (state.riders.size >= state.slots)
          return new DomainError(
            'TASK_FULL',
            say`all ${state.slots} slots of task ${state.taskId} are taken`,
          );
        return [{ type: 'TaskSignedUp', data: { taskId: state.taskId, riderId: command.riderId } }];
      }
      case 'CompleteTask': {
        const outOfScope = staffInCommunity(context.actor, state.communityId, say`confirm tasks`);
        if (outOfScope) return outOfScope;
        const rider = state.riders.get(command.riderId);
        if (!rider)
          return ruleViolation(
            say`rider ${command.riderId} did not sign up for task ${state.taskId}`,
          );
        if (rider.entryId === command.entryId) return []; // the same completion, retried
        if (rider.entryId !== undefined)
          return alreadyExists(
            say`the completion of task ${state.taskId} by rider ${command.riderId}`,
          );
        const { taskId, riderId, entryId } = command;
        return [{ type: 'TaskCompleted', data: { taskId, riderId, entryId } }];
      }
      default:
        return assertNever(command);
    }
  },
} satisfies Decider<TaskCommand, TaskEvent, TaskState>;

function publish(
  command: Extract<TaskCommand, { type: 'PublishTask' }>,
  state: TaskState,
  context: CommandContext,
): Decision<TaskEvent> {
  const refused = taskRuleRefusal(command, context);
  if (refused) return refused;
  if (state.exists) return alreadyExists(say`task ${command.taskId}`);
  if (!isValidPoints(command.points))
    return new DomainError('VALIDATION_FAILED', say`points must be an integer from 1 to 1,000,000`);
  if (!Number.isSafeInteger(command.slots) || command.slots < 1 || command.slots > MAX_TASK_SLOTS)
    return new DomainError(
      'VALIDATION_FAILED',
      say`slots must be an integer from 1 to ${MAX_TASK_SLOTS}`,
    );
  const starts = Date.parse(command.startsAt);
  const ends = Date.parse(command.endsAt);
  if (Number.isNaN(starts) || Number.isNaN(ends))
    return new DomainError('VALIDATION_FAILED', say`startsAt and endsAt must be ISO-8601 times`);
  if (ends <= starts) return ruleViolation(say`a task must end after it starts`);
  const { type: _type, rule: _rule, ...data } = command;
  return [
    {
      type: 'TaskPublished',
      data: {
        ...data,
        startsAt: new Date(starts).toISOString(),
        endsAt: new Date(ends).toISOString(),
      },
    },
  ];
}

/**
 * A task is published under the `task` rule in force: there must be one, and staff may give at
 * most its points (an admin any). Needs no stream state, so handlers check it early too.
 */
export function taskRuleRefusal(
  command: Pick<Extract<TaskCommand, { type: 'PublishTask' }>, 'rule' | 'points'>,
  context: CommandContext,
): DomainError | undefined {
  const { rule } = command;
  if (!rule) return ruleViolation(say`there is no point rule for activity task`);
  if (context.actor.role !== 'admin' && rule.points !== undefined && command.points > rule.points)
    return ruleViolation(
      say`a task gives at most the task rule's ${rule.points} points; only an admin may give more`,
    );
  return undefined;
}
