import { spawnSync } from 'node:child_process';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openEmbeddedDatabase } from '@ledger/event-store';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { isDomainError } from '@ledger/domain';
import {
  CloseSelectionCommand,
  loadConfig,
  READ_MODELS,
  ConsistencyQuery,
  SealLogCommand,
  StatementQuery,
  TreeHeads,
  StreamCommand,
  withLedger,
} from '@ledger/ledger';
import { tempDir } from '@ledger/testing';
import { ADMIN, requestOf } from '@ledger/ledger/testing';
import { seedDistrict, seedPlan } from '@ledger/seed';
import type { ReadModels } from '@ledger/projections';

/** The built CLI (npm test builds before it runs the tests). */
const CLI = join(__dirname, '..', '..', '..', 'dist', 'apps', 'cli', 'src', 'main.js');

describe('ledger CLI: the auditor’s commands on a small demo district', () => {
  const dir = tempDir();
  const ledger = (...args: string[]) => {
    const run = spawnSync(process.execPath, [CLI, ...args], {
      env: { ...process.env, DATA_DIR: dir.path, EVENT_STORE: 'embedded' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: run.status, out: run.stdout, err: run.stderr };
  };

  beforeAll(async () => {
    const config = loadConfig({ DATA_DIR: dir.path });
    await seedDistrict(config, { scale: 0.02, quiet: true });
    await withLedger(config, async (app) => {
      const commands = app.get(CommandBus);
      const request = requestOf(ADMIN);
      await commands.execute(
        new StreamCommand(
          {
            kind: 'selection',
            id: 'top',
            command: {
              type: 'OpenSelection',
              selectionId: 'top',
              district: '江津区',
              year: 2026,
              size: 3,
            },
          },
          request,
        ),
      );
      expect(await commands.execute(new CloseSelectionCommand('top', request))).toMatchObject({
        status: 'closed',
      });
    });
  }, 60_000);
  afterAll(() => dir.remove());

  it('verifies a rider’s statement offline, and refuses a changed one (exit 4)', async () => {
    const { statement, newer, proof } = await withLedger(
      loadConfig({ DATA_DIR: dir.path }),
      async (app) => {
        const models = app.get<ReadModels>(READ_MODELS);
        await models.catchUp(); // no runner in a CLI process
        const queries = app.get(QueryBus);
        const first = await queries.execute(
          new StatementQuery(ADMIN, 'jj-r0001', undefined, new Date()),
        );
        // The log grows (a seal), and a later head is signed, as the hourly job does.
        await app.get(CommandBus).execute(new SealLogCommand(requestOf(ADMIN)));
        await models.catchUp();
        const later = await app.get(TreeHeads).sign(new Date());
        if (isDomainError(first) || !later) throw new Error('no statement or no later head');
        const consistency = await queries.execute(
          new ConsistencyQuery(first.checkpoint.treeSize, later.treeSize),
        );
        return { statement: first, newer: later, proof: consistency };
      },
    );
    if (isDomainError(statement)) throw new Error(statement.detail);
    expect(statement.entries.length).toBeGreaterThan(1);
    const file = join(dir.path, 'statement.json');
    writeFileSync(file, JSON.stringify(statement));
    const good = ledger('verify-statement', file, '--public-key', statement.publicKey.publicKey);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.out)).toMatchObject({
      ok: true,
      riderId: 'jj-r0001',
      balance: statement.balance,
      keySource: 'given',
    });
    const changed = { ...statement, balance: statement.balance + 100 };
    writeFileSync(file, JSON.stringify(changed));
    const bad = ledger('verify-statement', file);
    expect(bad.code).toBe(4);
    expect(JSON.parse(bad.out)).toMatchObject({ ok: false });
    writeFileSync(file, 'not json');
    expect(ledger('verify-statement', file).code).toBe(2);

    // The log of the later head only added to the statement's.
    writeFileSync(file, JSON.stringify(statement));
    const [newerFile, proofFile] = ['newer.json', 'proof.json'].map((f) => join(dir.path, f));
    writeFileSync(newerFile, JSON.stringify(newer));
    writeFileSync(proofFile, JSON.stringify(proof));
    const key = ['--public-key', statement.publicKey.publicKey];
    const grew = ledger('verify-consistency', file, newerFile, proofFile, ...key);
    expect(grew.code).toBe(0);
    expect(JSON.parse(grew.out)).toMatchObject({ ok: true, to: newer.treeSize });
    writeFileSync(newerFile, JSON.stringify({ ...newer, rootHash: statement.checkpoint.rootHash }));
    const forged = ledger('verify-consistency', file, newerFile, proofFile, ...key);
    expect(forged.code).toBe(4);
    expect(JSON.parse(forged.out)).toMatchObject({ ok: false });
    expect(Buffer.from(ledger('signing-key').out.trim(), 'base64')).toHaveLength(32);
  });

  it('verifies, seals, answers balances as of a time, replays and exports', () => {
    const verified = ledger('verify');
    expect(verified.code).toBe(0);
    const first = JSON.parse(verified.out) as { sealsChecked: number };
    expect(first).toMatchObject({ ok: true, firstBadPosition: null });
    expect(verified.err).toMatch(/verify .*\]/); // a progress bar, on stderr

    const sealed = ledger('seal');
    expect(JSON.parse(sealed.out)).toMatchObject({
      sealed: true,
      treeHead: { treeSize: expect.any(Number) as number, keyId: expect.any(String) as string },
    });
    // One seal more (the statement test before this one sealed too).
    expect(JSON.parse(ledger('verify').out)).toMatchObject({
      ok: true,
      sealsChecked: first.sealsChecked + 1,
    });
    // The demo fund's first stream is closed into a book for this hour; a second run closes none.
    expect(JSON.parse(ledger('close-books').out)).toMatchObject({ funds: 1, closed: 1 });
    expect(JSON.parse(ledger('close-books').out)).toMatchObject({ funds: 1, closed: 0 });
    expect(JSON.parse(ledger('verify').out)).toMatchObject({ ok: true });

    const now = JSON.parse(ledger('balance', 'jj-r0001').out) as {
      balance: number;
      eventsApplied: number;
    };
    expect(now.eventsApplied).toBeGreaterThan(0);
    const before = JSON.parse(
      ledger('balance', 'jj-r0001', '--as-of', '2000-01-01T00:00:00Z').out,
    ) as { balance: number };
    expect(before.balance).toBe(0);
    expect(ledger('balance', 'nobody').code).toBe(2);
    expect(ledger('balance', 'jj-r0001', '--as-of', 'soon').code).toBe(2);
    // The demo's year was recorded today: by when its acts happened, a month ago had points.
    const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const recorded = JSON.parse(ledger('balance', 'jj-r0001', '--as-of', monthAgo).out) as {
      earned: number;
    };
    const occurred = JSON.parse(
      ledger('balance', 'jj-r0001', '--as-of', monthAgo, '--by', 'occurred').out,
    ) as { earned: number; by: string };
    expect(recorded.earned).toBe(0);
    expect(occurred).toMatchObject({ by: 'occurred' });
    expect(occurred.earned).toBeGreaterThan(0);
    expect(ledger('balance', 'jj-r0001', '--by', 'sometimes').code).toBe(2);

    const selection = ledger('selection', 'replay', 'top');
    expect(selection.code).toBe(0);
    expect(JSON.parse(selection.out)).toMatchObject({ selectionId: 'top', same: true });
    expect(ledger('selection', 'replay', 'nothing').code).toBe(2);

    const replay = ledger('replay');
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.out)).toMatchObject({ differences: 0 });

    const csv = ledger('export', 'ledger', '--format', 'csv').out.trim().split('\n');
    expect(csv[0]).toBe(
      'rider_id,entry_id,type,points,balance_after,activity,reason,station_id,source,approved_by,check_in_id,actor,occurred_at,recorded_at,position',
    );
    expect(csv.length).toBeGreaterThan(10);
    const events = ledger('export', 'events')
      .out.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { hash: string });
    expect(events.every((e) => /^[0-9a-f]{64}$/.test(e.hash))).toBe(true);
    const board = ledger(
      'export',
      'leaderboard',
      '--scope',
      'district:江津区',
      '--period',
      'all',
      '--format',
      'csv',
    );
    expect(board.out.split('\n')[0]).toBe('rank,rider_id,points');
    expect(ledger('export', 'people').code).toBe(2);
    // no personal data in any export: none of the seeded names or phones
    const exported = csv.join('\n') + JSON.stringify(events);
    for (const rider of seedPlan(0.02).riders) {
      expect(exported).not.toContain(rider.phone);
      expect(exported).not.toContain(`"${rider.name}"`);
    }
  }, 120_000);

  it('backs the folder up, restores it into a new one that verifies and replays to the same figures', () => {
    const elsewhere = tempDir();
    const file = join(elsewhere.path, 'ledger.backup');
    const restored = join(elsewhere.path, 'restored');
    const there = (...args: string[]) => {
      const run = spawnSync(process.execPath, [CLI, ...args], {
        env: { ...process.env, DATA_DIR: restored, EVENT_STORE: 'embedded' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      return { code: run.status, out: run.stdout, err: run.stderr };
    };
    try {
      const backup = ledger('backup', file);
      expect(backup.code).toBe(0);
      const made = JSON.parse(backup.out) as { events: number; head: number; sha256: string };
      expect(made.events).toBeGreaterThan(100);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const restore = there('restore', file);
      expect(restore.code).toBe(0);
      expect(JSON.parse(restore.out)).toMatchObject({
        events: made.events,
        head: made.head,
        sha256: made.sha256,
      });
      expect(JSON.parse(there('verify').out)).toMatchObject({
        ok: true,
        head: made.head,
        eventsChecked: made.events,
      });
      const figures = (run: typeof ledger) =>
        ['jj-r0001', 'jj-r0002', 'jj-r0003'].map(
          (rider) => (JSON.parse(run('balance', rider).out) as { balance: number }).balance,
        );
      expect(figures(there)).toEqual(figures(ledger));
      expect(JSON.parse(there('replay').out)).toMatchObject({ differences: 0 });
      expect(JSON.parse(there('events', '--limit', '5').out.split('\n')[4])).toEqual(
        JSON.parse(ledger('events', '--limit', '5').out.split('\n')[4]),
      );
      // A restore never lands on a ledger; a file that is not a backup is refused.
      const again = there('restore', file);
      expect(again.code).toBe(2);
      expect(again.err).toContain('already holds a store');
      writeFileSync(join(elsewhere.path, 'junk'), 'not a backup');
      const junk = spawnSync(process.execPath, [CLI, 'restore', join(elsewhere.path, 'junk')], {
        env: { ...process.env, DATA_DIR: join(elsewhere.path, 'r2'), EVENT_STORE: 'embedded' },
        encoding: 'utf8',
      });
      expect(junk.status).toBe(2);
      expect(junk.stderr).toContain('is not a backup');
      const postgres = spawnSync(process.execPath, [CLI, 'backup', file], {
        env: { ...process.env, EVENT_STORE: 'postgres' },
        encoding: 'utf8',
      });
      expect(postgres.status).toBe(2);
      expect(postgres.stderr).toContain('pg_dump');
    } finally {
      elsewhere.remove();
    }
  }, 120_000);

  it('exits 4 when a stored event was edited behind the ledger’s back', async () => {
    const { events, sql } = await openEmbeddedDatabase({ dataDir: dir.path });
    try {
      await sql.query(
        `update ledger.events set data = jsonb_set(data, '{points}', '9999')
         where global_position = (select min(global_position) from ledger.events where event_type = 'PointsAwarded')`,
      );
    } finally {
      await events.close();
    }
    const verified = ledger('verify');
    expect(verified.code).toBe(4);
    expect(JSON.parse(verified.out)).toMatchObject({
      ok: false,
      firstBadPosition: expect.any(Number) as number,
    });
  }, 60_000);

  it('says the folder is in use by the running API, and exits 3, for every command that needs it', () => {
    // A live process holds the folder (this test's own, as the API would).
    const lock = join(dir.path, 'ledger.lock');
    writeFileSync(lock, String(process.pid));
    try {
      for (const args of [
        ['verify'],
        ['seal'],
        ['replay'],
        ['balance', 'jj-r0001'],
        ['selection', 'replay', 'top'],
        ['export', 'events'],
        ['events', '--limit', '1'],
        ['backup', join(dir.path, 'never.backup')],
      ]) {
        const run = ledger(...args);
        expect({ args, code: run.code }).toEqual({ args, code: 3 });
        expect(run.err).toContain(`is in use by process ${process.pid}`);
        expect(run.err).toMatch(/EVENT_STORE=postgres/);
      }
    } finally {
      rmSync(lock, { force: true });
    }
  }, 120_000);
});
