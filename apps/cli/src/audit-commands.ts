import type { Command } from 'commander';
import { CommandBus } from '@nestjs/cqrs';
import { isDomainError, type DomainError } from '@ledger/domain';
import { START, type EventStore, type SqlClient } from '@ledger/event-store';
import {
  balanceAsOf,
  EVENT_STORE,
  loadConfig,
  migrateChain,
  SealLogCommand,
  SQL_DATABASE,
  READ_MODELS,
  replaySelection,
  storedHash,
  SYSTEM_ACTOR,
  verifyLog,
  type SealResult,
} from '@ledger/ledger';
import { rebuildAndCompare, type ReadModels } from '@ledger/projections';
import { randomUUID } from 'node:crypto';
import { withLedger } from './ledger-context';
import { Progress } from './progress';

/** Exit codes scripts can branch on. */
export const EXIT = { ok: 0, failure: 1, usage: 2, unavailable: 3, mismatch: 4 } as const;

const out = (line: string): Promise<void> =>
  new Promise((resolve) => {
    if (process.stdout.write(`${line}\n`)) resolve();
    else process.stdout.once('drain', () => resolve());
  });

/** The auditor's commands (docs/audit-guide.md). Results on stdout as JSON, progress on stderr. */
export function auditCommands(program: Command): void {
  program
    .command('verify')
    .description(
      'check every stored event against the hash chain and every seal (exit 4 when it does not verify)',
    )
    .action(async () => {
      await withLedger(loadConfig(), async (app) => {
        const store = app.get<EventStore>(EVENT_STORE);
        const head = store.positionOf(await store.headCursor()) ?? 0;
        const progress = new Progress('verify', head);
        const result = await verifyLog(store, (n) => progress.update(n));
        progress.done();
        await out(JSON.stringify(result));
        if (!result.ok) process.exitCode = EXIT.mismatch;
      });
    });

  program
    .command('seal')
    .description('seal the log at its head now (a digest of every stream head), after verifying it')
    .action(async () => {
      await withLedger(loadConfig(), async (app) => {
        const sealed = await app.get(CommandBus).execute<SealLogCommand, SealResult | DomainError>(
          new SealLogCommand({
            context: { actor: SYSTEM_ACTOR, now: new Date(), timeZone: loadConfig().timeZone },
            correlationId: randomUUID(),
          }),
        );
        await out(JSON.stringify(sealed));
        if (isDomainError(sealed)) process.exitCode = EXIT.mismatch;
      });
    });

  program
    .command('migrate-chain')
    .description(
      'one-off: give events written before the hash chain their hashes (SQL stores; API and worker stopped)',
    )
    .action(async () => {
      const config = loadConfig();
      const settings = config.eventStore;
      if (settings.kind === 'kurrentdb')
        throw new UsageError(
          'KurrentDB events cannot be changed; a KurrentDB log is verified from its first hashed event',
        );
      const schema = settings.kind === 'postgres' ? settings.schema : 'ledger';
      await withLedger(config, async (app) => {
        const store = app.get<EventStore>(EVENT_STORE);
        const progress = new Progress(
          'migrate-chain',
          store.positionOf(await store.headCursor()) ?? 0,
        );
        const result = await migrateChain(store, app.get<SqlClient>(SQL_DATABASE), schema, (n) =>
          progress.update(n),
        );
        progress.done();
        await out(JSON.stringify(result));
      });
    });

  program
    .command('replay')
    .description(
      'rebuild every read model from the log in a shadow schema and compare (exit 4 on differences)',
    )
    .option('--diff', 'print each differing row as NDJSON')
    .action(async (options: { diff?: boolean }) => {
      const config = loadConfig();
      await withLedger(config, async (app) => {
        const models = app.get<ReadModels>(READ_MODELS);
        const store = app.get<EventStore>(EVENT_STORE);
        const head = store.positionOf(await store.headCursor()) ?? 0;
        await models.catchUp(); // the live tables as far as the log goes, then the shadow twin
        const progress = new Progress('replay', head * models.projections.length);
        const report = await rebuildAndCompare(models, store, app.get<SqlClient>(SQL_DATABASE), {
          timeZone: config.timeZone,
          onProgress: (n) => progress.update(n),
        });
        progress.done();
        if (options.diff) for (const d of report.differences) await out(JSON.stringify(d));
        const { differences, ...figures } = report;
        await out(JSON.stringify({ ...figures, differences: differences.length }));
        if (differences.length > 0) process.exitCode = EXIT.mismatch;
      });
    });

  program
    .command('balance <riderId>')
    .description("a rider's figures from the events recorded up to a moment, from the log alone")
    .option('--as-of <time>', 'ISO-8601 time (default: now)')
    .action(async (riderId: string, options: { asOf?: string }) => {
      const asOf = options.asOf ? new Date(options.asOf) : new Date();
      if (Number.isNaN(asOf.getTime())) throw new UsageError('--as-of must be an ISO-8601 time');
      const config = loadConfig();
      await withLedger(config, async (app) => {
        const figures = await balanceAsOf(
          app.get<EventStore>(EVENT_STORE),
          riderId,
          asOf,
          config.timeZone,
        );
        if (!figures) throw new UsageError(`rider ${riderId} does not exist`);
        await out(JSON.stringify(figures));
      });
    });

  program
    .command('selection-replay <selectionId>')
    .alias('selection')
    .description(
      'recompute a closed selection from the log up to its cut-off and compare (exit 4 when it differs)',
    )
    .action(async (selectionId: string) => {
      const config = loadConfig();
      await withLedger(config, async (app) => {
        const replayed = await replaySelection(
          app.get<EventStore>(EVENT_STORE),
          selectionId,
          config.timeZone,
        );
        if (!replayed)
          throw new UsageError(`selection ${selectionId} does not exist or is not closed`);
        await out(JSON.stringify(replayed));
        if (!replayed.same) process.exitCode = EXIT.mismatch;
      });
    });

  program
    .command('export <what>')
    .description(
      'export events | ledger | leaderboard as csv or ndjson on stdout (no personal data)',
    )
    .option('--format <format>', 'csv or ndjson', 'ndjson')
    .option('--scope <scope>', 'leaderboard: community:{id}, street:{name} or district:{name}')
    .option('--period <period>', 'leaderboard: all, YYYY, YYYY-MM or YYYY-Www', 'all')
    .action(async (what: string, options: { format: string; scope?: string; period: string }) => {
      if (!['csv', 'ndjson'].includes(options.format))
        throw new UsageError('--format must be csv or ndjson');
      if (!['events', 'ledger', 'leaderboard'].includes(what))
        throw new UsageError('export events, ledger or leaderboard');
      if (what === 'leaderboard' && !options.scope)
        throw new UsageError('leaderboard needs --scope');
      await withLedger(loadConfig(), async (app) => {
        const writer = rowWriter(options.format as 'csv' | 'ndjson');
        if (what === 'events') {
          const store = app.get<EventStore>(EVENT_STORE);
          for (let cursor = START; ;) {
            const page = await store.readAll({ after: cursor, limit: 1000 });
            if (page.events.length === 0) break;
            for (const e of page.events)
              await writer({
                position: e.position,
                stream: e.streamName,
                revision: e.revision,
                type: e.type,
                recordedAt: e.recordedAt.toISOString(),
                data: JSON.stringify(e.data),
                metadata: JSON.stringify(e.metadata),
                hash: storedHash(e),
              });
            cursor = page.cursor;
          }
          return;
        }
        const models = app.get<ReadModels>(READ_MODELS);
        await models.catchUp();
        const s = models.schema;
        const { rows } =
          what === 'ledger'
            ? await models.query<Record<string, unknown>>(
                `select rider_id, entry_id, type, points, balance_after, activity, reason, station_id, actor,
                   occurred_at, recorded_at, position from ${s}.ledger_lines order by position`,
              )
            : await models.query<Record<string, unknown>>(
                `select row_number() over (order by points desc, reached_position, rider_id) as rank, rider_id, points
                 from ${s}.leaderboard_points where scope = $1 and period = $2 and points > 0
                 order by points desc, reached_position, rider_id`,
                [options.scope, options.period],
              );
        for (const row of rows) await writer(row);
      });
    });
}

/** Thrown for a wrong argument or a missing thing: exit code 2, message on stderr. */
export class UsageError extends Error {}

/** NDJSON lines, or CSV with a header, quoted where needed and safe to open in a spreadsheet. */
function rowWriter(format: 'csv' | 'ndjson') {
  let header: string[] | undefined;
  return async (row: Record<string, unknown>): Promise<void> => {
    const plain = Object.fromEntries(
      Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
    );
    if (format === 'ndjson') return out(JSON.stringify(plain));
    if (!header) {
      header = Object.keys(plain);
      await out(header.join(','));
    }
    await out(header.map((k) => csvCell(plain[k])).join(','));
  };
}

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`; // never a formula in a spreadsheet
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
