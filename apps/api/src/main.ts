import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { closeOnSignals, exitOnStartupError, loadConfig } from '@ledger/ledger';
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
  closeOnSignals(app, 'the API and the event store');
}

main().catch(exitOnStartupError);
