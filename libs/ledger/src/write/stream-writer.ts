import {
  DomainError,
  EVENT_SCHEMA_VERSIONS,
  isDomainError,
  upcastLedgerEvent,
  type CommandContext,
  type Decider,
  type Decision,
  type LedgerEvent,
  say,
} from '@ledger/domain';
import {
  MAX_READ_BATCH,
  NO_STREAM,
  StoreUnavailable,
  streamEvents,
  WrongExpectedRevision,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
} from '@ledger/event-store';
import { randomUUID } from 'node:crypto';
import type { LedgerRequest } from './ledger-request';
import { eventHash, HASH_KEY, storedHash } from './chain';

/**
 * Folded states kept in memory by default (`STREAM_CACHE_STREAMS`): a rider's folded state is a
 * few KB, so the default cache is tens of MB.
 */
export const DEFAULT_STREAM_CACHE_STREAMS = 20_000;

export interface Written<S> {
  /** How many events this command appended; 0 when it had already been applied. */
  readonly appended: number;
  readonly state: S;
  /** Log position at or after this command's last event (the stream's last event when nothing was new). */
  readonly position: number | undefined;
}

export interface ReadOptions {
  /** Catch up with the store now, even if the cached state is recent (after a refusal, say). */
  readonly fresh?: boolean;
}

/**
 * Writers in other processes can still race this one; each loser catches up and decides again.
 * 50 processes on one stream need up to 50 rounds in the worst case, so the bound is above that;
 * jittered backoff spreads them out.
 */
export const MAX_CONFLICT_RETRIES = 64;
const BACKOFF_BASE_MS = 2;
const BACKOFF_MAX_MS = 50;
/** A store that is briefly unreachable gets this many more tries with the same event ids… */
const MAX_UNAVAILABLE_RETRIES = 2;
/**
 * …as long as the append has not taken this long: a blip (a connection reset, one server
 * restart) is worth a retry, a store that times out is down, and the request should say so now.
 */
const UNAVAILABLE_RETRY_BUDGET_MS = 1000;
/** Commands decided together and appended in one round trip (group commit); bounds one append. */
export const MAX_BATCH_COMMANDS = 100;
/**
 * …and at most about this many bytes of events (JSON): a batch stops before the command that
 * would pass it, the rest waiting for the next. KurrentDB refuses an append over its
 * `MaxAppendSize` (1 MB by default), which would fail every command of the batch.
 */
export const MAX_BATCH_BYTES = 512 * 1024;
/**
 * A read (a pre-check, the rules in force) may use a cached state this old; writes never rely on
 * it, they carry the expected revision. Other processes' writes are seen within this time.
 */
export const READ_STALENESS_MS = 1000;

/** The stream an append went to; `created` when the append began it. */
export interface AppendedTo {
  readonly name: string;
  readonly created: boolean;
}

interface CachedStream {
  readonly decider: object;
  state: unknown;
  revision: ExpectedRevision;
  position: number | undefined;
  /** Hash of the stream's last event: the next event's `previous` in the chain. */
  lastHash: string;
  caughtUpAt: number;
}

type Job =
  | {
      kind: 'read';
      fresh: boolean;
      resolve: (entry: CachedStream) => void;
      reject: (e: unknown) => void;
    }
  | {
      kind: 'write';
      command: unknown;
      request: LedgerRequest;
      resolve: (result: Written<unknown> | DomainError) => void;
      reject: (e: unknown) => void;
    };

/** A decider with its types erased, so streams of every kind share one queue map and cache. */
interface ErasedDecider extends Decider<unknown, LedgerEvent, unknown> {
  readonly original: object;
}

const erased = new WeakMap<object, ErasedDecider>();

function erase<C, E extends LedgerEvent, S>(decider: Decider<C, E, S>): ErasedDecider {
  let found = erased.get(decider);
  if (!found) {
    // A stream holds only its own kind's events and commands: the writer keeps them apart by
    // refusing a second decider on a stream, so narrowing back here is safe.
    found = {
      original: decider,
      initialState: (timeZone) => decider.initialState(timeZone),
      evolve: (state, event) => decider.evolve(state as S, event as E),
      decide: (command, state, context) => decider.decide(command as C, state as S, context),
    };
    erased.set(decider, found);
  }
  return found;
}

