import { SEALS_STREAM, type SealEvent } from '@ledger/domain';
import { START, streamEvents, type EventStore, type StoredEvent } from '@ledger/event-store';
import { eventHash, headsDigest, storedHash } from '../write/chain';

export interface Verification {
  readonly ok: boolean;
  readonly eventsChecked: number;
  /** The first event that does not check out (or the seal that does not match); null when ok. */
  readonly firstBadPosition: number | null;
  /** Why it is bad, for people; clients branch on `ok`. */
  readonly problem: string | null;
  /** Position of the last event checked. */
  readonly head: number | null;
  readonly sealsChecked: number;
  /**
   * Where an incremental verification started: everything up to `headPosition` was verified by
   * an earlier run and is vouched for by the seal at `sealPosition`; `null`: from the first event.
   */
  readonly from: { readonly sealPosition: number; readonly headPosition: number } | null;
}

export type Heads = Map<string, { revision: number; hash: string }>;

/** A seal as verification reads it. */
export interface SealSeen {
  readonly position: number;
  readonly headPosition: number;
  readonly headCursor: string;
  readonly digest: string;
}

/**
 * Where a verification may start instead of the first event: a seal an earlier run verified, and
 * every stream's head at the seal's cut-off (whose digest must be the seal's).
 */
export interface VerifiedStart {
  readonly seal: SealSeen;
  readonly heads: ReadonlyMap<string, { revision: number; hash: string }>;
}

/** What a run leaves for the next one to start from: the last seal it passed, and what changed. */
export interface LastSealPassed {
  readonly seal: SealSeen;
  /** The heads at the seal of streams that changed since the run's start (all, from the first event). */
  readonly changed: Heads;
}

/**
 * Reads the whole log in order and checks every event against its stream's chain (revision
 * follows revision, the stored hash is the hash recomputed from the event and its predecessor's)
 * and every seal against the stream heads recomputed at its cut-off. Stops at the first bad one.
 */
export async function verifyLog(
  store: EventStore,
  onProgress: (checked: number) => void = () => undefined,
): Promise<Verification> {
  return (await verifiedHeads(store, onProgress)).verification;
}

/** The seal with this position, as the log holds it now (`undefined`: not in the log). */
export async function sealAt(store: EventStore, position: number): Promise<SealSeen | undefined> {
  return [...(await sealsByCursor(store)).values()].find((seal) => seal.position === position);
}

/** What one pass over the log found. */
export interface VerifiedRun {
  readonly verification: Verification;
  /** Every stream's head where the run stopped, and the cursor of the last event read. */
  readonly heads: Heads;
  readonly headCursor: string;
  /** The last seal passed: where a later run may start. */
  readonly lastSeal: LastSealPassed | undefined;
  /** The heads at the end of the run of streams that changed since its start. */
  readonly changed: Heads;
}

/**
 * One pass over the log, from the first event or from `start` (a seal an earlier run verified,
 * trusted here: the caller checks its heads against the seal's digest).
 */
export async function verifiedHeads(
  store: EventStore,
  /** After each page: events checked, and the cursor reached. */
  onProgress: (checked: number, reached: string) => void = () => undefined,
  start?: VerifiedStart,
): Promise<VerifiedRun> {
  return new ChainWalk(start).run(store, onProgress);
}

/** The state of one pass: heads so far, seals still to meet, counts. */
class ChainWalk {
  private readonly heads: Heads;
  private readonly changed = new Set<string>();
  private seals = new Map<string, SealSeen>();
  private lastSealPosition = -1;
  private lastSeal: LastSealPassed | undefined;
  private checked = 0;
  private sealsChecked = 0;
  private head: number | null;
  private cursor: string;

  constructor(private readonly start: VerifiedStart | undefined) {
    this.heads = new Map(start?.heads);
    this.head = start ? start.seal.headPosition : null;
    this.cursor = start ? start.seal.headCursor : START;
  }

