import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '@ledger/ledger';
import { createApi } from './api';

async function main(): Promise<void> {
  const config = loadConfig();
  const generated = config.adminToken === undefined;
  const adminToken = config.adminToken ?? randomBytes(32).toString('base64url');
  const app = await createApi({ ...config, adminToken });
  await app.listen(config.port, config.host);
  const url = await app.getUrl(); // the real port, also when PORT=0 picks a free one
  const store =
    config.eventStore.kind === 'embedded' ? `embedded (${config.dataDir})` : config.eventStore.kind;
  console.log(
    [
      '',
      `  Rider ledger API  ${url}`,
      `  API docs          ${url}/docs`,
      `  Event store       ${store}`,
      `  Admin token       ${adminToken}${generated ? '  (generated; set LEDGER_ADMIN_TOKEN to keep one)' : ''}`,
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing the API and the event store…`);
    app.close().then(
      () => {
        console.log('stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
