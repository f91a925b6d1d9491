import {
  badgesDecider,
  isDomainError,
  planAward,
  riderDecider,
  riderStream,
  rulesDecider,
  BADGES_STREAM,
  RULES_STREAM,
  type Activity,
  type AwardPoints,
  type AwardSource,
  type DomainError,
  type Severity,
} from '@ledger/domain';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { LedgerCommand } from './ledger-command';
import { settleAward, type AwardResult } from '../settlement/award';
import { FundBooks } from '../settlement/fund-books';
import { entryIdFor } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';

export type { AwardResult } from '../settlement/award';

export interface AwardInput {
  readonly riderId: string;
  readonly activity: Activity;
  readonly fundId: string;
  readonly reason: string;
  readonly occurredAt: string;
  readonly points?: number;
  readonly severity?: Severity;
  readonly taskId?: string;
  readonly hazardId?: string;
  readonly evidence?: string;
  /** Set by the task and hazard workflows (derived from the task or report); else from the key. */
  readonly entryId?: string;
  /**
   * Set by the workflows that make awards (a task's completion, a verified report, a check-in);
   * an award staff enter themselves is a back-fill, which its reason explains.
   */
  readonly source?: Exclude<AwardSource, 'import'>;
  /** The check-in an award of source `check-in` was made from. */
  readonly checkInId?: string;
}

export class AwardPointsCommand extends LedgerCommand<AwardInput, AwardResult | DomainError> {}

/**
 * An award: planned against the rules in force, decided against the rider first (a refusal
 * writes nothing), then settled across the fund and the rider (settlement/award.ts). The entry id
 * comes from the idempotency key, so a retry finds its own reservation and award.
 */
@CommandHandler(AwardPointsCommand)
export class AwardPointsHandler implements ICommandHandler<AwardPointsCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, request }: AwardPointsCommand) {
    const { timeZone } = request.context;
    // After a start, the rider and the fund's open book are folded while the rules are read,
    // not one after the other (the first award's wait). Once cached, nothing is read ahead: a
    // read queued on a busy fund would split its group commits.
    const rider = riderStream(input.riderId);
    if (!this.writer.isCached(rider)) void warm(this.writer.read(riderDecider, rider, timeZone));
    void warm(FundBooks.of(this.writer).warm(input.fundId, request));
    const rules = await this.writer.read(rulesDecider, RULES_STREAM, timeZone);
    const plan = planAward(input, rules.state, request.context);
    if (isDomainError(plan)) return plan;
    const badges = await this.writer.read(badgesDecider, BADGES_STREAM, timeZone);
    const command: AwardPoints = {
      type: 'AwardPoints',
      entryId: input.entryId ?? entryIdFor(request, 'award'),
      riderId: input.riderId,
      activity: input.activity,
      points: plan.points,
      fundId: input.fundId,
      ruleVersion: plan.ruleVersion,
      reason: input.reason,
      occurredAt: input.occurredAt,
      source: input.source ?? 'staff-backfill',
      badges: badges.state.badges,
      ...(plan.maxPointsPerRiderPerDay !== undefined && {
        maxPointsPerRiderPerDay: plan.maxPointsPerRiderPerDay,
      }),
      ...(input.taskId !== undefined && { taskId: input.taskId }),
      ...(input.hazardId !== undefined && { hazardId: input.hazardId }),
      ...(input.checkInId !== undefined && { checkInId: input.checkInId }),
      ...(input.evidence !== undefined && { evidence: input.evidence }),
    };
    const { decision } = await this.writer.dryRun(
      riderDecider,
      riderStream(input.riderId),
      command,
      request.context,
    );
    if (isDomainError(decision)) return decision;
    // Nothing new for the rider: the award is already there (a retry), so is its reservation.
    return settleAward(this.writer, command, request, { reserve: decision.length > 0 });
  }
}

/** A read made ahead for its cache: its failure is met again, and answered, where it is needed. */
function warm(read: Promise<unknown>): Promise<void> {
  return read.then(
    () => undefined,
    () => undefined,
  );
}
