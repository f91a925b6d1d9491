import { isDomainError, notFound, taskDecider, taskStream, type DomainError } from '@ledger/domain';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { derivedId, type LedgerRequest } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';
import { AwardPointsCommand, type AwardResult } from './award-points';

export class CompleteTaskCommand {
  constructor(
    readonly input: { taskId: string; riderId: string; fundId: string },
    readonly request: LedgerRequest,
  ) {}
}

/**
 * Staff confirm a signed-up rider's completion: the task's points are awarded (activity `task`)
 * through the ordinary award path (rules, caps, fund budget), then the completion is recorded on
 * the task. The award's entry id is derived from the task and the rider, so a retry or a racing
 * second confirmation finds the same award and never pays twice; a crash between the two writes
 * is finished by the retry.
 */
@CommandHandler(CompleteTaskCommand)
export class CompleteTaskHandler implements ICommandHandler<
  CompleteTaskCommand,
  AwardResult | DomainError
> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly commands: CommandBus,
  ) {}

  async execute({ input, request }: CompleteTaskCommand): Promise<AwardResult | DomainError> {
    const { taskId, riderId, fundId } = input;
    const stream = taskStream(taskId);
    const entryId = derivedId('task', taskId, riderId);
    const complete = { type: 'CompleteTask' as const, taskId, riderId, entryId };
    const { decision, state } = await this.writer.dryRun(
      taskDecider,
      stream,
      complete,
      request.context,
    );
    if (!state.exists) return notFound(`task ${taskId}`);
    if (isDomainError(decision)) return decision;
    const award = await this.commands.execute<AwardPointsCommand, AwardResult | DomainError>(
      new AwardPointsCommand(
        {
          riderId,
          activity: 'task',
          fundId,
          points: state.points,
          reason: `微公益任务 ${taskId}`,
          occurredAt: request.context.now.toISOString(),
          taskId,
          entryId,
        },
        request,
      ),
    );
    if (isDomainError(award)) return award;
    const recorded = await this.writer.execute(taskDecider, stream, complete, request);
    if (isDomainError(recorded)) return recorded;
    return award;
  }
}
