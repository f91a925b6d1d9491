import { isDomainError, type Actor, type DomainError } from '@ledger/domain';
import type { CommandBus } from '@nestjs/cqrs';
import type { LedgerConfig } from '../config/ledger-config';
import { CloseSelectionCommand, type SelectionResult } from '../commands/close-selection';
import { EscalateHazardsCommand } from '../commands/hazards';
import type { LedgerRequest } from '../write/ledger-request';
import type { JobProcessor, JobProcessors } from './job-queue';

/** The ledger itself, as the author of what jobs write (recorded on every event's metadata). */
export const SYSTEM_ACTOR: Actor = {
  principalId: 'system',
  role: 'admin',
  communityIds: [],
  stationIds: [],
};

/** Hazard escalation runs this often (a report waits at most this much past its deadline). */
export const ESCALATION_EVERY_MS = 10 * 60 * 1000;

export const JOB_NAMES = { escalation: 'hazard-escalation', selectionClose: 'selection-close' };

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
export function ledgerProcessors(commands: CommandBus, config: LedgerConfig): JobProcessors {
  return new Map<string, JobProcessor>([
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
