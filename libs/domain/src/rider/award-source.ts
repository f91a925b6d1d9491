/**
 * Where an award came from (issue 17), recorded with it and its approving principal (the event's
 * actor): a rider's check-in on site, a verified hazard report (随手拍), a task's completion, an
 * award staff enter themselves after the fact (补录, which must say why: its reason), or an
 * import of past history.
 */
export const AWARD_SOURCES = [
  'check-in',
  'verified-report',
  'task-completion',
  'staff-backfill',
  'import',
] as const;
export type AwardSource = (typeof AWARD_SOURCES)[number];

/**
 * The source of an award recorded before sources were (PointsAwarded version 1), from what it
 * carries: its import, its hazard report, or what a task's completion wrote (activity `task`, the
 * task's id and the reason `微公益任务 {taskId}`: only the completion wrote that reason); anything
 * else was entered by staff. Nothing made a check-in award before version 2.
 */
export function sourceOfEarlierAward(award: {
  readonly activity?: unknown;
  readonly reason?: unknown;
  readonly taskId?: unknown;
  readonly hazardId?: unknown;
  readonly imported?: unknown;
}): AwardSource {
  if (award.imported !== undefined) return 'import';
  if (award.hazardId !== undefined) return 'verified-report';
  const { taskId, activity, reason } = award;
  if (typeof taskId === 'string' && activity === 'task' && reason === `微公益任务 ${taskId}`)
    return 'task-completion';
  return 'staff-backfill';
}
