import { say } from '../shared/said';
import type { Decider } from '../shared/decider';
import { DomainError, ruleViolation, type Decision } from '../shared/domain-error';
import { isValidPoints } from '../shared/points';
import { ID_PATTERN } from '../streams';

/** A badge is earned once, when a rider's earned points (net of reversals) reach the threshold. */
export interface BadgeThreshold {
  readonly id: string;
  readonly name: string;
  readonly thresholdPoints: number;
}

export interface BadgesState {
  readonly version: number;
  readonly badges: readonly BadgeThreshold[];
}

export type BadgesEvent = {
  type: 'BadgesSet';
  data: { version: number; badges: BadgeThreshold[] };
};
export type BadgesCommand = { type: 'SetBadges'; badges: readonly BadgeThreshold[] };

export const badgesDecider = {
  initialState: (): BadgesState => ({ version: 0, badges: [] }),

  evolve(_state: BadgesState, event: BadgesEvent): BadgesState {
    return { version: event.data.version, badges: event.data.badges };
  },

  decide(command: BadgesCommand, state: BadgesState): Decision<BadgesEvent> {
    const ids = new Set<string>();
    for (const badge of command.badges) {
      if (!ID_PATTERN.test(badge.id))
        return new DomainError('VALIDATION_FAILED', say`bad badge id ${badge.id}`);
      if (ids.has(badge.id)) return ruleViolation(say`badge ${badge.id} is listed twice`);
      if (!isValidPoints(badge.thresholdPoints)) {
        return ruleViolation(say`badge ${badge.id} needs thresholdPoints from 1 to 1,000,000`);
      }
      ids.add(badge.id);
    }
    const badges = [...command.badges].sort(
      (a, b) => a.thresholdPoints - b.thresholdPoints || a.id.localeCompare(b.id),
    );
    return [{ type: 'BadgesSet', data: { version: state.version + 1, badges } }];
  },
} satisfies Decider<BadgesCommand, BadgesEvent, BadgesState>;
