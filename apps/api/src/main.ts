import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { closeOnSignals, exitOnStartupError, loadConfig, type LedgerConfig } from '@ledger/ledger';
import { seedDistrict, SeedRefused, writeDemoTokens } from '@ledger/seed';
import { createApi } from './api';

async function main(): Promise<void> {
  const config = loadConfig();
  if (process.argv.includes('--demo')) await loadDemo(config);
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
      // An operator's own token is theirs to keep: it never goes to a terminal or a log.
      generated
        ? `  Admin token       ${adminToken}  (generated for this run; set LEDGER_ADMIN_TOKEN to keep one)`
        : '  Admin token       from LEDGER_ADMIN_TOKEN (not shown)',
      '',
    ].join('\n'),
  );
  closeOnSignals(app, 'the API and the event store');
}

/** `npm start -- --demo`: the Jiangjin demo district first, when the store is still empty. */
async function loadDemo(config: LedgerConfig): Promise<void> {
  try {
    const summary = await seedDistrict(config);
    const file = writeDemoTokens(config, summary.tokens);
    console.log(
      `  Demo district     ${summary.riders} riders, ${summary.awards} awards, ${summary.events} events in ${summary.seconds.toFixed(1)} s; demo tokens in ${file}`,
    );
  } catch (error) {
    if (!(error instanceof SeedRefused)) throw error;
    console.log('  Demo district     the store already holds a ledger; starting on it as it is');
  }
}

main().catch(exitOnStartupError);
