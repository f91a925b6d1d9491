import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  notFound,
  ruleViolation,
  rulesDecider,
  taskDecider,
  taskStream,
  RULES_STREAM,
} from '@ledger/domain';
import { CompleteTaskCommand, READ_MODELS, StreamWriter, type AwardResult } from '@ledger/ledger';
import type { ReadModels } from '@ledger/projections';
import { randomUUID } from 'node:crypto';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { Answers, Refusals } from '../http/openapi';
import { forbidden, ProblemException } from '../http/problem';
import { Ledger } from '../http/request-context';
import { pageByPosition } from './page';
import { CompletionDto, PublishTaskDto, TaskQueryDto } from './workflows.dto';

const TASK_EXAMPLE = {
  id: 'jijiang-patrol-0615',
  communityId: 'jijiang-aipingshan',
  title: '滨江路夜间巡逻',
  points: 30,
  slots: 10,
  taken: 3,
  startsAt: '2026-06-15T11:00:00.000Z',
  endsAt: '2026-06-15T15:00:00.000Z',
};

interface TaskRow {
  task_id: string;
  community_id: string;
  title: string;
  points: string | number;
  slots: number;
  taken: number;
  starts_at: Date;
  ends_at: Date;
  position: string | number;
}

/** Micro-volunteering tasks (微公益): published by staff, signed up for by riders, confirmed by staff. */
@ApiTags('tasks')
@ApiBearerAuth()
@Controller('v1/tasks')
export class TasksController {
  constructor(
    private readonly ledger: LedgerHttp,
    private readonly writer: StreamWriter,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
  ) {}

  @Post()
  @Answers(201, { ...TASK_EXAMPLE, taken: 0, position: 90 })
  @Refusals('ALREADY_EXISTS', 'NOT_FOUND', 'RULE_VIOLATION')
  async publish(@Body() body: PublishTaskDto, @Ledger() caller: Caller) {
    const { actor } = caller;
    if (actor.role === 'staff' && !actor.communityIds.includes(body.communityId))
      throw forbidden('staff publish tasks only for their communities');
    const rules = await this.writer.read(rulesDecider, RULES_STREAM, this.ledger.config.timeZone);
    const rule = rules.state.rules.get('task');
    if (!rule) throw ProblemException.of(ruleViolation('there is no point rule for activity task'));
    if (actor.role !== 'admin' && rule.points !== undefined && body.points > rule.points)
      throw ProblemException.of(
        ruleViolation(
          `a task gives at most the task rule's ${rule.points} points; only an admin may give more`,
        ),
      );
    const id = body.id ?? randomUUID();
    const { id: _id, ...task } = body;
    const written = await this.ledger.run(
      { kind: 'task', id, command: { type: 'PublishTask', taskId: id, ...task } },
      caller,
      [{ kind: 'community', id: body.communityId }],
    );
    const state = written.state as { startsAt: string; endsAt: string };
    return {
      id,
      ...task,
      taken: 0,
      startsAt: state.startsAt,
      endsAt: state.endsAt,
      position: written.position,
    };
  }

  /** Tasks in publishing order; `open=true`: only those taking sign-ups now. */
  @Get()
  @Answers(200, { items: [TASK_EXAMPLE], nextCursor: null })
  async list(@Query() query: TaskQueryDto) {
    await this.readModels.waitForProjections(['tasks'], query.minPosition);
    const limit = query.limit ?? 100;
    const { rows } = await this.readModels.read((q) =>
      q<TaskRow>(
        `select * from ${this.readModels.schema}.tasks
         where position > $1 and ($2::text is null or community_id = $2)
           and (not $3 or (starts_at <= now() and ends_at > now() and taken < slots))
         order by position limit $4`,
        [Number(query.cursor ?? 0), query.communityId ?? null, query.open === 'true', limit + 1],
      ),
    );
    return pageByPosition(rows, limit, (r) => ({
      id: r.task_id,
      communityId: r.community_id,
      title: r.title,
      points: Number(r.points),
      slots: r.slots,
      taken: r.taken,
      startsAt: new Date(r.starts_at).toISOString(),
      endsAt: new Date(r.ends_at).toISOString(),
    }));
  }

  /** The calling rider takes a slot. */
  @Post(':id/sign-ups')
  @Answers(201, { taskId: 'jijiang-patrol-0615', riderId: 'r-0001', position: 91 })
  @Refusals('NOT_FOUND', 'TASK_FULL', 'ALREADY_EXISTS', 'RULE_VIOLATION')
  async signUp(@Param('id') taskId: string, @Ledger() caller: Caller) {
    const riderId = caller.actor.riderId;
    if (riderId === undefined) throw forbidden('only a rider principal signs up, as itself');
    const written = await this.ledger.run(
      { kind: 'task', id: taskId, command: { type: 'SignUp', taskId, riderId } },
      caller,
      [{ kind: 'rider', id: riderId }],
    );
    return { taskId, riderId, position: written.position };
  }

  /** Confirms a signed-up rider's completion: awards the task's points once. */
  @Post(':id/completions')
  @Answers(201, {
    entryId: '5f1c0a9e-1b2c-8d3e-a4f5-6a7b8c9d0e1f',
    riderId: 'r-0001',
    activity: 'task',
    points: 30,
    balanceAfter: 130,
    ruleVersion: 3,
    position: 95,
  })
  @Refusals('NOT_FOUND', 'FUND_EXHAUSTED', 'RULE_VIOLATION')
  async complete(
    @Param('id') taskId: string,
    @Body() body: CompletionDto,
    @Ledger() caller: Caller,
  ): Promise<AwardResult> {
    const { state } = await this.writer.read(
      taskDecider,
      taskStream(taskId),
      this.ledger.config.timeZone,
    );
    if (!state.exists) throw ProblemException.of(notFound(`task ${taskId}`));
    const { actor } = caller;
    if (actor.role === 'staff' && !actor.communityIds.includes(state.communityId))
      throw forbidden('staff confirm tasks only of their communities');
    return this.ledger.unwrap(
      await this.ledger.commands.execute<CompleteTaskCommand, AwardResult>(
        new CompleteTaskCommand({ taskId, ...body }, this.ledger.request(caller)),
      ),
    );
  }
}
