import {
  badgesDecider,
  fundDecider,
  fundStream,
  isDomainError,
  planAward,
  riderDecider,
  riderStream,
  rulesDecider,
  BADGES_STREAM,
  RULES_STREAM,
  type Activity,
  type AwardPoints,
  type DomainError,
  type Severity,
} from '@ledger/domain';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { entryIdFor, type LedgerRequest } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';

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
}

export interface AwardResult {
  readonly entryId: string;
  readonly riderId: string;
  readonly activity: Activity;
  readonly points: number;
  readonly balanceAfter: number;
  readonly ruleVersion: number;
  readonly position: number;
}

export class AwardPointsCommand {
  constructor(
    readonly input: AwardInput,
    readonly request: LedgerRequest,
  ) {}
}

/**
 * An award moves points out of a fund and into a rider, two streams:
 *   1. decide against the rules and the rider first: a refusal writes nothing;
 *   2. reserve the points on the fund stream (FUND_EXHAUSTED stops here);
 *   3. credit the rider; if the rider refuses now (a race on its daily cap), release the
 *      reservation. A crash between 2 and 3 is finished by `SettlementRecovery`.
 * The entry id comes from the idempotency key, so a retry finds its own reservation and award.
 */
@CommandHandler(AwardPointsCommand)
export class AwardPointsHandler implements ICommandHandler<
  AwardPointsCommand,
  AwardResult | DomainError
> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, request }: AwardPointsCommand): Promise<AwardResult | DomainError> {
    const { timeZone } = request.context;
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
      badges: badges.state.badges,
      ...(plan.maxPointsPerRiderPerDay !== undefined && {
        maxPointsPerRiderPerDay: plan.maxPointsPerRiderPerDay,
      }),
      ...(input.taskId !== undefined && { taskId: input.taskId }),
      ...(input.hazardId !== undefined && { hazardId: input.hazardId }),
      ...(input.evidence !== undefined && { evidence: input.evidence }),
    };
    const { decision: precheck } = await this.writer.dryRun(
      riderDecider,
      riderStream(input.riderId),
      command,
      request.context,
    );
    if (isDomainError(precheck)) return precheck;
    if (precheck.length > 0) {
      const reserved = await this.writer.execute(
        fundDecider,
        fundStream(input.fundId),
        reserveCommand(command),
        request,
      );
      if (isDomainError(reserved)) return reserved;
    }
    return completeAward(this.writer, command, request);
  }
}

/** The fund's half of an award. */
export function reserveCommand(command: AwardPoints) {
  const { type: _type, entryId, riderId, points, fundId, badges: _badges, ...award } = command;
  return { type: 'ReserveFundPoints' as const, fundId, entryId, riderId, points, award };
}

/** Credits the rider for a reserved award, or releases the reservation if the rider refuses. */
export async function completeAward(
  writer: StreamWriter,
  command: AwardPoints,
  request: LedgerRequest,
): Promise<AwardResult | DomainError> {
  const credited = await writer.execute(
    riderDecider,
    riderStream(command.riderId),
    command,
    request,
  );
  if (isDomainError(credited)) {
    const release = {
      type: 'ReleaseReservation' as const,
      fundId: command.fundId,
      entryId: command.entryId,
      code: credited.code,
      reason: credited.detail,
    };
    const released = await writer.execute(
      fundDecider,
      fundStream(command.fundId),
      release,
      request,
    );
    if (isDomainError(released) && released.code !== 'NOT_FOUND') return released;
    return credited;
  }
  const award = credited.state.awards.get(command.entryId);
  if (!award || credited.position === undefined)
    throw new Error(`award ${command.entryId} missing after credit`);
  return {
    entryId: award.entryId,
    riderId: command.riderId,
    activity: award.activity,
    points: award.points,
    balanceAfter: award.balanceAfter,
    ruleVersion: award.ruleVersion,
    position: credited.position,
  };
}
