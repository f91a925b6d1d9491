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
