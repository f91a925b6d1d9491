import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { MAX_MINIMUM_MINUTES, say } from '@ledger/domain';
import {
  CheckInCodeQuery,
  CloseCheckInCommand,
  GetCheckInQuery,
  OpenCheckInCommand,
  RiderCheckInCommand,
} from '@ledger/ledger';
import { randomUUID } from 'node:crypto';
import { inWords } from '../http/i18n/validation-words';
import { ID, IsLedgerId } from '../http/ids';
import { IsInstant } from '../http/instant';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';

export class OpenCheckInDto {
  @ApiPropertyOptional({ example: 'binjiang-patrol-0615', pattern: ID.source })
  @IsOptional()
  @IsLedgerId()
  id?: string;
  @ApiProperty({ enum: ['task', 'patrol'] }) @IsIn(['task', 'patrol']) kind!: 'task' | 'patrol';
  @ApiPropertyOptional({ description: 'a task’s check-in: the task (its community and riders)' })
  @IsOptional()
  @IsLedgerId()
  taskId?: string;
  @ApiPropertyOptional({ example: 'jijiang-aipingshan', description: 'a patrol’s community' })
  @IsOptional()
  @IsLedgerId()
  communityId?: string;
  @ApiProperty({ example: 'jiangjin-2026' }) @IsLedgerId() fundId!: string;
  @ApiPropertyOptional({ example: '滨江路夜间巡逻' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  title?: string;
  @ApiPropertyOptional({ description: 'now when absent' })
  @IsOptional()
  @IsInstant()
  opensAt?: string;
  @ApiProperty({ example: '2026-06-15T23:00:00+08:00' }) @IsInstant() closesAt!: string;
  @ApiPropertyOptional({ example: 60, description: 'a stay asked before the award (check-out)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_MINIMUM_MINUTES)
  minMinutes?: number;
}

export class CheckInCodeDto {
  @ApiProperty({ example: '492 031', description: 'the 6 digits shown (spaces allowed)' })
  @Matches(/^\s*\d{3}\s?\d{3}\s*$/, inWords((p) => say`${p} must be the 6 digits shown`))
  code!: string;
}

const CHECK_IN = {
  checkInId: 'binjiang-patrol-0615',
  communityId: 'jijiang-aipingshan',
  kind: 'patrol',
  activity: 'patrol',
  fundId: 'jiangjin-2026',
  title: '滨江路夜间巡逻',
  opensAt: '2026-06-15T11:00:00.000Z',
  closesAt: '2026-06-15T15:00:00.000Z',
  minMinutes: 60,
  closedAt: '2026-06-15T14:30:00.000Z',
  riders: [
    {
      riderId: 'r-0001',
      at: '2026-06-15T11:02:10.000Z',
      out: { at: '2026-06-15T12:05:00.000Z', minutes: 62 },
    },
  ],
};
const CHECK_IN_HINTS = {
  optional: ['taskId', 'minMinutes'],
  nullable: ['closedAt', 'riders.out'],
};
const CHECKED_IN = {
  checkInId: 'binjiang-patrol-0615',
  riderId: 'r-0001',
  at: '2026-06-15T11:02:10.000Z',
  out: { at: '2026-06-15T12:05:00.000Z', minutes: 62 },
  award: {
    entryId: '9b3e61c2-07aa-8f41-a2d3-6c1f0e9a7b55',
    riderId: 'r-0001',
    activity: 'patrol',
    points: 20,
    balanceAfter: 140,
    ruleVersion: 3,
    position: 320,
  },
  awardRefused: { code: 'FUND_EXHAUSTED', detail: 'fund jiangjin-2026 has 0 points left' },
};
const CHECKED_IN_HINTS = { nullable: ['out', 'award', 'awardRefused'] };

/**
 * Check-ins (签到, issue 17): staff open one for a task or a patrol shift and show its rotating
 * code; riders check in (and out) with it from their own principal; the award follows.
 */
@ApiTags('check-ins')
@ApiBearerAuth()
@Controller('v1/check-ins')
export class CheckInsController {
  constructor(private readonly ledger: LedgerHttp) {}

  @Post()
  @Answers(201, { ...CHECK_IN, closedAt: null, riders: [], position: 300 }, 'Opened.', {
    ...CHECK_IN_HINTS,
  })
  @Refusals('NOT_FOUND', 'ALREADY_EXISTS', 'RULE_VIOLATION')
  open(@Body() body: OpenCheckInDto, @Ledger() caller: Caller) {
    const { id = randomUUID(), ...input } = body;
    return this.ledger.execute(
      new OpenCheckInCommand({ checkInId: id, ...input }, this.ledger.request(caller)),
    );
  }

  @Get(':id')
  @Answers(200, CHECK_IN, 'Done.', CHECK_IN_HINTS)
  @Refusals('NOT_FOUND')
  read(@Param('id') id: string, @Ledger() caller: Caller) {
    return this.ledger.ask(new GetCheckInQuery(caller.actor, id));
  }

  /** The code to show now, and until when it is the newest (the console asks again then). */
  @Get(':id/code')
  @Answers(200, {
    checkInId: 'binjiang-patrol-0615',
    code: '492031',
    step: 59_344_322,
    validUntil: '2026-06-15T11:01:30.000Z',
  })
  @Refusals('NOT_FOUND', 'RULE_VIOLATION')
  code(@Param('id') id: string, @Ledger() caller: Caller) {
    return this.ledger.ask(new CheckInCodeQuery(caller.actor, id));
  }

  /** The calling rider checks in with the code shown (typed or scanned). */
  @Post(':id/riders')
  @Answers(201, CHECKED_IN, 'Checked in (the award, or why none).', CHECKED_IN_HINTS)
  @Refusals('NOT_FOUND', 'CODE_REFUSED', 'RULE_VIOLATION', 'ALREADY_EXISTS')
  checkIn(@Param('id') id: string, @Body() body: CheckInCodeDto, @Ledger() caller: Caller) {
    const input = { checkInId: id, code: body.code, out: false };
    return this.ledger.execute(new RiderCheckInCommand(input, this.ledger.request(caller)));
  }

  /** The calling rider checks out with a later code, after the stay the check-in asks. */
  @Post(':id/check-outs')
  @Answers(201, CHECKED_IN, 'Checked out (the award, or why none).', CHECKED_IN_HINTS)
  @Refusals('NOT_FOUND', 'CODE_REFUSED', 'RULE_VIOLATION', 'ALREADY_EXISTS')
  checkOut(@Param('id') id: string, @Body() body: CheckInCodeDto, @Ledger() caller: Caller) {
    const input = { checkInId: id, code: body.code, out: true };
    return this.ledger.execute(new RiderCheckInCommand(input, this.ledger.request(caller)));
  }

  /** Closes the check-in before its `closesAt`: no rider is taken after. */
  @Post(':id/closing')
  @HttpCode(200)
  @Answers(200, CHECK_IN, 'Closed.', CHECK_IN_HINTS)
  @Refusals('NOT_FOUND')
  close(@Param('id') id: string, @Ledger() caller: Caller) {
    return this.ledger.execute(new CloseCheckInCommand(id, this.ledger.request(caller)));
  }
}
