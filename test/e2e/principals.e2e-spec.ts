import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { addCommunity, ADMIN_TOKEN as ADMIN, apiClient, openTestApi } from './api-fixture';

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

  it('rotates a token: the old one stops at once, or acts on for the grace the admin chose', async () => {
    const api = apiClient(app);
    const me = async (token: string) => (await api('GET', '/v1/me', undefined, token)).status;
    const created = await call('POST', '/v1/principals', ADMIN, {
      id: 'verifier-1',
      name: '江津区应急管理局',
      role: 'verifier',
    });
    const first = created.body.token as string;
    expect(await me(first)).toBe(200);
    // At once: the old token is refused before the answer, the new one works.
    const now = await api('POST', '/v1/principals/verifier-1/token-rotations', {});
    expect(now).toMatchObject({
      status: 201,
      body: { id: 'verifier-1', previousTokenValidUntil: null },
    });
    expect(typeof now.body.position).toBe('number');
    const second = now.body.token as string;
    expect(second).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second).not.toBe(first);
    expect(await me(first)).toBe(401);
    expect(await me(second)).toBe(200);
    // With a grace of 2 s: both act (the old one cached, too), then only the new one.
    const before = Date.now();
    const graced = await api('POST', '/v1/principals/verifier-1/token-rotations', {
      graceSeconds: 2,
    });
    expect(graced.status).toBe(201);
    const until = Date.parse(graced.body.previousTokenValidUntil as string);
    expect(until).toBeGreaterThanOrEqual(before + 2000);
    expect(until).toBeLessThan(Date.now() + 2000 + 1000);
    const third = graced.body.token as string;
    expect(await me(third)).toBe(200);
    expect(await me(second)).toBe(200);
    expect(await me(second)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now()) + 100));
    expect(await me(second)).toBe(401);
    expect(await me(third)).toBe(200);
    // A token still in its grace stops when the next rotation comes.
    const fourth = await api('POST', '/v1/principals/verifier-1/token-rotations', {
      graceSeconds: 3600,
    });
    const fifth = await api('POST', '/v1/principals/verifier-1/token-rotations', {});
    expect(await me(third)).toBe(401);
    expect(await me(fourth.body.token as string)).toBe(401);
    expect(await me(fifth.body.token as string)).toBe(200);
  });

  it('refuses a rotation for an unknown or revoked principal, a bad grace, the bootstrap admin, a non-admin', async () => {
    const api = apiClient(app);
    const rotate = (id: string, body: unknown, token?: string) =>
      api('POST', `/v1/principals/${id}/token-rotations`, body, token);
    expect(await rotate('nobody', {})).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    // auditor-1 was revoked above.
    expect(await rotate('auditor-1', {})).toMatchObject({
      status: 422,
      body: { code: 'RULE_VIOLATION' },
    });
    for (const graceSeconds of [-1, 1.5, 7 * 24 * 3600 + 1, '60']) {
      const refused = await rotate('verifier-1', { graceSeconds });
      expect(refused).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
      const fields = (refused.body.errors as { field: string }[]).map((e) => e.field);
      expect(new Set(fields)).toEqual(new Set(['graceSeconds']));
    }
    const admin = await rotate('admin', {});
    expect(admin).toMatchObject({ status: 422, body: { code: 'RULE_VIOLATION' } });
    expect(admin.body.detail).toContain('LEDGER_ADMIN_TOKEN_PREVIOUS');
    const staffToken = (await api('POST', '/v1/principals', { ...staff, id: 'staff-r' })).body
      .token as string;
    expect(await rotate('verifier-1', {}, staffToken)).toMatchObject({ status: 403 });
  });
});

describe('the bootstrap admin token, rotated by configuration', () => {
  const dir = tempDir();
  const next = 'next-admin-token-0123456789abcdefghijklmnop';
  afterAll(() => dir.remove());

  it('takes LEDGER_ADMIN_TOKEN and, while set, LEDGER_ADMIN_TOKEN_PREVIOUS; nothing else', async () => {
    const app = await openTestApi(dir.path, {
      LEDGER_ADMIN_TOKEN: next,
      LEDGER_ADMIN_TOKEN_PREVIOUS: ADMIN,
    });
    try {
      const api = apiClient(app);
      for (const token of [next, ADMIN])
        expect(await api('GET', '/v1/me', undefined, token)).toMatchObject({
          status: 200,
          body: { id: 'admin', role: 'admin' },
        });
      expect((await api('GET', '/v1/me', undefined, 'x'.repeat(43))).status).toBe(401);
    } finally {
      await app.close();
    }
    // The old one removed: it stops.
    const after = await openTestApi(dir.path, { LEDGER_ADMIN_TOKEN: next });
    try {
      const again = apiClient(after);
      expect((await again('GET', '/v1/me', undefined, ADMIN)).status).toBe(401);
      expect((await again('GET', '/v1/me', undefined, next)).status).toBe(200);
    } finally {
      await after.close();
    }
  });
});
