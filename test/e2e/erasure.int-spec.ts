import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  dropSchema,
  requirePostgres,
  tempDir,
  TEST_DATABASE_URL,
  uniqueSchema,
} from '@ledger/testing';
import { Client } from 'pg';
import { addCommunity, apiClient, openTestApi } from './api-fixture';

/**
 * Erasure on PostgreSQL (issue 10): after DELETE /v1/riders/{id}/personal-data no table of the
 * deployment (log, read models, personal data, idempotency answers) holds the rider's name or
 * phone, while another rider's are still found by the same search.
 */
describe('erasure of personal data on PostgreSQL', () => {
  const dir = tempDir();
  const schema = uniqueSchema('erase');
  let app: NestFastifyApplication;
  const call = (...args: Parameters<ReturnType<typeof apiClient>>) => apiClient(app)(...args);

  /** Rows of any table of the deployment's schemas whose text holds `text`, as `schema.table`. */
  async function tablesHolding(text: string): Promise<string[]> {
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const { rows: tables } = await client.query<{ s: string; t: string }>(
        `select table_schema as s, table_name as t from information_schema.tables
         where table_schema in ($1, $2) and table_type = 'BASE TABLE'
         order by table_schema, table_name`,
        [schema, `${schema}_read`],
      );
      const found: string[] = [];
      for (const { s, t } of tables) {
        const { rows } = await client.query<{ n: string }>(
          `select count(*) as n from "${s}"."${t}" x where position($1 in x::text) > 0`,
          [text],
        );
        if (Number(rows[0].n) > 0) found.push(`${s}.${t}`);
      }
      return found;
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    await requirePostgres();
    app = await openTestApi(dir.path, {
      EVENT_STORE: 'postgres',
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema,
    });
    await addCommunity(app);
  });
  afterAll(async () => {
    await app.close();
    await dropSchema(schema);
    await dropSchema(`${schema}_read`);
    dir.remove();
  });

  it('leaves the name, the phone and the hazard description in no table', async () => {
    const rider = { communityId: 'c1', platform: '美团', occupation: 'food_delivery' };
    const erased = { name: '擦除测试王五', phone: '13912340077' };
    const kept = { name: '留存测试赵六', phone: '13912340088' };
    const headers = { 'idempotency-key': 'register-r-erased' };
    const registered = await call(
      'POST',
      '/v1/riders',
      { ...rider, id: 'r-erased', ...erased },
      undefined,
      headers,
    );
    expect(registered.status).toBe(201);
    expect((await call('POST', '/v1/riders', { ...rider, id: 'r-kept', ...kept })).status).toBe(
      201,
    );
    const description = '擦除测试：井盖缺失，联系我13912340099';
    const hazard = await call('POST', '/v1/hazards', {
      riderId: 'r-erased',
      category: 'manhole_cover',
      description,
      location: { lat: 29.29, lng: 106.26 },
      occurredAt: '2026-06-15T03:10:00Z',
    });
    expect(hazard.status).toBe(201);
    expect(await tablesHolding(description)).toEqual([`${schema}.kept_texts`]);
    // Before erasure the search finds them: the registration's answer, kept for a retry of its
    // Idempotency-Key, holds the name.
    expect(await tablesHolding(erased.phone)).toEqual([`${schema}.rider_personal_data`]);
    expect(await tablesHolding(erased.name)).toEqual([
      `${schema}.idempotency_keys`,
      `${schema}.rider_personal_data`,
    ]);

    expect((await call('DELETE', '/v1/riders/r-erased/personal-data')).status).toBe(204);
    expect(await tablesHolding(erased.phone)).toEqual([]);
    expect(await tablesHolding(erased.name)).toEqual([]);
    expect(await tablesHolding(description)).toEqual([]);
    expect((await tablesHolding(kept.phone)).length).toBeGreaterThan(0);
  });
});
