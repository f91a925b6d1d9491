import type { Command } from 'commander';
import { CommandBus } from '@nestjs/cqrs';
import { isDomainError, type DomainError } from '@ledger/domain';
import type { EventStore, SqlClient } from '@ledger/event-store';
import {
  balanceAsOf,
  EVENT_STORE,
  loadConfig,
  migrateChain,
  SealLogCommand,
  SQL_DATABASE,
  READ_MODELS,
  replaySelection,
  exportRows,
  formatRows,
  SYSTEM_ACTOR,
  verifyLog,
  withLedger,
  Progress,
  type ExportFormat,
  type ExportKind,
  type SealResult,
} from '@ledger/ledger';
import { rebuildAndCompare, type ReadModels } from '@ledger/projections';
import { randomUUID } from 'node:crypto';

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
    .command('selection')
    .description('top-ten selections')
    .command('replay <selectionId>')
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
        const readModels = app.get<ReadModels>(READ_MODELS);
        if (what !== 'events') await readModels.catchUp();
        const rows = exportRows(
          {
            what: what as ExportKind,
            ...(options.scope && { scope: options.scope }),
            period: options.period,
          },
          { store: app.get<EventStore>(EVENT_STORE), readModels },
        );
        for await (const line of formatRows(rows, options.format as ExportFormat)) await out(line);
      });
    });
}

/** Thrown for a wrong argument or a missing thing: exit code 2, message on stderr. */
export class UsageError extends Error {}
