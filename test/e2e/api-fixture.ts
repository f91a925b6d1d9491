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
