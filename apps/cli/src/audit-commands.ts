import type { Command } from 'commander';
import type { INestApplicationContext } from '@nestjs/common';
import { CommandBus, QueryBus, type Command as LedgerCommand, type Query } from '@nestjs/cqrs';
import { isDomainError, parseInstant, type DomainError } from '@ledger/domain';
import {
  BalanceAsOfQuery,
  CloseFundBooksCommand,
  ExportQuery,
  formatRows,
  loadConfig,
  MigrateChainCommand,
  Progress,
  ReplayReadModelsCommand,
  ReplaySelectionQuery,
  SealLogCommand,
  SYSTEM_ACTOR,
  TreeHeads,
  VerifyLogQuery,
  withLedger,
  type ExportFormat,
  type ExportKind,
} from '@ledger/ledger';
import { randomUUID } from 'node:crypto';

/** Exit codes scripts can branch on. */
export const EXIT = { ok: 0, failure: 1, usage: 2, unavailable: 3, mismatch: 4 } as const;

/** Thrown for a wrong argument or a missing thing: exit code 2, message on stderr. */
export class UsageError extends Error {}

const out = (line: string): Promise<void> =>
  new Promise((resolve) => {
    if (process.stdout.write(`${line}\n`)) resolve();
    else process.stdout.once('drain', () => resolve());
  });

/** The ledger's buses in this process, without HTTP; a refusal is a usage error (exit 2). */
class Ledger {
  constructor(private readonly app: INestApplicationContext) {}

  async execute<R>(command: LedgerCommand<R>): Promise<Exclude<R, DomainError>> {
    return orUsageError(await this.app.get(CommandBus).execute(command));
  }

  async ask<R>(query: Query<R>): Promise<Exclude<R, DomainError>> {
    return orUsageError(await this.app.get(QueryBus).execute(query));
  }
}

function orUsageError<R>(outcome: R): Exclude<R, DomainError> {
  if (isDomainError(outcome)) throw new UsageError(outcome.detail);
  return outcome as Exclude<R, DomainError>;
}

function withBuses<T>(work: (ledger: Ledger) => Promise<T>): Promise<T> {
  return withLedger(loadConfig(), (app) => work(new Ledger(app)));
}

/** A progress bar on stderr; each report may revise the total (an estimate on KurrentDB). */
function progressOf(label: string): {
  update: (done: number, total: number) => void;
  done: () => void;
} {
  let bar: Progress | undefined;
  return {
    update: (done, total) => (bar ??= new Progress(label, total)).update(done, total),
    done: () => bar?.done(),
  };
}

/** The auditor's commands (docs/audit-guide.md). Results on stdout as JSON, progress on stderr. */
export function auditCommands(program: Command): void {
  program
    .command('verify')
    .description(
      'check every stored event against the hash chain and every seal (exit 4 when it does not verify)',
    )
    .option('--incremental', 'only the events after the last seal an earlier run passed')
    .action(verify);
  program
    .command('seal')
    .description('seal the log at its head now (a digest of every stream head), after verifying it')
    .action(seal);
  program
    .command('close-books')
    .description(
      "close every fund's book opened before the current hour now (the hourly job's work; docs/protocols.md)",
    )
    .action(closeBooks);
  program
    .command('migrate-chain')
    .description(
      'one-off: give events written before the hash chain their hashes (SQL stores; API and worker stopped)',
    )
    .action(migrate);
  program
    .command('replay')
    .description(
      'rebuild every read model from the log in a shadow schema and compare (exit 4 on differences)',
    )
    .option('--diff', 'print each differing row as NDJSON')
    .action(replay);
  program
    .command('balance <riderId>')
    .description("a rider's figures from the events recorded up to a moment, from the log alone")
    .option('--as-of <time>', 'ISO-8601 time (default: now)')
    .option(
      '--by <time>',
      'recorded (when each event was recorded) or occurred (when its act happened)',
      'recorded',
    )
    .action(balance);
  program
    .command('selection')
    .description('top-ten selections')
    .command('replay <selectionId>')
    .description(
      'recompute a closed selection from the log up to its cut-off and compare (exit 4 when it differs)',
    )
    .action(replaySelection);
  program
    .command('export <what>')
    .description(
      'export events | ledger | leaderboard as csv or ndjson on stdout (no personal data)',
    )
    .option('--format <format>', 'csv or ndjson', 'ndjson')
    .option('--scope <scope>', 'leaderboard: community:{id}, street:{name} or district:{name}')
    .option('--period <period>', 'leaderboard: all, YYYY, YYYY-MM or YYYY-Www', 'all')
    .action(exportRows);
}

