import {
  hazardDecider,
  hazardStream,
  isDomainError,
  mayVerifyIn,
  notFound,
  ruleViolation,
  DomainError,
  type Severity,
  say,
} from '@ledger/domain';
import { hazardOf, unverifiedBefore, type HazardView, type ReadModels } from '@ledger/projections';
import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { LedgerCommand } from './ledger-command';
import { READ_MODELS } from '../infrastructure/tokens';
import { derivedId, type LedgerRequest } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';
import { AwardPointsCommand, type AwardResult } from './award-points';

export interface VerificationInput {
  readonly hazardId: string;
  readonly outcome: 'confirmed' | 'rejected';
  readonly severity?: Severity;
  readonly fundId?: string;
  readonly note: string;
}

export interface VerificationResult {
  readonly id: string;
  readonly status: 'confirmed' | 'rejected';
  readonly severity: Severity | null;
  readonly award?: AwardResult;
  readonly position: number;
}

export class VerifyHazardCommand extends LedgerCommand<
  VerificationInput,
  VerificationResult | DomainError
> {}

/** Reports escalated per run at most: a run is one job, and the next run takes the rest. */
const MAX_ESCALATIONS_PER_RUN = 1000;

/**
 * Confirms (awarding the reporter the rule's points for the severity, from the fund) or rejects a
 * report, once. The award's entry id is derived from the report, so a retried confirmation, or
 * two verifiers confirming at once, pay once; the award comes first so a refused award (fund
 * exhausted, a cap) leaves the report unverified.
 */
@CommandHandler(VerifyHazardCommand)
export class VerifyHazardHandler implements ICommandHandler<VerifyHazardCommand> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly commands: CommandBus,
    @Inject(READ_MODELS) private readonly models: ReadModels,
  ) {}

  async execute({ input, request }: VerifyHazardCommand) {
    const report = await this.find(input.hazardId);
    if (!report) return notFound(say`hazard ${input.hazardId}`);
    const outOfScope = mayVerifyIn(request.context.actor, report.communityId, input.hazardId);
    if (outOfScope) return outOfScope;
    const confirmed = input.outcome === 'confirmed';
    const entryId = confirmed ? derivedId('hazard', input.hazardId) : undefined;
    const verify = {
      type: 'VerifyHazard' as const,
      hazardId: input.hazardId,
      riderId: report.riderId,
      outcome: input.outcome,
      note: input.note,
      ...(confirmed && input.severity !== undefined && { severity: input.severity }),
      ...(confirmed && input.fundId !== undefined && { fundId: input.fundId }),
      ...(entryId !== undefined && { entryId }),
    };
    const stream = hazardStream(input.hazardId);
    const { decision } = await this.writer.dryRun(hazardDecider, stream, verify, request.context);
    if (isDomainError(decision)) return decision;
    const award = confirmed ? await this.award(input, report, request) : undefined;
    if (isDomainError(award)) return award;
    const written = await this.writer.execute(hazardDecider, stream, verify, request);
    if (isDomainError(written)) return written;
    return {
      id: input.hazardId,
      status: input.outcome,
      severity: confirmed ? (input.severity ?? null) : null,
      ...(award !== undefined && { award }),
      position: Math.max(written.position ?? 0, award?.position ?? 0),
    };
  }

  /** A report just filed may not be in the read model yet: wait once for the head, look again. */
  private async find(hazardId: string): Promise<HazardView | undefined> {
    const found = await hazardOf(this.models, hazardId);
    if (found) return found;
    await this.models.waitForHead();
    return hazardOf(this.models, hazardId);
  }

  private award(
    input: VerificationInput,
    report: HazardView,
    request: LedgerRequest,
  ): Promise<AwardResult | DomainError> | DomainError {
    if (report.status === 'duplicate')
      return ruleViolation(
        say`hazard ${input.hazardId} duplicates an earlier report and earns nothing`,
      );
    if (input.severity === undefined || input.fundId === undefined)
      return new DomainError(
        'VALIDATION_FAILED',
        say`a confirmation needs a severity and a fundId`,
      );
    return this.commands.execute(
      new AwardPointsCommand(
        {
          riderId: report.riderId,
          activity: 'hazard_report',
          severity: input.severity,
          fundId: input.fundId,
          reason: `随手拍 ${report.category}：${input.note}`.slice(0, 500),
          occurredAt: report.occurredAt,
          hazardId: input.hazardId,
          entryId: derivedId('hazard', input.hazardId),
          source: 'verified-report',
        },
        request,
      ),
    );
  }
}

export class EscalateHazardsCommand extends LedgerCommand<number, number> {}

/** Escalates every report still unverified after `waitedHours` (idempotent: each once). */
@CommandHandler(EscalateHazardsCommand)
export class EscalateHazardsHandler implements ICommandHandler<EscalateHazardsCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(READ_MODELS) private readonly models: ReadModels,
  ) {}

  async execute({ input: waitedHours, request }: EscalateHazardsCommand) {
    await this.models.waitForProjections(['hazards']); // every report this process filed is there
    const before = new Date(request.context.now.getTime() - waitedHours * 3_600_000);
    let escalated = 0;
    for (const hazardId of await unverifiedBefore(this.models, before, MAX_ESCALATIONS_PER_RUN)) {
      const written = await this.writer.execute(
        hazardDecider,
        hazardStream(hazardId),
        { type: 'EscalateHazard', hazardId, waitedHours },
        request,
      );
      if (!isDomainError(written) && written.appended > 0) escalated++;
    }
    return escalated;
  }
}
