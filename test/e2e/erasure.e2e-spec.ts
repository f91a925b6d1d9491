import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { execFileSync } from 'node:child_process';
import { addCommunity, apiClient, openTestApi } from './api-fixture';

/**
 * Erasure erases (issue 10): after DELETE /v1/riders/{id}/personal-data and a clean stop, the
 * rider's name and phone are in no file of the embedded folder: not in a heap page, not in the
 * WAL, not in an answer kept for an idempotent retry.
 */
describe('erasure of personal data', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  const call = (...args: Parameters<ReturnType<typeof apiClient>>) => apiClient(app)(...args);
  /** Files of the folder holding `text` (UTF-8), by path. */
  const filesHolding = (text: string) =>
    execFileSync('grep', ['-rlaF', text, dir.path], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  const grep = (text: string) => {
    try {
      return filesHolding(text);
    } catch {
      return []; // grep exits 1 when nothing matches
    }
  };
  const name = '擦除测试王五';
  const phone = '13912340077';
  const other = { name: '留存测试赵六', phone: '13912340088' };

  beforeAll(async () => {
    app = await openTestApi(dir.path);
    await addCommunity(app);
  });
  afterAll(() => dir.remove());

  it('leaves the name and phone in no file of the store after a clean stop', async () => {
    const rider = { communityId: 'c1', platform: '美团', occupation: 'food_delivery' };
    const registered = await call(
      'POST',
      '/v1/riders',
      { ...rider, id: 'r-erased', name, phone },
      undefined,
      { 'idempotency-key': 'register-r-erased' },
    );
    expect(registered.status).toBe(201);
    await call('POST', '/v1/riders', { ...rider, id: 'r-kept', ...other });
    await app.close();
    // Before erasure the strings are there to be found: the search can fail.
    expect(grep(phone).length).toBeGreaterThan(0);
    expect(grep(name).length).toBeGreaterThan(0);

    app = await openTestApi(dir.path);
    expect((await call('DELETE', '/v1/riders/r-erased/personal-data')).status).toBe(204);
    expect((await call('GET', '/v1/riders/r-erased')).body).toMatchObject({ name: null });
    await app.close();

    expect(grep(phone)).toEqual([]);
    expect(grep(name)).toEqual([]);
    // Another rider's data is untouched, and the ledger still verifies.
    expect(grep(other.phone).length).toBeGreaterThan(0);
    app = await openTestApi(dir.path);
    expect((await call('GET', '/v1/riders/r-kept')).body).toMatchObject({ name: other.name });
    expect((await call('GET', '/v1/audit/verification')).body).toMatchObject({ ok: true });
    await app.close();
  });
});
