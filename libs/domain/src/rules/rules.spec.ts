import { contextOf, given } from '@ledger/testing/decider-spec';
import { planAward } from '../rider/award-policy';
import { badgesDecider } from '../badges/badges';
import { DomainError } from '../shared/domain-error';
import { rulesDecider, type ActivityRule, type RulesEvent } from './rules';

const rules: ActivityRule[] = [
  { activity: 'patrol', points: 20, maxPointsPerRiderPerDay: 40 },
  { activity: 'hazard_report', pointsBySeverity: { minor: 5, moderate: 20, major: 50 } },
];
const set: RulesEvent = { type: 'RulesSet', data: { version: 1, rules: [rules[1], rules[0]] } };

function expectRefusal(outcome: unknown, code: string, detail: RegExp): void {
  expect(outcome).toBeInstanceOf(DomainError);
  expect((outcome as DomainError).code).toBe(code);
  expect((outcome as DomainError).detail).toMatch(detail);
}

describe('rules decider and award policy', () => {
  it('versions every rule set', () => {
    given(rulesDecider, []).when({ type: 'SetRules', rules }).then([set]);
    given(rulesDecider, [set])
      .when({ type: 'SetRules', rules: [rules[0]] })
      .then([{ type: 'RulesSet', data: { version: 2, rules: [rules[0]] } }]);
  });
  it('refuses malformed rules: RULE_VIOLATION, VALIDATION_FAILED', () => {
    given(rulesDecider, [])
      .when({ type: 'SetRules', rules: [rules[0], rules[0]] })
      .thenError('RULE_VIOLATION', /two rules/);
    given(rulesDecider, [])
      .when({ type: 'SetRules', rules: [{ activity: 'hazard_report', points: 5 }] })
      .thenError('RULE_VIOLATION');
    given(rulesDecider, [])
      .when({ type: 'SetRules', rules: [{ activity: 'patrol', points: 0 }] })
      .thenError('RULE_VIOLATION');
    given(rulesDecider, [])
      .when({ type: 'SetRules', rules: [{ activity: 'dancing' as 'patrol', points: 1 }] })
      .thenError('VALIDATION_FAILED');
  });
  const state = rulesDecider.evolve(rulesDecider.initialState(), set);
  const admin = contextOf();
  const staff = contextOf({ role: 'staff', communityIds: ['c1'] });
  it('applies the rule points and records the version and cap', () => {
    const at = '2026-06-15T01:00:00Z';
    expect(planAward({ activity: 'patrol', occurredAt: at }, state, staff)).toEqual({
      points: 20,
      ruleVersion: 1,
      maxPointsPerRiderPerDay: 40,
    });
    expect(
      planAward({ activity: 'hazard_report', severity: 'major', occurredAt: at }, state, staff),
    ).toEqual({
      points: 50,
      ruleVersion: 1,
    });
  });
  it('lets staff give at most the rule points, an admin any', () => {
    expect(
      planAward(
        { activity: 'patrol', points: 25, occurredAt: '2026-06-15T01:00:00Z' },
        state,
        staff,
      ),
    ).toMatchObject({ code: 'RULE_VIOLATION' });
    expect(
      planAward(
        { activity: 'patrol', points: 10, occurredAt: '2026-06-15T01:00:00Z' },
        state,
        staff,
      ),
    ).toMatchObject({ points: 10 });
    expect(
      planAward(
        { activity: 'patrol', points: 500, occurredAt: '2026-06-15T01:00:00Z' },
        state,
        admin,
      ),
    ).toMatchObject({ points: 500 });
  });
  it('refuses an activity without a rule, a future time, and one older than 90 days', () => {
    const plan = (activity: 'rescue' | 'patrol', occurredAt: string) =>
      planAward({ activity, occurredAt }, state, admin);
    expectRefusal(plan('rescue', '2026-06-15T01:00:00Z'), 'RULE_VIOLATION', /no point rule/);
    expectRefusal(plan('patrol', '2026-06-15T04:00:01Z'), 'RULE_VIOLATION', /future/);
    expectRefusal(plan('patrol', '2026-03-17T03:59:59Z'), 'RULE_VIOLATION', /90 days/);
    expect(plan('patrol', '2026-03-17T04:00:00Z')).toMatchObject({ points: 20 });
    expectRefusal(
      planAward({ activity: 'hazard_report', occurredAt: '2026-06-15T01:00:00Z' }, state, admin),
      'RULE_VIOLATION',
      /severity/,
    );
    expectRefusal(plan('patrol', 'yesterday'), 'VALIDATION_FAILED', /ISO-8601/);
  });
  it('versions badge thresholds and refuses bad ones', () => {
    const badges = [
      { id: 'silver', name: '银牌', thresholdPoints: 500 },
      { id: 'bronze', name: '铜牌', thresholdPoints: 100 },
    ];
    given(badgesDecider, [])
      .when({ type: 'SetBadges', badges })
      .then([{ type: 'BadgesSet', data: { version: 1, badges: [badges[1], badges[0]] } }]);
    given(badgesDecider, [])
      .when({ type: 'SetBadges', badges: [badges[0], badges[0]] })
      .thenError('RULE_VIOLATION');
    given(badgesDecider, [])
      .when({ type: 'SetBadges', badges: [{ id: 'x', name: 'x', thresholdPoints: -1 }] })
      .thenError('RULE_VIOLATION');
  });
});