interface StreamQueue {
  readonly decider: ErasedDecider;
  readonly timeZone: string;
  readonly jobs: Job[];
  running: boolean;
}

/**
 * Load → decide → append with the expected revision; on a conflict, catch up and decide again.
 *
 * Commands on one stream queue here and are taken in batches: each is decided against the state
 * the previous ones left, and all their events go to the store in one append (group commit), so a
 * busy stream such as a fund costs one round trip per batch, not per command. Folded states are
 * cached per stream and caught up from their revision, so a long history is folded once per
 * process; the expected revision on every append keeps writers in other processes apart.
 */
export class StreamWriter {
  private readonly cache = new Map<string, CachedStream>();
  private readonly queues = new Map<string, StreamQueue>();

  private readonly listeners: ((position: number, stream: AppendedTo) => void)[] = [];
  private readonly unknownOutcomeListeners: ((at: Date) => void)[] = [];

  /**
   * `cacheStreams`: folded states kept in memory, the least recently used dropped first
   * (`STREAM_CACHE_STREAMS`). A rider's state is 2–3 KB plus a few hundred bytes per act it holds;
   * a hot stream (a fund, a station) stays because it is always recently used.
   */
  constructor(
    private readonly store: EventStore,
    private readonly cacheStreams = DEFAULT_STREAM_CACHE_STREAMS,
  ) {}

