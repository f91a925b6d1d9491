import { say } from '../shared/said';
import type { RulesState, Severity, Activity } from '../rules/rules';
import type { CommandContext } from '../shared/context';
import { DomainError, ruleViolation } from '../shared/domain-error';
import { isValidPoints } from '../shared/points';
import { MAX_AWARD_AGE_MS } from '../shared/time';

export interface AwardRequest {
  readonly activity: Activity;
  readonly occurredAt: string;
  /** Asked-for points; the rule's points when absent. */
  readonly points?: number;
  /** For `hazard_report`: the severity the verifier graded. */
  readonly severity?: Severity;
}

export interface PlannedAward {
  readonly points: number;
  readonly ruleVersion: number;
  readonly maxPointsPerRiderPerDay?: number;
}

/**
 * Resolves an award request against the rule set in force: the rule's points (or the asked-for
 * points, which staff may not raise above the rule; an admin may), the daily cap, the version
 * recorded with the award, and the window for `occurredAt` (not in the future, at most 90 days old).
 */
export function planAward(
  request: AwardRequest,
  rules: RulesState,
  context: CommandContext,
): PlannedAward | DomainError {
  const rule = rules.rules.get(request.activity);
  if (!rule) return ruleViolation(say`no point rule for activity ${request.activity}`);
  let rulePoints = rule.points;
  if (request.activity === 'hazard_report') {
    if (!request.severity) return ruleViolation(say`a hazard_report award needs a severity`);
    rulePoints = rule.pointsBySeverity?.[request.severity];
  }
  if (rulePoints === undefined)
    return ruleViolation(say`the ${request.activity} rule sets no points`);
  const points = request.points ?? rulePoints;
  if (!isValidPoints(points))
    return new DomainError('VALIDATION_FAILED', say`points must be an integer from 1 to 1,000,000`);
  if (points > rulePoints && context.actor.role !== 'admin') {
    return ruleViolation(
      say`${points} points is more than the ${request.activity} rule's ${rulePoints}; only an admin may`,
    );
  }
  const occurredAt = Date.parse(request.occurredAt);
  if (Number.isNaN(occurredAt))
    return new DomainError('VALIDATION_FAILED', say`occurredAt is not an ISO-8601 time`);
  if (occurredAt > context.now.getTime()) return ruleViolation(say`occurredAt is in the future`);
  if (occurredAt < context.now.getTime() - MAX_AWARD_AGE_MS)
    return ruleViolation(say`occurredAt is more than 90 days ago`);
  return {
    points,
    ruleVersion: rules.version,
    ...(rule.maxPointsPerRiderPerDay !== undefined && {
      maxPointsPerRiderPerDay: rule.maxPointsPerRiderPerDay,
    }),
  };
}
