import { isDomainError, type Actor, type DomainError } from '@ledger/domain';
import type { CommandBus } from '@nestjs/cqrs';
import type { LedgerConfig } from '../config/ledger-config';
import { CloseSelectionCommand, type SelectionResult } from '../commands/close-selection';
import { EscalateHazardsCommand } from '../commands/hazards';
import type { LedgerRequest } from '../write/ledger-request';
import type { EventStore, SqlClient } from '@ledger/event-store';
import { rebuildAndCompare, type ReadModels } from '@ledger/projections';
import { SealLogCommand, type SealResult } from '../audit/audit.commands';
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

export const JOB_NAMES = {
  escalation: 'hazard-escalation',
  selectionClose: 'selection-close',
  seal: 'log-seal',
  replay: 'read-model-replay',
};

/** Seals are made this often (and on demand: `ledger seal`). */
export const SEAL_EVERY_MS = 60 * 60 * 1000;

/** What the processors work with. */
export interface JobDependencies {
  readonly commands: CommandBus;
  readonly config: LedgerConfig;
  readonly store: EventStore;
  readonly sql: SqlClient;
  readonly readModels: ReadModels;
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
  return new Map<string, JobProcessor>([
    [
      JOB_NAMES.seal,
      async () => {
        const sealed = await commands.execute<SealLogCommand, SealResult | DomainError>(
          new SealLogCommand(systemRequest(config)),
        );
        if (isDomainError(sealed)) throw new Error(sealed.detail); // kept as a failed job: look at it
        return sealed;
      },
    ],
    [JOB_NAMES.replay, (_data, context) => replayReadModels(deps, context)],
    [
      JOB_NAMES.escalation,
      async (data: Record<string, unknown>) => {
        const hours = Number(data.waitedHours ?? config.hazardEscalationHours);
        const escalated = await commands.execute<EscalateHazardsCommand, number>(
          new EscalateHazardsCommand(hours, systemRequest(config)),
        );
        return { escalated };
      },
    ],
    [
      JOB_NAMES.selectionClose,
      async (data: Record<string, unknown>) => {
        const selectionId = String(data.selectionId);
        const closed = await commands.execute<CloseSelectionCommand, SelectionResult | DomainError>(
          new CloseSelectionCommand(selectionId, systemRequest(config, `close-${selectionId}`)),
        );
        return isDomainError(closed) ? { refused: closed.code, detail: closed.detail } : closed;
      },
    ],
  ]);
}

/**
 * Rebuilds every read model from the log into a shadow schema and compares it with the live one,
 * row by row. The live runners pause meanwhile (reads keep answering; writes wait for them only
 * when they ask for `minPosition`), and resume after, whatever happened.
 */
async function replayReadModels(deps: JobDependencies, context: JobContext) {
  const { readModels, store, sql, config } = deps;
  const head = store.positionOf(await store.headCursor()) ?? 0;
  const wasRunning = readModels.isRunning;
  await readModels.stop();
  try {
    const report = await rebuildAndCompare(readModels, store, sql, {
      timeZone: config.timeZone,
      onProgress: (replayed) =>
        void context.progress(
          Math.min(
            99,
            Math.floor((replayed / Math.max(1, head * readModels.projections.length)) * 100),
          ),
        ),
    });
    return {
      eventsReplayed: report.eventsReplayed,
      tablesCompared: report.tablesCompared,
      rowsCompared: report.rowsCompared,
      differences: report.differences,
    };
  } finally {
    if (wasRunning) readModels.start();
  }
}