async function verify(options: { incremental?: boolean }): Promise<void> {
  await withBuses(async (ledger) => {
    const progress = progressOf('verify');
    const result = await ledger.ask(
      new VerifyLogQuery(progress.update, options.incremental ?? false),
    );
    progress.done();
    await out(JSON.stringify(result));
    if (!result.ok) process.exitCode = EXIT.mismatch;
  });
}

async function seal(): Promise<void> {
  await withLedger(loadConfig(), async (app) => {
    const request = {
      context: { actor: SYSTEM_ACTOR, now: new Date(), timeZone: loadConfig().timeZone },
      correlationId: randomUUID(),
    };
    const sealed = await app.get(CommandBus).execute(new SealLogCommand(request));
    if (isDomainError(sealed)) {
      await out(JSON.stringify(sealed));
      process.exitCode = EXIT.mismatch;
      return;
    }
    // The tree head beside the seal, as the hourly job signs it.
    const treeHead = (await app.get(TreeHeads).sign(new Date())) ?? null;
    await out(JSON.stringify({ ...sealed, treeHead }));
  });
}

async function closeBooks(): Promise<void> {
  await withLedger(loadConfig(), async (app) => {
    const request = {
      context: { actor: SYSTEM_ACTOR, now: new Date(), timeZone: loadConfig().timeZone },
      correlationId: randomUUID(),
    };
    await out(
      JSON.stringify(await app.get(CommandBus).execute(new CloseFundBooksCommand(request))),
    );
  });
}

async function migrate(): Promise<void> {
  if (loadConfig().eventStore.kind === 'kurrentdb')
    throw new UsageError(
      'KurrentDB events cannot be changed; a KurrentDB log is verified from its first hashed event',
    );
  await withBuses(async (ledger) => {
    const progress = progressOf('migrate-chain');
    const result = await ledger.execute(new MigrateChainCommand(progress.update));
    progress.done();
    await out(JSON.stringify(result));
  });
}

async function replay(options: { diff?: boolean }): Promise<void> {
  await withBuses(async (ledger) => {
    const progress = progressOf('replay');
    const report = await ledger.execute(new ReplayReadModelsCommand(progress.update));
    progress.done();
    if (options.diff) for (const d of report.differences) await out(JSON.stringify(d));
    const { differences, ...figures } = report;
    await out(JSON.stringify({ ...figures, differences: differences.length }));
    if (differences.length > 0) process.exitCode = EXIT.mismatch;
  });
}

async function balance(riderId: string, options: { asOf?: string; by: string }): Promise<void> {
  if (options.by !== 'recorded' && options.by !== 'occurred')
    throw new UsageError('--by must be recorded or occurred');
  const by = options.by;
  const asOf = options.asOf ? parseInstant(options.asOf, { endOfDay: true }) : new Date();
  if (!asOf)
    throw new UsageError(
      '--as-of must be a date and time with its offset, such as 2026-06-30T24:00:00+08:00',
    );
  await withBuses(async (ledger) => {
    await out(JSON.stringify(await ledger.ask(new BalanceAsOfQuery(riderId, asOf, by))));
  });
}

async function replaySelection(selectionId: string): Promise<void> {
  await withBuses(async (ledger) => {
    const replayed = await ledger.ask(new ReplaySelectionQuery(selectionId));
    await out(JSON.stringify(replayed));
    if (!replayed.same) process.exitCode = EXIT.mismatch;
  });
}

async function exportRows(
  what: string,
  options: { format: string; scope?: string; period: string },
): Promise<void> {
  if (!['csv', 'ndjson'].includes(options.format))
    throw new UsageError('--format must be csv or ndjson');
  if (!['events', 'ledger', 'leaderboard'].includes(what))
    throw new UsageError('export events, ledger or leaderboard');
  if (what === 'leaderboard' && !options.scope) throw new UsageError('leaderboard needs --scope');
  await withBuses(async (ledger) => {
    const rows = await ledger.ask(
      new ExportQuery({
        what: what as ExportKind,
        ...(options.scope && { scope: options.scope }),
        period: options.period,
      }),
    );
    for await (const line of formatRows(rows, options.format as ExportFormat)) await out(line);
  });
}
