import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { apiClient, openTestApi, setUpDistrict } from './api-fixture';

/** Times as people in the deployment's zone read and write them. */
describe('local time', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  const call = (...args: Parameters<ReturnType<typeof apiClient>>) => apiClient(app)(...args);
  const award = { riderId: 'r1', activity: 'patrol', fundId: 'f1', reason: '夜间巡逻' };

  beforeAll(async () => {
    app = await openTestApi(dir.path);
    await setUpDistrict(call, {
      communities: { c1: '几江街道' },
      rules: [{ activity: 'patrol', points: 10 }],
      riders: { r1: 'c1' },
    });
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('refuses a time without an offset, naming the field and saying what is allowed in words', async () => {
    const answer = await call('POST', '/v1/awards', { ...award, occurredAt: '2026-12-03T10:00' });
    expect(answer).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    const errors = answer.body.errors as { field: string; message: string }[];
    expect(errors).toEqual([
      {
        field: 'occurredAt',
        message: expect.stringContaining('date and time with its offset') as string,
      },
    ]);
    expect(errors[0].message).not.toMatch(/[\\^$]/); // words, not a regular expression
  });

  it('answers times with the deployment’s offset, the same instants', async () => {
    const occurredAt = new Date(Date.now() - 3_600_000);
    const made = await call('POST', '/v1/awards', {
      ...award,
      occurredAt: occurredAt.toISOString(),
    });
    expect(made.status).toBe(201);
    const ledger = await call(
      'GET',
      `/v1/riders/r1/ledger?minPosition=${String(made.body.position)}`,
    );
    const [line] = ledger.body.items as { occurredAt: string; recordedAt: string }[];
    expect(line.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+08:00$/);
    expect(Date.parse(line.occurredAt)).toBe(occurredAt.getTime());
    expect(line.recordedAt).toMatch(/\+08:00$/);
    const rider = await call('GET', '/v1/riders/r1');
    expect(rider.body.registeredAt).toMatch(/\+08:00$/);
  });

  it('takes 24:00 as the end of a day for asOf, and shows stored events as stored', async () => {
    const asOf = await call('GET', '/v1/audit/riders/r1/balance?asOf=2026-06-30T24:00:00%2B08:00');
    expect(asOf).toMatchObject({ status: 200, body: { asOf: '2026-07-01T00:00:00+08:00' } });
    expect(
      await call('GET', '/v1/audit/riders/r1/balance?asOf=2026-06-30T24:00:01%2B08:00'),
    ).toMatchObject({ status: 400, body: { errors: [{ field: 'asOf' }] } });
    const events = await call('GET', '/v1/audit/events?limit=1000');
    const awarded = (
      events.body.items as { type: string; recordedAt: string; metadata: { recordedAt: string } }[]
    ).find((e) => e.type === 'PointsAwarded');
    expect(awarded?.recordedAt).toMatch(/\+08:00$/);
    expect(awarded?.metadata.recordedAt).toMatch(/Z$/); // exactly as stored: its hash covers it
  });
});
