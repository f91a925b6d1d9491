import { Redis } from 'ioredis';
import {
  dropSchema,
  requirePostgres,
  requireRedis,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  uniqueSchema,
} from '@ledger/testing';
import { WebhookReceiver } from '../support/webhook-receiver';
import {
  call,
  eventually,
  kill,
  startApi,
  startWorker,
  type ApiProcess,
  type AppProcess,
} from '../support/processes';
import { waterAward, waterDistrict } from './water-district';

/** A Redis database of its own, so the queue is this test's alone. */
const REDIS_DB = 12;
const RIDERS = 6;

/**
 * Issue 17's webhooks as deployed: PostgreSQL, Redis (BullMQ), the API and a worker process (the
 * fan-out and the deliveries run in the worker). A local receiver verifies every signature; it is
 * down for a while and gets every message in order once back; the worker is killed with SIGKILL
 * mid-delivery and started again, and no message is lost or put out of order (a message may come
 * twice, with the same `webhook-id`: at least once).
 */
describe('webhooks through BullMQ: a receiver down, a worker killed', () => {
  const schema = uniqueSchema('webhooks');
  let env: Record<string, string>;
  let api: ApiProcess;
  let worker: AppProcess;
  let receiver: WebhookReceiver;
  let endpointId: string;
  const entryIds: string[] = [];

  const award = async (i: number) => {
    const res = await call(api, 'POST', '/v1/awards', waterAward(i, RIDERS));
    if (res.status !== 201) throw new Error(`award: ${res.status} ${JSON.stringify(res.body)}`);
    entryIds.push(String(res.body.entryId));
  };
  /** Every award answered so far reached the receiver, first receipts in the awards' order. */
  const allInOrder = () => {
    const got = receiver.accepted().map((r) => String(r.data.entryId));
    return got.length === entryIds.length && got.every((id, i) => id === entryIds[i]);
  };

  beforeAll(async () => {
    await requirePostgres();
    await requireRedis();
    const flush = new Redis(`${TEST_REDIS_URL}/${REDIS_DB}`);
    await flush.flushdb();
    flush.disconnect();
    env = {
      EVENT_STORE: 'postgres',
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema,
      REDIS_URL: `${TEST_REDIS_URL}/${REDIS_DB}`,
      WEBHOOK_RETRY_SCHEDULE: '300ms,500ms,1s,1s,2s,2s,5s',
      WEBHOOK_TIMEOUT_SECONDS: '2',
      WEBHOOK_SWEEP_SECONDS: '1',
    };
    api = await startApi(env);
    worker = await startWorker(env);
    await waterDistrict(api, { riders: RIDERS, stock: 10 });
    receiver = await WebhookReceiver.start();
    const res = await call(api, 'POST', '/v1/webhooks', {
      url: receiver.url,
      events: ['award.made'],
    });
    expect(res.status).toBe(201);
    endpointId = String(res.body.id);
    receiver.secret = String(res.body.secret);
  }, 120_000);
  afterAll(async () => {
    if (worker) await kill(worker);
    if (api) await kill(api);
    await receiver?.close();
    await dropSchema(schema);
  });

  it('a receiver down for a while gets every message, in order, once it is back', async () => {
    receiver.status = 503;
    for (let i = 0; i < 20; i++) await award(i);
    // Down: the first message is tried again on the schedule, the others wait behind it.
    expect(await eventually(() => Promise.resolve(receiver.requests.length >= 3), 30_000)).toBe(
      true,
    );
    expect(new Set(receiver.requests.map((r) => r.id)).size).toBe(1);
    receiver.status = 200;
    expect(await eventually(() => Promise.resolve(allInOrder()), 60_000)).toBe(true);
    expect(receiver.requests.every((r) => r.verified)).toBe(true);
  }, 120_000);

  it('a worker killed mid-delivery and started again loses nothing and keeps the order', async () => {
    receiver.delayMs = 150; // slow enough that the kill lands mid-delivery
    const before = receiver.requests.length;
    for (let i = 20; i < 50; i++) await award(i);
    expect(
      await eventually(() => Promise.resolve(receiver.requests.length >= before + 5), 30_000),
    ).toBe(true);
    await kill(worker); // SIGKILL: its lease on the endpoint and its job are left behind
    const killedAt = receiver.requests.length;
    for (let i = 50; i < 60; i++) await award(i); // recorded while no worker runs
    worker = await startWorker(env);
    expect(await eventually(() => Promise.resolve(allInOrder()), 90_000)).toBe(true);
    expect(receiver.requests.length).toBeGreaterThan(killedAt);
    expect(receiver.requests.every((r) => r.verified)).toBe(true);
    // A repeat is the same message (its id), never another one out of its place.
    const firstSeen = new Map<string, number>();
    receiver.requests.forEach((r, i) => firstSeen.has(r.id) || firstSeen.set(r.id, i));
    const repeats = receiver.requests.length - firstSeen.size;
    process.stderr.write(
      `webhooks: ${entryIds.length} awards, ${receiver.requests.length} requests (${repeats} repeats)\n`,
    );
    // The receiver has the last message before the worker has its answer (150 ms): wait for the log.
    const deliveredAll = async () => {
      const log = await call(api, 'GET', `/v1/webhooks/${endpointId}/deliveries?limit=200`);
      const items = log.body.items as { status: string }[];
      return items.length === 60 && items.every((d) => d.status === 'delivered');
    };
    expect(await eventually(deliveredAll, 10_000)).toBe(true);
  }, 180_000);
});
