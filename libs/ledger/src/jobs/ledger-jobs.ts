import { isDomainError, type Actor } from '@ledger/domain';
import type { CommandBus } from '@nestjs/cqrs';
import type { LedgerConfig } from '../config/ledger-config';
import { CloseSelectionCommand } from '../commands/close-selection';
import { CloseFundBooksCommand } from '../commands/close-fund-books';
import { EscalateHazardsCommand } from '../commands/verify-hazard';
import type { LedgerRequest } from '../write/ledger-request';
import type { EventStore, SqlClient } from '@ledger/event-store';
import type { ReadModels } from '@ledger/projections';
import { mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import {
  asWritten,
  exportRows,
  formatRows,
  readModelRows,
  type ExportFormat,
  type ExportKind,
  type ExportRequest,
} from '../audit/export';
import { SealLogCommand } from '../audit/audit.commands';
import { ReplayReadModelsCommand } from '../audit/audit.tools';
import { eventsInLog } from '../audit/replay';
import type { TreeHeads } from '../audit/tree-heads';
import { JOB_NAMES } from './job-ids';
import type { JobContext, JobProcessor, JobProcessors } from './job-queue';

/** The ledger itself, as the author of what jobs write (recorded on every event's metadata). */
export const SYSTEM_ACTOR: Actor = {
  principalId: 'system',
  role: 'admin',
  communityIds: [],
  stationIds: [],
};

/** Hazard escalation runs this often (a report waits at most this much past its deadline). */
export const ESCALATION_EVERY_MS = 10 * 60 * 1000;

/** Seals are made this often (and on demand: `ledger seal`). */
export const SEAL_EVERY_MS = 60 * 60 * 1000;

/** Funds' books are closed this often: every book opened before the current hour is closed. */
export const FUND_BOOKS_EVERY_MS = 60 * 60 * 1000;

/** What the processors work with. */
export interface JobDependencies {
  readonly commands: CommandBus;
  readonly config: LedgerConfig;
  readonly store: EventStore;
  readonly sql: SqlClient;
  readonly readModels: ReadModels;
  /** Signs a tree head after each seal (absent: no head signed, as in tests of other jobs). */
  readonly heads?: TreeHeads;
  /** Delivers webhooks (absent: no webhook jobs, as in tests of other jobs). */
  readonly webhooks?: WebhookJobs;
}

/** What the webhook jobs do (`WebhookDeliverer`; named here so jobs depend on no webhook code). */
export interface WebhookJobs {
  deliverDue(endpointId: string): Promise<unknown>;
  redeliver(endpointId: string, messageId: string): Promise<unknown>;
  sweep(): Promise<unknown>;
}

function systemRequest(config: LedgerConfig, idempotencyKey?: string): LedgerRequest {
  return {
    context: { actor: SYSTEM_ACTOR, now: new Date(), timeZone: config.timeZone },
    correlationId: `job-${Date.now()}`,
    ...(idempotencyKey !== undefined && { idempotencyKey }),
  };
}

/**
 * The ledger's job processors. Each is safe to run again: escalation and close are idempotent in
 * their deciders. A refusal (a selection already closed) is the job's result, not a failure to retry.
 */
export function ledgerProcessors(deps: JobDependencies): JobProcessors {
  const { commands, config } = deps;
  const processors = new Map<string, JobProcessor>([
    [
      JOB_NAMES.seal,
      async () => {
        const sealed = await commands.execute(new SealLogCommand(systemRequest(config)));
        if (isDomainError(sealed)) throw new Error(sealed.detail); // kept as a failed job: look at it
        // The tree as the log-tree model holds it now, signed beside the seal (hourly).
        const head = await deps.heads?.sign(new Date());
        return { ...sealed, treeHead: head ?? null };
      },
    ],
    [JOB_NAMES.fundBooks, () => commands.execute(new CloseFundBooksCommand(systemRequest(config)))],
    [
      JOB_NAMES.replay,
      async (_data, context) => {
        const report = await commands.execute(
          new ReplayReadModelsCommand((done, total) => void context.progress(percent(done, total))),
        );
        const { eventsReplayed, tablesCompared, rowsCompared, differences } = report;
        return { eventsReplayed, tablesCompared, rowsCompared, differences };
      },
    ],
    [JOB_NAMES.catchUp, (_data, context) => catchUpReadModels(deps, context)],
    [JOB_NAMES.export, (data, context) => exportToFile(deps, data, context)],
    [
      JOB_NAMES.escalation,
      async (data: Record<string, unknown>) => {
        const hours = Number(data.waitedHours ?? config.hazardEscalationHours);
        const escalated = await commands.execute(
          new EscalateHazardsCommand(hours, systemRequest(config)),
        );
        return { escalated };
      },
    ],
    [
      JOB_NAMES.selectionClose,
      async (data: Record<string, unknown>) => {
        const selectionId = String(data.selectionId);
        const closed = await commands.execute(
          new CloseSelectionCommand(selectionId, systemRequest(config, `close-${selectionId}`)),
        );
        return isDomainError(closed) ? { refused: closed.code, detail: closed.detail } : closed;
      },
    ],
  ]);
  if (deps.webhooks)
    for (const [name, run] of webhookProcessors(deps.webhooks)) processors.set(name, run);
  return processors;
}

/** The webhook jobs: deliveries of one endpoint, a manual redelivery, the sweep. */
function webhookProcessors(webhooks: WebhookJobs): [string, JobProcessor][] {
  return [
    [JOB_NAMES.webhookDelivery, (data) => webhooks.deliverDue(String(data.endpointId))],
    [
      JOB_NAMES.webhookRedelivery,
      (data) => webhooks.redeliver(String(data.endpointId), String(data.messageId)),
    ],
    [JOB_NAMES.webhookSweep, () => webhooks.sweep()],
  ];
}

/**
 * Brings the read models to the log's head, for a deployment whose runners are off
 * (RUN_PROJECTIONS=no) or far behind. Progress is how far into the log the pages reached:
 * positions, not counts, compare with the head's (a KurrentDB position is a byte offset).
 */
async function catchUpReadModels(deps: JobDependencies, context: JobContext) {
  const head = deps.store.positionOf(await deps.store.headCursor()) ?? 0;
  let shown = 0; // never backwards (projections at older checkpoints start further back)
  const applied = await deps.readModels.catchUp({
    onProgress: (_n, reached) => {
      shown = Math.max(shown, percent(deps.store.positionOf(reached) ?? 0, head));
      void context.progress(shown);
    },
  });
  return { applied };
}

/**
 * Writes an export (events, ledger or a leaderboard; CSV or NDJSON) to `<DATA_DIR>/exports/` (the
 * embedded folder) or `./exports/`, named after the job, so a rerun of the job rewrites the same file.
 * Progress is the share of the rows written, 100 once the file is in place.
 */
async function exportToFile(
  deps: JobDependencies,
  data: Record<string, unknown>,
  context: JobContext,
) {
  const what = String(data.what) as ExportKind;
  const format: ExportFormat = data.format === 'csv' ? 'csv' : 'ndjson';
  const name = typeof data.name === 'string' ? data.name : `${what}-${Date.now()}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(name)) throw new Error(`bad export name ${name}`);
  if (!['events', 'ledger', 'leaderboard'].includes(what)) throw new Error(`cannot export ${what}`);
  const request: ExportRequest = {
    what,
    ...(typeof data.scope === 'string' && { scope: data.scope }),
    ...(typeof data.period === 'string' && { period: data.period }),
  };
  const dir = join(
    deps.config.eventStore.kind === 'embedded' ? deps.config.dataDir : '.',
    'exports',
  );
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${name}.${format}`);
  const partial = `${file}.partial`;
  const handle = await open(partial, 'w');
  let lines = 0;
  try {
    // The read models a ledger or a board is read from, and the log tree the log's events are
    // counted by, are brought up to now where no projection runner keeps them (as a replay does).
    if (!deps.readModels.isRunning) await deps.readModels.catchUp();
    // A ledger's or a board's rows are read whole, and counted as read; the log's events are
    // read in pages, and counted as a replay counts them (the log tree's leaves), never off a
    // position (a KurrentDB position is a byte offset). Writes made meanwhile may pass the count.
    const read = what === 'events' ? undefined : await readModelRows(request, deps.readModels);
    const rows = read ? asWritten(read) : exportRows(request, deps);
    const counted = read?.length ?? (await eventsInLog(deps));
    const total = counted + (format === 'csv' ? 1 : 0); // a CSV file has its header line too
    const progress = progressReporter(context);
    for await (const line of formatRows(rows, format)) {
      await handle.write(`${line}\n`);
      await progress(++lines, total);
    }
  } finally {
    await handle.close();
  }
  await rename(partial, file); // the file appears whole, or not at all
  await context.progress(100);
  return { file, lines };
}

/** Reports `done` of `total` in percent when it moves on: never backwards, below 100. */
function progressReporter(context: JobContext) {
  let shown = 0;
  return async (done: number, total: number): Promise<void> => {
    const now = percent(done, total);
    if (now <= shown) return;
    shown = now;
    await context.progress(now);
  };
}

/** Progress of a job in percent, below 100 until it is done. */
function percent(done: number, total: number): number {
  return Math.min(99, Math.floor((done / Math.max(1, total)) * 100));
}
