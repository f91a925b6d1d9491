import { say } from '../shared/said';
import type { Decider } from '../shared/decider';
import { DomainError, ruleViolation, type Decision } from '../shared/domain-error';
import { isValidPoints } from '../shared/points';

/** Activities that earn points (api.md); `task` is a published task's own points. */
export const ACTIVITIES = [
  'patrol',
  'civility_persuasion',
  'grid_duty',
  'hazard_report',
  'rescue',
  'courageous_act',
  'community_activity',
  'learning_quiz',
  'community_registration',
  'epidemic_screening',
  'task',
] as const;
export type Activity = (typeof ACTIVITIES)[number];

export const SEVERITIES = ['minor', 'moderate', 'major'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface ActivityRule {
  readonly activity: Activity;
  /** Points per award; absent for `hazard_report`, which is paid by severity. */
  readonly points?: number;
  readonly pointsBySeverity?: Readonly<Record<Severity, number>>;
  readonly maxPointsPerRiderPerDay?: number;
}

export interface RulesState {
  /** 0 until the first rule set; every `RulesSet` is the next version. */
  readonly version: number;
  readonly rules: ReadonlyMap<Activity, ActivityRule>;
}

export type RulesEvent = {
  type: 'RulesSet';
  data: { version: number; rules: ActivityRule[] };
};

export type RulesCommand = { type: 'SetRules'; rules: readonly ActivityRule[] };

export const rulesDecider = {
  initialState: (): RulesState => ({ version: 0, rules: new Map() }),

  evolve(_state: RulesState, event: RulesEvent): RulesState {
    return {
      version: event.data.version,
      rules: new Map(event.data.rules.map((rule) => [rule.activity, rule])),
    };
  },

  decide(command: RulesCommand, state: RulesState): Decision<RulesEvent> {
    const problem = checkRules(command.rules);
    if (problem) return problem;
    const rules = [...command.rules].sort((a, b) => a.activity.localeCompare(b.activity));
    return [{ type: 'RulesSet', data: { version: state.version + 1, rules } }];
  },
} satisfies Decider<RulesCommand, RulesEvent, RulesState>;

function checkRules(rules: readonly ActivityRule[]): DomainError | undefined {
  const seen = new Set<string>();
  for (const rule of rules) {
    if (!(ACTIVITIES as readonly string[]).includes(rule.activity)) {
      return new DomainError('VALIDATION_FAILED', say`unknown activity ${rule.activity}`);
    }
    if (seen.has(rule.activity)) return ruleViolation(say`activity ${rule.activity} has two rules`);
    seen.add(rule.activity);
    if (rule.activity === 'hazard_report') {
      const bySeverity = rule.pointsBySeverity;
      if (
        !bySeverity ||
        rule.points !== undefined ||
        !SEVERITIES.every((s) => isValidPoints(bySeverity[s]))
      ) {
        return ruleViolation(
          say`the hazard_report rule needs pointsBySeverity { minor, moderate, major } and no points`,
        );
      }
    } else if (rule.points === undefined || !isValidPoints(rule.points) || rule.pointsBySeverity) {
      return ruleViolation(say`the ${rule.activity} rule needs points from 1 to 1,000,000`);
    }
    const cap = rule.maxPointsPerRiderPerDay;
    if (cap !== undefined && !isValidPoints(cap)) {
      return ruleViolation(
        say`maxPointsPerRiderPerDay of ${rule.activity} must be from 1 to 1,000,000`,
      );
    }
  }
  return undefined;
}
