import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CompleteTaskCommand,
  ListSignUpsQuery,
  ListTasksQuery,
  PublishTaskCommand,
  SignUpCommand,
  type AwardResult,
} from '@ledger/ledger';
import { randomUUID } from 'node:crypto';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import { ListQueryDto } from '../http/list-query.dto';
import { DEFAULT_LIST_LIMIT } from '@ledger/projections';
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

/** Micro-volunteering tasks (微公益): published by staff, signed up for by riders, confirmed by staff. */
@ApiTags('tasks')
@ApiBearerAuth()
@Controller('v1/tasks')
export class TasksController {
  constructor(private readonly ledger: LedgerHttp) {}

  @Post()
  @Answers(201, { ...TASK_EXAMPLE, taken: 0, position: 90 })
  @Refusals('ALREADY_EXISTS', 'NOT_FOUND', 'RULE_VIOLATION')
  async publish(@Body() body: PublishTaskDto, @Ledger() caller: Caller) {
    const { id = randomUUID(), ...task } = body;
    const written = await this.ledger.execute(
      new PublishTaskCommand({ taskId: id, ...task }, this.ledger.request(caller)),
    );
    const { startsAt, endsAt } = written.state;
    return { id, ...task, taken: 0, startsAt, endsAt, position: written.position };
  }

  /** Tasks in publishing order; `open=true`: only those taking sign-ups now. */
  @Get()
  @Answers(200, { items: [TASK_EXAMPLE], nextCursor: null })
  list(@Query() query: TaskQueryDto) {
    const { communityId, open, limit = 100, cursor, minPosition } = query;
    const filter = { communityId, open: open === 'true', limit, cursor };
    return this.ledger.ask(new ListTasksQuery(filter, minPosition));
  }

  /** The calling rider takes a slot. */
  @Post(':id/sign-ups')
  @Answers(201, { taskId: 'jijiang-patrol-0615', riderId: 'r-0001', position: 91 })
  @Refusals('NOT_FOUND', 'TASK_FULL', 'ALREADY_EXISTS', 'RULE_VIOLATION')
  async signUp(@Param('id') taskId: string, @Ledger() caller: Caller) {
    const { riderId, position } = await this.ledger.execute(
      new SignUpCommand(taskId, this.ledger.request(caller)),
    );
    return { taskId, riderId, position };
  }

  /**
   * Who signed up, by rider id, with the award that confirmed each completion (`entryId`, `null`
   * until confirmed). Beyond the product contract: staff need it to confirm completions.
   */
  @Get(':id/sign-ups')
  @Answers(
    200,
    { items: [{ riderId: 'r-0001', name: '张小哥', entryId: null }], nextCursor: null },
    undefined,
    { nullable: ['name', 'entryId'] },
  )
  @Refusals('NOT_FOUND')
  signUps(@Param('id') taskId: string, @Query() query: ListQueryDto, @Ledger() caller: Caller) {
    const { limit = DEFAULT_LIST_LIMIT, cursor, minPosition } = query;
    return this.ledger.ask(
      new ListSignUpsQuery(caller.actor, { taskId }, { limit, cursor }, minPosition),
    );
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
  complete(
    @Param('id') taskId: string,
    @Body() body: CompletionDto,
    @Ledger() caller: Caller,
  ): Promise<AwardResult> {
    return this.ledger.execute(
      new CompleteTaskCommand({ taskId, ...body }, this.ledger.request(caller)),
    );
  }
}
