import {
  isDomainError,
  type CommandContext,
  type Decider,
  type DomainErrorCode,
} from '@ledger/domain';

export const SHANGHAI = 'Asia/Shanghai';

export function contextOf(
  partial: Partial<CommandContext['actor']> & { now?: Date } = {},
): CommandContext {
  const { now, ...actor } = partial;
  return {
    actor: { principalId: 'admin-1', role: 'admin', communityIds: [], stationIds: [], ...actor },
    now: now ?? new Date('2026-06-15T04:00:00Z'),
    timeZone: SHANGHAI,
  };
}

/**
 * Given/when/then for a decider: `given(d, events).when(command, ctx).then(events)` or
 * `.thenError(code)`. The events of `then` are also folded, so evolve is exercised too.
 */
export function given<C, E, S>(decider: Decider<C, E, S>, events: readonly E[]) {
  const state = (): S =>
    events.reduce((s, e) => decider.evolve(s, e), decider.initialState(SHANGHAI));
  return {
    when(command: C, context: CommandContext = contextOf()) {
      const decision = decider.decide(command, state(), context);
      return {
        then(expected: readonly E[]): S {
          if (isDomainError(decision))
            throw new Error(`expected events, got ${decision.code}: ${decision.detail}`);
          expect(decision).toEqual(expected);
          return decision.reduce((s, e) => decider.evolve(s, e), state());
        },
        thenError(code: DomainErrorCode, detail?: RegExp): void {
          if (!isDomainError(decision))
            throw new Error(`expected ${code}, got ${JSON.stringify(decision)}`);
          expect(decision.code).toBe(code);
          if (detail) expect(decision.detail).toMatch(detail);
        },
      };
    },
  };
}