  /**
   * Called with the position of every append this writer makes, and the stream it went to
   * (read-your-writes hooks onto it).
   */
  onAppended(listener: (position: number, stream: AppendedTo) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Called when an append failed with `StoreUnavailable`: it may or may not have been stored, and
   * the act it belonged to may be half done (settlement recovery hooks onto it).
   */
  onUnknownOutcome(listener: (at: Date) => void): void {
    this.unknownOutcomeListeners.push(listener);
  }

  /** The stream's state and the position of its last event. */
  async read<C, E extends LedgerEvent, S>(
    decider: Decider<C, E, S>,
    stream: string,
    timeZone: string,
    options: ReadOptions = {},
  ): Promise<{ state: S; position: number | undefined; exists: boolean }> {
    const entry = await new Promise<CachedStream>((resolve, reject) =>
      this.enqueue(decider, stream, timeZone, {
        kind: 'read',
        fresh: options.fresh ?? false,
        resolve,
        reject,
      }),
    );
    return {
      state: entry.state as S,
      position: entry.position,
      exists: entry.revision !== NO_STREAM,
    };
  }

  /** Whether this writer holds a folded state of `stream` (a read of it would not fold it). */
  isCached(stream: string): boolean {
    return this.cache.has(stream);
  }

  /** Whether `stream` has any event (one short read; nothing folded or cached). */
  async exists(stream: string): Promise<boolean> {
    if ((this.cache.get(stream)?.revision ?? NO_STREAM) !== NO_STREAM) return true;
    return (await this.store.readStream(stream, { limit: 1 })).length > 0;
  }

  /**
   * The log position of the first event of `stream` that `match` picks, read from the store
   * (`streamEvents`: page by page, nothing folded or cached); undefined when none does.
   */
  async positionOf(
    stream: string,
    match: (event: LedgerEvent) => boolean,
  ): Promise<number | undefined> {
    for await (const event of streamEvents(this.store, stream))
      if (match(upcastLedgerEvent(event))) return event.position;
    return undefined;
  }

  /**
   * Decides `command` without appending: a pre-check. A refusal is confirmed against the store
   * (the cached state may be up to READ_STALENESS_MS behind other processes) before it counts.
   */
  async dryRun<C, E extends LedgerEvent, S>(
    decider: Decider<C, E, S>,
    stream: string,
    command: C,
    context: CommandContext,
  ): Promise<{ decision: Decision<E>; state: S }> {
    let read = await this.read(decider, stream, context.timeZone);
    let decision = decider.decide(command, read.state, context);
    if (isDomainError(decision)) {
      read = await this.read(decider, stream, context.timeZone, { fresh: true });
      decision = decider.decide(command, read.state, context);
    }
    return { decision, state: read.state };
  }

  /** Decides `command` on `stream` and appends the outcome; a DomainError when refused. */
  execute<C, E extends LedgerEvent, S>(
    decider: Decider<C, E, S>,
    stream: string,
    command: C,
    request: LedgerRequest,
  ): Promise<Written<S> | DomainError> {
    return new Promise((resolve, reject) =>
      this.enqueue(decider, stream, request.context.timeZone, {
        kind: 'write',
        command,
        request,
        resolve: resolve as (r: Written<unknown> | DomainError) => void,
        reject,
      }),
    );
  }

  private enqueue<C, E extends LedgerEvent, S>(
    decider: Decider<C, E, S>,
    stream: string,
    timeZone: string,
    job: Job,
  ): void {
    let queue = this.queues.get(stream);
    if (!queue) {
      queue = {
        decider: erase(decider),
        timeZone,
        jobs: [],
        running: false,
      };
      this.queues.set(stream, queue);
    }
    if (queue.decider.original !== decider) {
      job.reject(new Error(`stream ${stream} used with two deciders`));
      return;
    }
    queue.jobs.push(job);
    if (!queue.running) void this.drain(stream, queue);
  }

  private async drain(stream: string, queue: StreamQueue): Promise<void> {
    queue.running = true;
    try {
      while (queue.jobs.length > 0) {
        const head = queue.jobs[0];
        if (head.kind === 'read') {
          queue.jobs.shift();
          await this.serveRead(stream, queue, head);
          continue;
        }
        const batch: Extract<Job, { kind: 'write' }>[] = [];
        while (batch.length < MAX_BATCH_COMMANDS && queue.jobs[0]?.kind === 'write') {
          batch.push(queue.jobs.shift() as Extract<Job, { kind: 'write' }>);
        }
        await this.writeBatch(stream, queue, batch);
      }
    } finally {
      queue.running = false;
      if (queue.jobs.length === 0) this.queues.delete(stream);
      else void this.drain(stream, queue);
    }
  }

  private async serveRead(
    stream: string,
    queue: StreamQueue,
    job: Extract<Job, { kind: 'read' }>,
  ): Promise<void> {
    try {
      const cached = this.cache.get(stream);
      const stale = !cached || job.fresh || Date.now() - cached.caughtUpAt > READ_STALENESS_MS;
      job.resolve(stale ? await this.catchUp(stream, queue) : cached);
    } catch (error) {
      job.reject(error);
    }
  }

  /**
   * Decides the batch in order against the cached state and appends everything it produced at
   * once, with the cached revision as the expected one. No read first: if the append succeeds,
   * the stream had not moved, so every decision (refusals included) rested on its latest state.
   * A batch that only refuses appends nothing to prove that, so it is decided again after a
   * catch-up read. A conflict drops the cache (it was evolved ahead) and decides from a fresh fold.
   */
  private async writeBatch(
    stream: string,
    queue: StreamQueue,
    batch: Extract<Job, { kind: 'write' }>[],
  ): Promise<void> {
    try {
      let mustCatchUp = false;
      for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
        const cached = mustCatchUp ? undefined : this.cache.get(stream);
        const entry = cached ?? (await this.catchUp(stream, queue));
        const decided = this.decideBatch(queue, stream, entry, batch);
        // Commands past the byte bound go back to the front of the queue, in order, undecided.
        if (decided.outcomes.length < batch.length)
          queue.jobs.unshift(...batch.splice(decided.outcomes.length));
        if (decided.events.length === 0) {
          if (cached && decided.outcomes.some(isDomainError)) {
            mustCatchUp = true; // nothing was evolved: the cached state can be caught up as is
            continue;
          }
          return settle(batch, decided.outcomes, entry);
        }
        try {
          const created = entry.revision === NO_STREAM;
          const result = await this.appendWithRetry(stream, decided.events, entry.revision);
          entry.revision = result.nextExpectedRevision;
          entry.position = result.position;
          entry.lastHash = storedHash(decided.events[decided.events.length - 1]);
          for (const listener of this.listeners)
            listener(result.position, { name: stream, created });
          return settle(batch, decided.outcomes, entry);
        } catch (error) {
          this.cache.delete(stream); // evolved ahead of the store: fold afresh
          if (error instanceof StoreUnavailable)
            for (const listener of this.unknownOutcomeListeners) listener(new Date());
          if (!(error instanceof WrongExpectedRevision)) throw error;
          mustCatchUp = true;
          await backoff(attempt);
        }
      }
      const conflict = new DomainError(
        'CONCURRENCY_CONFLICT',
        say`${stream} kept changing; ${MAX_CONFLICT_RETRIES} retries did not help`,
      );
      for (const job of batch) job.resolve(conflict);
    } catch (error) {
      for (const job of batch) job.reject(error);
    }
  }

