import { SEALS_STREAM, type SealEvent } from '@ledger/domain';
import { START, type EventStore, type StoredEvent } from '@ledger/event-store';
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
}

export type Heads = Map<string, { revision: number; hash: string }>;

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

/**
 * One pass over the log: the verification, and (what a new seal records) every stream's head
 * and the cursor of the last event read.
 */
export async function verifiedHeads(
  store: EventStore,
  onProgress: (checked: number) => void = () => undefined,
): Promise<{ verification: Verification; heads: Heads; headCursor: string }> {
  const seals = await sealsByCursor(store);
  const heads: Heads = new Map();
  let checked = 0;
  let sealsChecked = 0;
  let head: number | null = null;
  let cursor = START;
  const result = (bad?: { position: number; problem: string }) => ({
    verification: {
      ok: bad === undefined,
      eventsChecked: checked,
      firstBadPosition: bad?.position ?? null,
      problem: bad?.problem ?? null,
      head,
      sealsChecked,
    },
    heads,
    headCursor: cursor,
  });
  const bad = (position: number, problem: string) => result({ position, problem });
  // A seal of the empty log (earlier versions wrote one when sealing a new ledger) vouches for
  // nothing but the empty set of heads, which is where every verification starts.
  const empty = seals.get(START);
  if (empty) {
    seals.delete(START);
    sealsChecked++;
    if (empty.digest !== headsDigest(heads))
      return bad(empty.position, `the seal at ${empty.position} does not match the empty log`);
  }
  for (;;) {
    const page = await store.readAll({ after: cursor, limit: 1000 });
    if (page.events.length === 0) break;
    for (const event of page.events) {
      checked++;
      const problem = check(event, heads);
      if (problem) return bad(event.position, problem);
      head = event.position;
      const seal = seals.get(event.cursor);
      if (seal) {
        seals.delete(event.cursor);
        sealsChecked++;
        if (headsDigest(heads) !== seal.digest)
          return bad(
            seal.position,
            `the seal at ${seal.position} does not match the log up to ${event.position}`,
          );
      }
    }
    cursor = page.cursor;
    onProgress(checked);
    // Hashing a page is CPU work: let waiting requests (/health, reads) in between pages.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const [missing] = [...seals.values()].sort((a, b) => a.position - b.position);
  if (missing)
    return bad(
      missing.position,
      `the seal at ${missing.position} names a head no longer in the log`,
    );
  return result();
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
async function sealsByCursor(store: EventStore) {
  const seals = new Map<string, { digest: string; position: number }>();
  for (let from = 0; ;) {
    const page = await store.readStream(SEALS_STREAM, { fromRevision: from });
    if (page.length === 0) break;
    for (const stored of page) {
      const data = stored.data as SealEvent['data'];
      seals.set(data.headCursor, { digest: data.digest, position: stored.position });
    }
    from = page[page.length - 1].revision + 1;
  }
  return seals;
}
