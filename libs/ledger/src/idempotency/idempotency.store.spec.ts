import {
  openEmbeddedDatabase,
  StoreUnavailable,
  type EventStore,
  type SqlClient,
} from '@ledger/event-store';
import { IdempotencyStore } from './idempotency.store';

describe('IdempotencyStore', () => {
  let events: EventStore;
  let sql: SqlClient;
  /** Set to make the next claim's insert be stored while its answer is lost (a link cut then). */
  let loseNextInsertAnswer = false;

  beforeAll(async () => {
    ({ events, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' }));
  });
  afterAll(() => events.close());

  const store = () =>
    IdempotencyStore.open({
      ...sql,
      query: async <Row>(text: string, params?: readonly unknown[]) => {
        const result = await sql.query<Row>(text, params);
        if (loseNextInsertAnswer && text.trimStart().startsWith('insert')) {
          loseNextInsertAnswer = false;
          throw new StoreUnavailable('database unreachable (ECONNRESET)');
        }
        return result;
      },
    });

  it('replays a completed request and refuses another body under the same key', async () => {
    const keys = await store();
    const claim = await keys.claim('p1', 'k-done', 'hash-a');
    if (claim.kind !== 'claimed') throw new Error(claim.kind);
    await keys.complete('p1', 'k-done', claim.claimId, {
      status: 201,
      body: { ok: 1 },
      contentType: 'application/json',
    });
    expect(await keys.claim('p1', 'k-done', 'hash-a')).toMatchObject({
      kind: 'replay',
      response: { status: 201, body: { ok: 1 } },
    });
    expect(await keys.claim('p1', 'k-done', 'hash-b')).toEqual({ kind: 'reused' });
  });

  it('releases only its own claim: another request holding the key keeps it', async () => {
    const keys = await store();
    const first = await keys.claim('p1', 'k-held', 'hash-a');
    expect(first.kind).toBe('claimed');
    await keys.release('p1', 'k-held', 'some-other-claim');
    expect(await keys.claim('p1', 'k-held', 'hash-a')).toEqual({ kind: 'in-use' });
    if (first.kind === 'claimed') await keys.release('p1', 'k-held', first.claimId);
    expect((await keys.claim('p1', 'k-held', 'hash-a')).kind).toBe('claimed');
  });

  it('frees a claim stored while its answer was lost, so the retry is not IN_USE for a minute', async () => {
    // The outage test found it: the insert committed on the server as the link was cut, the
    // request answered 503, and its client's retries met IDEMPOTENCY_KEY_IN_USE for 60 s.
    const keys = await store();
    loseNextInsertAnswer = true;
    await expect(keys.claim('p1', 'k-lost', 'hash-a')).rejects.toBeInstanceOf(StoreUnavailable);
    expect(keys.pendingReleases).toBe(1);
    const started = Date.now();
    let claim = await keys.claim('p1', 'k-lost', 'hash-a');
    while (claim.kind === 'in-use' && Date.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 100));
      claim = await keys.claim('p1', 'k-lost', 'hash-a');
    }
    expect(claim.kind).toBe('claimed');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(keys.pendingReleases).toBe(0);
  });
});