  private decideBatch(
    queue: StreamQueue,
    stream: string,
    entry: CachedStream,
    batch: Extract<Job, { kind: 'write' }>[],
  ) {
    const events: NewEvent[] = [];
    const outcomes: (DomainError | number)[] = [];
    let revision = typeof entry.revision === 'number' ? entry.revision + 1 : 0;
    let previous = entry.lastHash;
    let bytes = 0;
    for (const job of batch) {
      const decision = queue.decider.decide(job.command, entry.state, job.request.context);
      if (isDomainError(decision)) {
        outcomes.push(decision);
        continue;
      }
      // Measured before the state moves: a command whose events would pass the bound waits for
      // the next batch (unless it is the first: one command's events always go).
      const size = decision.reduce(
        (n, e) => n + Buffer.byteLength(JSON.stringify(e.data)) + 512,
        0,
      );
      if (events.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size; // metadata, chained below, is under 512 bytes an event
      for (const event of decision) {
        entry.state = queue.decider.evolve(entry.state, event);
        const chained = chain(toNewEvent(event, job.request), stream, revision++, previous);
        previous = storedHash(chained);
        events.push(chained);
      }
      outcomes.push(decision.length);
    }
    return { events, outcomes };
  }

  /** Brings the cached state of `stream` up to the store's last revision (reads only the new events). */
  private async catchUp(stream: string, queue: StreamQueue): Promise<CachedStream> {
    const entry = this.cache.get(stream) ?? {
      decider: queue.decider,
      state: queue.decider.initialState(queue.timeZone),
      revision: NO_STREAM,
      position: undefined,
      lastHash: '',
      caughtUpAt: 0,
    };
    this.cache.delete(stream); // re-inserted below: Map order is the LRU order
    let from = typeof entry.revision === 'number' ? entry.revision + 1 : 0;
    for (;;) {
      const page = await this.store.readStream(stream, {
        fromRevision: from,
        limit: MAX_READ_BATCH,
      });
      for (const event of page) {
        entry.state = queue.decider.evolve(entry.state, upcastLedgerEvent(event));
        entry.revision = event.revision;
        entry.position = event.position;
        // An event from before the chain has the hash `migrateChain` will give it: chain onto that.
        entry.lastHash = storedHash(event) || eventHash(event, entry.lastHash);
      }
      // A page short of the limit was the stream's end when it was read: no round trip to learn it.
      if (page.length < MAX_READ_BATCH) break;
      from = page[page.length - 1].revision + 1;
    }
    entry.caughtUpAt = Date.now();
    this.cache.set(stream, entry);
    if (this.cache.size > this.cacheStreams)
      this.cache.delete(this.cache.keys().next().value as string);
    return entry;
  }

  /** Appends; after `StoreUnavailable` (outcome unknown) retries with the same event ids. */
  private async appendWithRetry(
    stream: string,
    events: NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.store.append(stream, events, { expectedRevision: expected });
      } catch (error) {
        if (
          !(error instanceof StoreUnavailable) ||
          attempt >= MAX_UNAVAILABLE_RETRIES ||
          Date.now() - started > UNAVAILABLE_RETRY_BUDGET_MS
        )
          throw error;
        await backoff(attempt);
      }
    }
  }
}

function settle(
  batch: Extract<Job, { kind: 'write' }>[],
  outcomes: (DomainError | number)[],
  entry: CachedStream,
): void {
  batch.forEach((job, i) => {
    const outcome = outcomes[i];
    job.resolve(
      isDomainError(outcome)
        ? outcome
        : { appended: outcome, state: entry.state, position: entry.position },
    );
  });
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

/** The event with its place in the stream's hash chain (`metadata.hash`). */
function chain(event: NewEvent, stream: string, revision: number, previous: string): NewEvent {
  const hash = eventHash({ ...event, streamName: stream, revision }, previous);
  return { ...event, metadata: { ...event.metadata, [HASH_KEY]: hash } };
}

function backoff(attempt: number): Promise<void> {
  const ms = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 5)) * Math.random();
  return new Promise((resolve) => setTimeout(resolve, ms));
}
