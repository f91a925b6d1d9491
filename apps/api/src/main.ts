import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { closeOnSignals, exitOnStartupError, loadConfig, type LedgerConfig } from '@ledger/ledger';
import { demoTokensFile, seedDistrict, SeedRefused, writeDemoTokens } from '@ledger/seed';
import { readFileSync } from 'node:fs';
import { createApi } from './api';
import { consoleDir } from './console/console-files';

async function main(): Promise<void> {
  const config = loadConfig();
  const demoLinks = process.argv.includes('--demo') ? await loadDemo(config) : [];
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
      `  Web console       ${url}/${consoleDir() ? '' : '  (not built: npm run build)'}`,
      `  API docs          ${url}/docs`,
      `  Event store       ${store}`,
      // An operator's own token is theirs to keep: it never goes to a terminal or a log.
      generated
        ? `  Admin token       ${adminToken}  (generated for this run; set LEDGER_ADMIN_TOKEN to keep one)\n  Admin sign-in     ${url}/#token=${adminToken}`
        : '  Admin token       from LEDGER_ADMIN_TOKEN (not shown)',
      ...demoLinks.map(
        ({ role, id, token }) => `  Sign in as ${role.padEnd(8)} ${url}/#token=${token}  (${id})`,
      ),
      '',
    ].join('\n'),
  );
  closeOnSignals(app, 'the API and the event store');
}

type DemoToken = { id: string; role: string; token: string };

/**
 * `npm start -- --demo`: the Jiangjin demo district first, when the store is still empty. Answers
 * a demo principal of each role to print a sign-in link for (from the tokens file on a re-run).
 */
async function loadDemo(config: LedgerConfig): Promise<DemoToken[]> {
  let tokens: DemoToken[] = [];
  try {
    const summary = await seedDistrict(config);
    const file = writeDemoTokens(config, summary.tokens);
    tokens = summary.tokens;
    console.log(
      `  Demo district     ${summary.riders} riders, ${summary.awards} awards, ${summary.events} events in ${summary.seconds.toFixed(1)} s; demo tokens in ${file}`,
    );
  } catch (error) {
    if (!(error instanceof SeedRefused)) throw error;
    console.log('  Demo district     the store already holds a ledger; starting on it as it is');
    tokens = readDemoTokens(config);
  }
  const roles = [...new Set(tokens.map((t) => t.role))];
  return roles.flatMap((role) => tokens.filter((t) => t.role === role).slice(0, 1));
}

function readDemoTokens(config: LedgerConfig): DemoToken[] {
  try {
    return JSON.parse(readFileSync(demoTokensFile(config), 'utf8')) as DemoToken[];
  } catch {
    return [];
  }
}

main().catch(exitOnStartupError);
