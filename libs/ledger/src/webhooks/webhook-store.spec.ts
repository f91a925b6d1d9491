import { openEmbeddedDatabase, type EventStore, type SqlClient } from '@ledger/event-store';
import { WebhookStore, type NewMessage } from './webhook-store';

const message = (n: number): NewMessage => ({
  id: `msg_${n}`,
  eventType: 'award.made',
  position: n,
  payload: `{"n":${n}}`,
});

describe('WebhookStore (the outbox beside the log)', () => {
  let store: EventStore;
  let sql: SqlClient;
  let webhooks: WebhookStore;

  beforeEach(async () => {
    ({ events: store, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' }));
    webhooks = await WebhookStore.open(sql, () => Promise.resolve('c0'));
    await webhooks.register({
      id: 'ep_a',
      url: 'http://127.0.0.1:1/x',
      events: ['award.made'],
      fundThreshold: null,
      secret: 'whsec_x',
      createdBy: 'admin',
    });
  });
  afterEach(() => store.close());

  it('numbers each endpoint’s messages in order, and moves the cursor by compare-and-set', async () => {
    const { rows } = await sql.query<{ after_cursor: string }>(
      'select after_cursor from webhook_endpoints',
    );
    expect(rows).toEqual([{ after_cursor: 'c0' }]); // the fan-out's cursor when it was registered
    const write = (from: string, to: string, ns: number[]) =>
      webhooks.fanOut(from, to, () => new Map([['ep_a', ns.map(message)]]));
    expect(await write('c0', 'c1', [8, 9])).toEqual({ moved: false, endpointIds: ['ep_a'] });
    expect(await write('c0', 'c1', [8, 9])).toEqual({ moved: true }); // another process was first
    expect(await write('c1', 'c2', [10])).toEqual({ moved: false, endpointIds: ['ep_a'] });
    expect(await webhooks.fanOut('c2', 'c3', () => 'again')).toEqual({ moved: true });
    expect(await webhooks.cursor()).toBe('c2');
    const log = await webhooks.deliveries('ep_a', undefined, 10);
    expect(log.map(({ message: m }) => [m.seq, m.id])).toEqual([
      [3, 'msg_10'],
      [2, 'msg_9'],
      [1, 'msg_8'],
    ]);
    expect((await webhooks.head('ep_a'))?.id).toBe('msg_8');
  });

  it('lets one deliverer at a time hold an endpoint, and forgets old finished messages', async () => {
    expect(await webhooks.lease('ep_a', 'one', 60_000)).toBe(true);
    expect(await webhooks.lease('ep_a', 'two', 60_000)).toBe(false);
    await webhooks.release('ep_a', 'two'); // not its lease: nothing happens
    expect(await webhooks.lease('ep_a', 'two', 60_000)).toBe(false);
    await webhooks.release('ep_a', 'one');
    expect(await webhooks.lease('ep_a', 'two', 60_000)).toBe(true);

    await webhooks.fanOut('c0', 'c1', () => new Map([['ep_a', [message(8), message(9)]]]));
    const [first] = (await webhooks.deliveries('ep_a', undefined, 10)).slice(-1);
    const at = new Date();
    const attempt = {
      messageId: 'msg_8',
      attempt: 0,
      at,
      status: 200,
      error: null,
      durationMs: 3,
      manual: false,
    };
    await webhooks.recordAttempt(first.message, attempt, {
      status: 'delivered',
      nextAttemptAt: null,
      seen: 0,
    });
    expect(await webhooks.purge(new Date(at.getTime() - 1000))).toBe(0);
    expect(await webhooks.purge(new Date(at.getTime() + 1000))).toBe(1); // the pending one stays
    const left = await webhooks.deliveries('ep_a', undefined, 10);
    expect(left.map(({ message: m }) => m.id)).toEqual(['msg_9']);
    const { rows } = await sql.query<{ n: number }>(
      'select count(*)::int as n from webhook_attempts',
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('never lets a late outcome undo another: a stale automatic one or a failed manual one', async () => {
    await webhooks.fanOut('c0', 'c1', () => new Map([['ep_a', [message(8)]]]));
    const read = (await webhooks.head('ep_a'))!;
    const at = new Date();
    const attempt = (manual: boolean, status: number) => ({
      messageId: 'msg_8',
      attempt: 0,
      at,
      status,
      error: status === 200 ? null : `the receiver answered ${status}`,
      durationMs: 1,
      manual,
    });
    // A manual redelivery succeeds while the deliverer's own attempt is still out…
    await webhooks.recordAttempt(read, attempt(true, 200), {
      status: 'delivered',
      nextAttemptAt: null,
    });
    // …which then fails: its outcome (made on what it read) is recorded, the message stays delivered.
    await webhooks.recordAttempt(read, attempt(false, 503), {
      status: 'pending',
      nextAttemptAt: new Date(at.getTime() + 5000),
      seen: 0,
    });
    // And a manual attempt that fails leaves the message as it is.
    await webhooks.recordAttempt(read, attempt(true, 500));
    const [entry] = await webhooks.deliveries('ep_a', undefined, 1);
    expect(entry.message).toMatchObject({ status: 'delivered', attempts: 0, nextAttemptAt: null });
    expect(entry.attempts.map((a) => [a.attempt, a.status, a.manual])).toEqual([
      [1, 200, true],
      [2, 503, false],
      [3, 500, true],
    ]);
    expect(await webhooks.head('ep_a')).toBeUndefined();
  });
});
