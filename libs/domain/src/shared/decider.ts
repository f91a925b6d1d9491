import type { CommandContext } from './context';
import type { Decision } from './domain-error';

/**
 * A stream kind's behaviour, the one shape every decider of the ledger `satisfies`: a fresh state
 * (made per load: states are folded in place), how an event changes it, and the decision on a
 * command against it. Pure: no I/O, no clock, no random ids (they come in with the command or
 * the context). A decider that needs neither the time zone nor the context simply takes fewer
 * parameters.
 */
export interface Decider<Command, Event, State> {
  initialState(timeZone: string): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State, context: CommandContext): Decision<Event>;
}

/** Folds events into a fresh state of `decider`. */
export function fold<E, S>(
  decider: Pick<Decider<unknown, E, S>, 'initialState' | 'evolve'>,
  events: readonly E[],
  timeZone: string,
): S {
  return events.reduce(
    (state, event) => decider.evolve(state, event),
    decider.initialState(timeZone),
  );
}
