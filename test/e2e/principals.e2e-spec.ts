import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { addCommunity, ADMIN_TOKEN as ADMIN, openTestApi } from './api-fixture';

/** Authentication over HTTP: bearer tokens, the bootstrap admin, roles, immediate revocation. */
describe('principals and bearer tokens', () => {
  let app: NestFastifyApplication;
  const dir = tempDir();

  beforeAll(async () => {
    app = await openTestApi(dir.path);
    // A principal is scoped to communities that exist.
    await addCommunity(app, 'jijiang-01');
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  const call = async (method: 'POST' | 'DELETE', url: string, token?: string, body?: unknown) => {
    const res = await app.inject({
      method,
      url,
      headers: {
        ...(token && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });
    return { status: res.statusCode, body: res.body ? res.json<Record<string, unknown>>() : {} };
  };
  const staff = {
    id: 'jijiang-staff-1',
    name: '几江街道社区工作站',
    role: 'staff',
    communityIds: ['jijiang-01'],
  };

  it('refuses a missing, malformed or unknown token with 401 UNAUTHENTICATED', async () => {
    for (const token of [undefined, 'short', 'x'.repeat(43)]) {
      expect(await call('POST', '/v1/principals', token, staff)).toMatchObject({
        status: 401,
        body: { code: 'UNAUTHENTICATED' },
      });
    }
  });

  it('lets the admin create a principal whose token works at once, and only admins create principals', async () => {
    const created = await call('POST', '/v1/principals', ADMIN, staff);
    expect(created).toMatchObject({
      status: 201,
      body: {
        id: 'jijiang-staff-1',
        role: 'staff',
        communityIds: ['jijiang-01'],
        stationIds: [],
        riderId: null,
      },
    });
    const token = created.body.token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const asStaff = await call('POST', '/v1/principals', token, { ...staff, id: 'other' });
    expect(asStaff).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await call('POST', '/v1/principals', ADMIN, staff)).toMatchObject({
      status: 409,
      body: { code: 'ALREADY_EXISTS' },
    });
  });

  it('validates the body: unknown fields, a bad role, a staff principal without communities', async () => {
    const unknown = await call('POST', '/v1/principals', ADMIN, {
      ...staff,
      id: 'x1',
      colour: 'red',
    });
    expect(unknown).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', errors: [{ field: 'colour' }] },
    });
    expect(
      await call('POST', '/v1/principals', ADMIN, { ...staff, id: 'x2', role: 'king' }),
    ).toMatchObject({ status: 400 });
    expect(
      await call('POST', '/v1/principals', ADMIN, { id: 'x3', name: 'n', role: 'staff' }),
    ).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  it('revokes: the token stops working before the 204 answers; an unknown id is 404', async () => {
    const created = await call('POST', '/v1/principals', ADMIN, {
      id: 'auditor-1',
      name: '区纪委',
      role: 'auditor',
    });
    const token = created.body.token as string;
    expect(await call('POST', '/v1/principals', token, staff)).toMatchObject({ status: 403 });
    expect(await call('DELETE', '/v1/principals/auditor-1', ADMIN)).toMatchObject({ status: 204 });
    expect(await call('POST', '/v1/principals', token, staff)).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED' },
    });
    expect(await call('DELETE', '/v1/principals/nobody', ADMIN)).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
  });
});
