import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  dropSchema,
  requirePostgres,
  tempDir,
  TEST_DATABASE_URL,
  uniqueSchema,
} from '@ledger/testing';
import { addCommunity, apiClient, openTestApi } from './api-fixture';

/**
 * Each API caches the principals of tokens it has authenticated (issue 13). A revocation made
 * through one API must end the token in another that has it cached: the principals projection
 * says so with `pg_notify`, and every API listening drops it.
 */
describe('a revoked token in another API on the same PostgreSQL', () => {
  const dirs = [tempDir(), tempDir()];
  const schema = uniqueSchema('revoke');
  const apps: NestFastifyApplication[] = [];

  beforeAll(async () => {
    await requirePostgres();
    for (const dir of dirs)
      apps.push(
        await openTestApi(dir.path, {
          EVENT_STORE: 'postgres',
          DATABASE_URL: TEST_DATABASE_URL,
          DATABASE_SCHEMA: schema,
        }),
      );
    await addCommunity(apps[0]);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await dropSchema(schema);
    await dropSchema(`${schema}_read`);
    for (const dir of dirs) dir.remove();
  });

  it('is refused by the other API within moments of the revocation, and stays refused', async () => {
    const [one, other] = apps.map((app) => apiClient(app));
    const created = await one('POST', '/v1/principals', {
      id: 'staff-c1',
      name: '玉林社区工作站',
      role: 'staff',
      communityIds: ['c1'],
    });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    // The other API authenticates it (and so caches it), several times.
    for (let i = 0; i < 3; i++)
      expect(await other('GET', '/v1/me', undefined, token)).toMatchObject({ status: 200 });
    expect(await one('DELETE', '/v1/principals/staff-c1')).toMatchObject({ status: 204 });
    expect(await one('GET', '/v1/me', undefined, token)).toMatchObject({ status: 401 });
    const revoked = Date.now();
    let status = 200;
    while (status !== 401 && Date.now() - revoked < 2000)
      status = (await other('GET', '/v1/me', undefined, token)).status;
    expect(status).toBe(401);
    // Well under the time a person takes to hand the phone on; measured here in milliseconds.
    expect(Date.now() - revoked).toBeLessThan(500);
    for (let i = 0; i < 3; i++)
      expect(await other('GET', '/v1/me', undefined, token)).toMatchObject({ status: 401 });
  });

  it('ends a rotated token in the other API too, when the rotation allows no grace', async () => {
    const [one, other] = apps.map((app) => apiClient(app));
    const created = await one('POST', '/v1/principals', {
      id: 'staff-c2',
      name: '玉林社区工作站',
      role: 'staff',
      communityIds: ['c1'],
    });
    const old = created.body.token as string;
    for (let i = 0; i < 3; i++)
      expect(await other('GET', '/v1/me', undefined, old)).toMatchObject({ status: 200 });
    const rotated = await one('POST', '/v1/principals/staff-c2/token-rotations', {});
    expect(rotated.status).toBe(201);
    expect(await one('GET', '/v1/me', undefined, old)).toMatchObject({ status: 401 });
    const at = Date.now();
    let status = 200;
    while (status !== 401 && Date.now() - at < 2000)
      status = (await other('GET', '/v1/me', undefined, old)).status;
    expect(status).toBe(401);
    expect(await other('GET', '/v1/me', undefined, rotated.body.token as string)).toMatchObject({
      status: 200,
    });
  });
});
