import {
  DomainError,
  EVENT_SCHEMA_VERSIONS,
  isDomainError,
  type CommandContext,
  type Decision,
  type LedgerEvent,
} from '@ledger/domain';
import {
  NO_STREAM,
  StoreUnavailable,
  WrongExpectedRevision,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type StoredEvent,
} from '@ledger/event-store';
import { randomUUID } from 'node:crypto';
import { KeyedLock } from './keyed-lock';
import type { LedgerRequest } from './ledger-request';

/** A decider as the writer needs it: state built fresh per load, folded, decided. */
export interface StreamDecider<C, E extends LedgerEvent, S> {
  initialState(timeZone: string): S;
  evolve(state: S, event: E): S;
  decide(command: C, state: S, context: CommandContext): Decision<E>;
}

export interface Written<S> {
  /** How many events this call appended; 0 when the command had already been applied. */
  readonly appended: number;
  readonly state: S;
  /** Log position of the last appended event, or of the stream's last event when nothing was new. */
  readonly position: number | undefined;
}

interface CachedStream {
  readonly decider: object;
  state: unknown;
  revision: ExpectedRevision;
  position: number | undefined;
}

/**
 * Writers in other processes can still race this one; each loser reloads and decides again.
 * 50 processes on one stream need up to 50 rounds in the worst case, so the bound is above that;
 * jittered backoff spreads them out.
 */
export const MAX_CONFLICT_RETRIES = 64;
const BACKOFF_BASE_MS = 2;
const BACKOFF_MAX_MS = 50;
/** A store that is briefly unreachable gets this many more tries with the same event ids. */
const MAX_UNAVAILABLE_RETRIES = 2;
/** Folded states kept in memory (least recently used dropped first): a few KB each. */
export const STREAM_CACHE_ENTRIES = 20_000;

/**
 * Load → decide → append with the expected revision; on a conflict, catch up and decide again.
 * States are cached per stream and caught up from their revision, so a long history is folded
 * once per process, not once per command; commands on one stream run one at a time here.
 */
export class StreamWriter {
  private readonly lock = new KeyedLock();
  private readonly cache = new Map<string, CachedStream>();

  constructor(private readonly store: EventStore) {}

  /** The stream's current state (and position of its last event), caught up from the store. */
  read<C, E extends LedgerEvent, S>(
    decider: StreamDecider<C, E, S>,
    stream: string,
    timeZone: string,
  ): Promise<{ state: S; position: number | undefined; exists: boolean }> {
    return this.lock.run(stream, async () => {
      const entry = await this.catchUp(decider, stream, timeZone);
      return {
        state: entry.state as S,
        position: entry.position,
        exists: entry.revision !== NO_STREAM,
      };
    });
  }

  /** Decides `command` on `stream` and appends the outcome; a DomainError when refused. */
  execute<C, E extends LedgerEvent, S>(
    decider: StreamDecider<C, E, S>,
    stream: string,
    command: C,
    request: LedgerRequest,
  ): Promise<Written<S> | DomainError> {
    return this.lock.run(stream, () => this.decideAndAppend(decider, stream, command, request));
  }

  private async decideAndAppend<C, E extends LedgerEvent, S>(
    decider: StreamDecider<C, E, S>,
    stream: string,
    command: C,
    request: LedgerRequest,
  ): Promise<Written<S> | DomainError> {
    for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
      const entry = await this.catchUp(decider, stream, request.context.timeZone);
      const decision = decider.decide(command, entry.state as S, request.context);
      if (isDomainError(decision)) return decision;
      if (decision.length === 0)
        return { appended: 0, state: entry.state as S, position: entry.position };
      try {
        const result = await this.appendWithRetry(
          stream,
          decision.map((e) => toNewEvent(e, request)),
          entry.revision,
        );
        for (const event of decision) entry.state = decider.evolve(entry.state as S, event);
        entry.revision = result.nextExpectedRevision;
        entry.position = result.position;
        return { appended: decision.length, state: entry.state as S, position: result.position };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision)) {
          this.cache.delete(stream); // outcome unknown: fold afresh next time
          throw error;
        }
        await backoff(attempt);
      }
    }
    return new DomainError(
      'CONCURRENCY_CONFLICT',
      `${stream} kept changing; ${MAX_CONFLICT_RETRIES} retries did not help`,
    );
  }

  /** Brings the cached state of `stream` up to the store's last revision (reads only the new events). */
  private async catchUp<C, E extends LedgerEvent, S>(
    decider: StreamDecider<C, E, S>,
    stream: string,
    timeZone: string,
  ): Promise<CachedStream> {
    let entry = this.cache.get(stream);
    if (entry && entry.decider !== decider)
      throw new Error(`stream ${stream} read with two deciders`);
    if (!entry)
      entry = {
        decider,
        state: decider.initialState(timeZone),
        revision: NO_STREAM,
        position: undefined,
      };
    this.cache.delete(stream); // re-inserted below: Map order is the LRU order
    let from = typeof entry.revision === 'number' ? entry.revision + 1 : 0;
    for (;;) {
      const page = await this.store.readStream(stream, { fromRevision: from });
      for (const event of page) {
        entry.state = decider.evolve(entry.state as S, toDomainEvent<E>(event));
        entry.revision = event.revision;
        entry.position = event.position;
      }
      if (page.length === 0) break;
      from = page[page.length - 1].revision + 1;
    }
    this.cache.set(stream, entry);
    if (this.cache.size > STREAM_CACHE_ENTRIES)
      this.cache.delete(this.cache.keys().next().value as string);
    return entry;
  }

  /** Appends; after `StoreUnavailable` (outcome unknown) retries with the same event ids. */
  private async appendWithRetry(stream: string, events: NewEvent[], expected: ExpectedRevision) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.store.append(stream, events, { expectedRevision: expected });
      } catch (error) {
        if (!(error instanceof StoreUnavailable) || attempt >= MAX_UNAVAILABLE_RETRIES) throw error;
        await backoff(attempt);
      }
    }
  }
}

function toNewEvent(event: LedgerEvent, request: LedgerRequest): NewEvent {
  const { actor, now } = request.context;
  const occurredAt = 'occurredAt' in event.data ? event.data.occurredAt : now.toISOString();
  return {
    eventId: randomUUID(),
    type: event.type,
    schemaVersion: EVENT_SCHEMA_VERSIONS[event.type],
    data: event.data,
    metadata: {
      actor: { principalId: actor.principalId, role: actor.role },
      occurredAt,
      recordedAt: now.toISOString(),
      correlationId: request.correlationId,
      ...(request.causationId !== undefined && { causationId: request.causationId }),
      ...(request.idempotencyKey !== undefined && { idempotencyKey: request.idempotencyKey }),
    },
  };
}

/** Stored events of a ledger stream as domain events (upcasting of old versions goes here). */
export function toDomainEvent<E extends LedgerEvent>(stored: StoredEvent): E {
  return { type: stored.type, data: stored.data } as unknown as E;
}

function backoff(attempt: number): Promise<void> {
  const ms = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 5)) * Math.random();
  return new Promise((resolve) => setTimeout(resolve, ms));
}
