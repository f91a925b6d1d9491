import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { loadConfig } from '@ledger/ledger';
import { seedDistrict } from '@ledger/seed';
import {
  dropSchema,
  requirePostgres,
  tempDir,
  TEST_DATABASE_URL,
  uniqueSchema,
} from '@ledger/testing';

/** The built CLI (the integration run follows `npm test`, which builds). */
const CLI = join(__dirname, '..', '..', 'dist', 'apps', 'cli', 'src', 'main.js');

/**
 * docs/operations.md, "Backups", on PostgreSQL: the `pg_dump` and `pg_restore` commands as
 * written there, a restore into a fresh database, and the CLI on the restored copy: the log
 * verifies, the read models replay with no difference, balances are the same.
 */
describe('a PostgreSQL backup, restored into a fresh database', () => {
  const schema = uniqueSchema('bk');
  const database = `ledger_restore_${randomBytes(4).toString('hex')}`;
  const restoredUrl = withDatabase(TEST_DATABASE_URL, database);
  const dir = tempDir();

  beforeAll(async () => {
    await requirePostgres();
    const config = loadConfig({
      EVENT_STORE: 'postgres',
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema,
      DATA_DIR: dir.path,
    });
    await seedDistrict(config, { scale: 0.02, quiet: true });
  }, 300_000);
  afterAll(async () => {
    await dropSchema(schema);
    await dropSchema(`${schema}_read`);
    await admin(`drop database if exists ${database}`);
    dir.remove();
  });

  const ledger = (url: string, ...args: string[]) => {
    const run = spawnSync(process.execPath, [CLI, ...args], {
      env: {
        ...process.env,
        EVENT_STORE: 'postgres',
        DATABASE_URL: url,
        DATABASE_SCHEMA: schema,
        DATA_DIR: dir.path,
      },
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { code: run.status, out: run.stdout, err: run.stderr };
  };

  it('verifies, replays with no difference and answers the same balances', async () => {
    const file = join(dir.path, 'ledger.dump');
    const dump = spawnSync(
      'pg_dump',
      [
        '--format=custom',
        `--schema=${schema}`,
        `--schema=${schema}_read`,
        `--file=${file}`,
        TEST_DATABASE_URL,
      ],
      { encoding: 'utf8' },
    );
    expect({ code: dump.status, err: dump.stderr }).toEqual({ code: 0, err: '' });
    await admin(`create database ${database}`);
    const restore = spawnSync(
      'pg_restore',
      ['--no-owner', '--exit-on-error', `--dbname=${restoredUrl}`, file],
      { encoding: 'utf8' },
    );
    expect({ code: restore.status, err: restore.stderr }).toEqual({ code: 0, err: '' });

    const original = JSON.parse(ledger(TEST_DATABASE_URL, 'verify').out) as {
      head: number;
      eventsChecked: number;
    };
    const verified = ledger(restoredUrl, 'verify');
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.out)).toMatchObject({
      ok: true,
      head: original.head,
      eventsChecked: original.eventsChecked,
    });
    const replay = ledger(restoredUrl, 'replay');
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.out)).toMatchObject({ differences: 0 });
    for (const rider of ['jj-r0001', 'jj-r0002', 'jj-r0003']) {
      const there = JSON.parse(ledger(restoredUrl, 'balance', rider).out) as { balance: number };
      const here = JSON.parse(ledger(TEST_DATABASE_URL, 'balance', rider).out) as {
        balance: number;
      };
      expect({ rider, balance: there.balance }).toEqual({ rider, balance: here.balance });
    }
  }, 300_000);
});

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