  async run(
    store: EventStore,
    onProgress: (checked: number, reached: string) => void,
  ): Promise<VerifiedRun> {
    this.seals = await sealsByCursor(store);
    // Seals up to the start were verified by the run that left it.
    for (const [at, seal] of this.seals)
      if (this.start && seal.headPosition <= this.start.seal.headPosition) this.seals.delete(at);
    this.lastSealPosition = Math.max(-1, ...[...this.seals.values()].map((s) => s.position));
    // A seal of the empty log (earlier versions wrote one when sealing a new ledger) vouches for
    // nothing but the empty set of heads, which is where every verification starts.
    const atStart = this.sealAt(START, 'the empty log');
    if (atStart) return atStart;
    for (;;) {
      const page = await store.readAll({ after: this.cursor, limit: 1000 });
      if (page.events.length === 0) break;
      for (const event of page.events) {
        const found = this.step(event);
        if (found) return found;
      }
      this.cursor = page.cursor;
      onProgress(this.checked, this.cursor);
      // Hashing a page is CPU work: let waiting requests (/health, reads) in between pages.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const [missing] = [...this.seals.values()].sort((a, b) => a.position - b.position);
    if (missing)
      return this.result({
        position: missing.position,
        problem: `the seal at ${missing.position} names a head no longer in the log`,
      });
    return this.result();
  }

  /** One event: its chain, then a seal cut off at it. A finding ends the run. */
  private step(event: StoredEvent): VerifiedRun | undefined {
    this.checked++;
    const problem = check(event, this.heads);
    if (problem) return this.result({ position: event.position, problem });
    this.changed.add(event.streamName);
    this.head = event.position;
    return this.sealAt(event.cursor, `the log up to ${event.position}`);
  }

  private sealAt(cursor: string, what: string): VerifiedRun | undefined {
    const seal = this.seals.get(cursor);
    if (!seal) return undefined;
    this.seals.delete(cursor);
    this.sealsChecked++;
    if (headsDigest(this.heads) !== seal.digest)
      return this.result({
        position: seal.position,
        problem: `the seal at ${seal.position} does not match ${what}`,
      });
    if (seal.position === this.lastSealPosition)
      this.lastSeal = { seal, changed: this.changedHeads() };
    return undefined;
  }

  private changedHeads(): Heads {
    return new Map(
      [...this.changed].map((name) => [name, this.heads.get(name) ?? { revision: -1, hash: '' }]),
    );
  }

  private result(bad?: { position: number; problem: string }): VerifiedRun {
    const start = this.start?.seal;
    return {
      verification: {
        ok: bad === undefined,
        eventsChecked: this.checked,
        firstBadPosition: bad?.position ?? null,
        problem: bad?.problem ?? null,
        head: this.head,
        sealsChecked: this.sealsChecked,
        from: start ? { sealPosition: start.position, headPosition: start.headPosition } : null,
      },
      heads: this.heads,
      headCursor: this.cursor,
      lastSeal: this.lastSeal,
      changed: this.changedHeads(),
    };
  }
}

function check(event: StoredEvent, heads: Heads): string | undefined {
  const previous = heads.get(event.streamName) ?? { revision: -1, hash: '' };
  if (event.revision !== previous.revision + 1)
    return `${event.streamName} jumps from revision ${previous.revision} to ${event.revision}`;
  const expected = eventHash(event, previous.hash);
  if (storedHash(event) !== expected)
    return `${event.streamName}@${event.revision} does not match its hash`;
  heads.set(event.streamName, { revision: event.revision, hash: expected });
  return undefined;
}

/** Every seal, by the cursor of the head it vouches for. */
async function sealsByCursor(store: EventStore): Promise<Map<string, SealSeen>> {
  const seals = new Map<string, SealSeen>();
  for await (const stored of streamEvents(store, SEALS_STREAM)) {
    const data = stored.data as SealEvent['data'];
    seals.set(data.headCursor, {
      digest: data.digest,
      position: stored.position,
      headPosition: data.headPosition,
      headCursor: data.headCursor,
    });
  }
  return seals;
}
