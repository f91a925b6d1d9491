import {
  isDomainError,
  notFound,
  riderOf,
  taskRuleRefusal,
  rulesDecider,
  taskDecider,
  taskStream,
  RULES_STREAM,
  type DomainError,
  type TaskCommand,
  type TaskState,
  say,
} from '@ledger/domain';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { LedgerCommand } from './ledger-command';
import { derivedId } from '../write/ledger-request';
import { StreamWriter, type Written } from '../write/stream-writer';
import { AwardPointsCommand, type AwardResult } from './award-points';
import { checkFirst, readOf } from './stream-command';

export type TaskInput = Omit<Extract<TaskCommand, { type: 'PublishTask' }>, 'type' | 'rule'>;

export class PublishTaskCommand extends LedgerCommand<
  TaskInput,
  Written<TaskState> | DomainError
> {}

/** Publishes a task under the `task` rule in force (its points cap what staff may give). */
@CommandHandler(PublishTaskCommand)
export class PublishTaskHandler implements ICommandHandler<PublishTaskCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, request }: PublishTaskCommand) {
    const { context } = request;
    const rules = await this.writer.read(rulesDecider, RULES_STREAM, context.timeZone);
    const rule = rules.state.rules.get('task');
    const command: TaskCommand = { type: 'PublishTask', ...input, rule };
    const refused = await checkFirst(
      this.writer,
      command,
      context,
      taskRuleRefusal(command, context),
    );
    if (refused) return refused;
    return this.writer.execute(taskDecider, taskStream(input.taskId), command, request);
  }
}

export class SignUpCommand extends LedgerCommand<
  string,
  { riderId: string; position: number } | DomainError
> {}

/** The calling rider takes a slot of the task, as itself. */
@CommandHandler(SignUpCommand)
export class SignUpHandler implements ICommandHandler<SignUpCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input: taskId, request }: SignUpCommand) {
    const riderId = riderOf(request.context.actor);
    if (isDomainError(riderId)) return riderId;
    const rider = await readOf(this.writer, 'rider', riderId, request.context.timeZone);
    const command: TaskCommand = {
      type: 'SignUp',
      taskId,
      riderId,
      riderCommunityId: rider.state.communityId,
    };
    const refused = await checkFirst(this.writer, command, request.context);
    if (refused) return refused;
    const written = await this.writer.execute(taskDecider, taskStream(taskId), command, request);
    if (isDomainError(written)) return written;
    return { riderId, position: written.position ?? 0 };
  }
}

export class CompleteTaskCommand extends LedgerCommand<
  { taskId: string; riderId: string; fundId: string },
  AwardResult | DomainError
> {}

/**
 * Staff confirm a signed-up rider's completion: the task's points are awarded (activity `task`)
 * through the ordinary award path (rules, caps, fund budget), then the completion is recorded on
 * the task. The award's entry id is derived from the task and the rider, so a retry or a racing
 * second confirmation finds the same award and never pays twice; a crash between the two writes
 * is finished by the retry.
 */
@CommandHandler(CompleteTaskCommand)
export class CompleteTaskHandler implements ICommandHandler<CompleteTaskCommand> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly commands: CommandBus,
  ) {}

  async execute({ input, request }: CompleteTaskCommand) {
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
    if (!state.exists) return notFound(say`task ${taskId}`);
    if (isDomainError(decision)) return decision;
    const award = await this.commands.execute(
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
          source: 'task-completion',
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
