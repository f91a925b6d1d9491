import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@ledger/ledger';
import { createApi } from '../../apps/api/src/api';

/** The bootstrap admin's token in e2e tests. */
export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdefghijklmnop';

/** The API on an embedded store in `dataDir`, initialised and ready for `inject`. */
export async function openTestApi(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<NestFastifyApplication> {
  const app = await createApi(
    loadConfig({ DATA_DIR: dataDir, LEDGER_ADMIN_TOKEN: ADMIN_TOKEN, ...env }),
    { logger: false },
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, unknown>;
}

/** `call(method, url, body?, token?)`: one JSON request as `token` (the admin by default). */
export function apiClient(app: NestFastifyApplication) {
  return async (
    method: string,
    url: string,
    body?: unknown,
    token: string = ADMIN_TOKEN,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });
    return {
      status: res.statusCode,
      body: res.body ? res.json<Record<string, unknown>>() : {},
      headers: res.headers,
    };
  };
}

/**
 * A district in miniature over HTTP, as the admin: communities (id → street) in 江津区, fund `f1`,
 * the rule set, riders (id → community), and principals whose tokens come back by id.
 */
export async function setUpDistrict(
  call: ReturnType<typeof apiClient>,
  district: {
    communities: Record<string, string>;
    budgetPoints?: number;
    rules: object[];
    riders: Record<string, string>;
    /** Name and phone of each rider (personal data); the id as name by default. */
    personal?: (riderId: string) => { name: string; phone?: string };
    /** Stations, made before the principals scoped to them (district 江津区 unless said). */
    stations?: ({ id: string; name: string; kind: string } & Record<string, unknown>)[];
    principals?: ({ id: string; name: string; role: string } & Record<string, unknown>)[];
  },
): Promise<Record<string, string>> {
  const must = async (method: string, url: string, body: unknown) => {
    const res = await call(method, url, body);
    if (res.status >= 300)
      throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };
  for (const [id, street] of Object.entries(district.communities))
    await must('POST', '/v1/communities', { id, name: id, street, district: '江津区' });
  await must('POST', '/v1/funds', {
    id: 'f1',
    name: '专项资金',
    district: '江津区',
    budgetPoints: district.budgetPoints ?? 100_000,
  });
  await must('PUT', '/v1/rules', { rules: district.rules });
  for (const [id, communityId] of Object.entries(district.riders))
    await must('POST', '/v1/riders', {
      id,
      communityId,
      platform: '美团',
      occupation: 'food_delivery',
      ...(district.personal?.(id) ?? { name: id }),
    });
  for (const station of district.stations ?? [])
    await must('POST', '/v1/stations', { district: '江津区', ...station });
  const tokens: Record<string, string> = {};
  for (const p of district.principals ?? [])
    tokens[p.id] = (await must('POST', '/v1/principals', p)).body.token as string;
  return tokens;
}

/** One community of 几江街道, 江津区 (what a test needs before riders or principals of it). */
export async function addCommunity(app: NestFastifyApplication, id = 'c1'): Promise<void> {
  const res = await apiClient(app)('POST', '/v1/communities', {
    id,
    name: '几江社区',
    street: '几江街道',
    district: '江津区',
  });
  if (res.status !== 201) throw new Error(`community ${id}: ${JSON.stringify(res.body)}`);
}
