import type { Decision } from './domain-error';

/**
 * A stream kind's behaviour: fold its events into state, and decide a command against that
 * state. Pure: no I/O, no clock, no random ids (they come in with the command or the context).
 */
export interface Decider<Command, Event, State, Context> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State, context: Context): Decision<Event>;
}

/** Folds events into a state from the initial one. */
export function fold<E, S>(
  decider: { initialState: S; evolve(s: S, e: E): S },
  events: readonly E[],
): S {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState);
}
