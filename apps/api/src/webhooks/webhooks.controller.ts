import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { say } from '@ledger/domain';
import { DEFAULT_LIST_LIMIT } from '@ledger/projections';
import {
  ListWebhooksQuery,
  RedeliverWebhookCommand,
  RegisterWebhookCommand,
  WebhookDeliveriesQuery,
  WEBHOOK_EVENTS,
  type WebhookEventName,
} from '@ledger/ledger';
import { inWords } from '../http/i18n/validation-words';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { ListQueryDto } from '../http/list-query.dto';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';

export class RegisterWebhookDto {
  @ApiProperty({ example: 'https://hooks.example.org/ledger' })
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    inWords((p) => say`${p} must be an http or https URL`),
  )
  @MaxLength(2000)
  url!: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true, example: ['award.made', 'award.reversed'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events!: WebhookEventName[];

  @ApiPropertyOptional({
    example: 5000,
    description: 'with `fund.below_threshold`: told when a fund’s points left fall below this',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  fundThreshold?: number;

  @ApiPropertyOptional({
    description: '`whsec_` and the base64 of 24–64 random bytes; made for you when absent',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  secret?: string;
}

const ENDPOINT = {
  id: 'ep_3f2a9c0d41be7a6c55e1',
  url: 'https://hooks.example.org/ledger',
  events: ['award.made', 'award.reversed', 'fund.below_threshold'],
  fundThreshold: 5000,
  status: 'enabled',
  disabledAt: null,
  disabledReason: null,
  createdAt: '2026-12-05T08:00:00.000Z',
  createdBy: 'admin',
};
const ENDPOINT_HINTS = {
  nullable: ['fundThreshold', 'disabledAt', 'disabledReason'],
  strings: ['events'],
};

const DELIVERY = {
  id: 'msg_5b0c3e1f9a7d42c68e0b1d2f3a4c5e6f',
  seq: 42,
  type: 'award.made',
  position: 152_400,
  status: 'delivered',
  attempts: 2,
  nextAttemptAt: null,
  createdAt: '2026-12-05T08:10:00.000Z',
  deliveredAt: '2026-12-05T08:10:05.120Z',
  payload:
    '{"type":"award.made","timestamp":"2026-12-05T08:10:00.000Z","data":{"entryId":"9b3e61c2-07aa-8f41-a2d3-6c1f0e9a7b55","riderId":"r-0001","points":20,"position":152400}}',
  attemptLog: [
    {
      attempt: 1,
      at: '2026-12-05T08:10:00.050Z',
      status: 503,
      error: 'the receiver answered 503',
      durationMs: 41,
      manual: false,
    },
  ],
};

/**
 * Webhooks (issue 17): endpoints told of the ledger's acts as they are recorded, per the
 * Standard Webhooks spec, in log order per endpoint, with a delivery log and redelivery.
 */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly ledger: LedgerHttp) {}

  @Post()
  @Answers(201, { ...ENDPOINT, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, 'Registered.', {
    ...ENDPOINT_HINTS,
  })
  @Refusals('VALIDATION_FAILED')
  register(@Body() body: RegisterWebhookDto, @Ledger() caller: Caller) {
    return this.ledger.execute(new RegisterWebhookCommand(body, this.ledger.request(caller)));
  }

  @Get()
  @Answers(
    200,
    {
      items: [{ ...ENDPOINT, messages: { pending: 0, delivered: 41, failed: 1 } }],
      nextCursor: null,
    },
    'Done.',
    { ...ENDPOINT_HINTS, nullable: [...ENDPOINT_HINTS.nullable, 'nextCursor'] },
  )
  list(@Ledger() caller: Caller) {
    return this.ledger.ask(new ListWebhooksQuery(caller.actor));
  }

  @Get(':id/deliveries')
  @Answers(200, { items: [DELIVERY], nextCursor: '42' }, 'Done.', {
    nullable: [
      'nextAttemptAt',
      'deliveredAt',
      'nextCursor',
      'attemptLog.status',
      'attemptLog.error',
    ],
  })
  @Refusals('NOT_FOUND')
  deliveries(@Param('id') id: string, @Query() query: ListQueryDto, @Ledger() caller: Caller) {
    return this.ledger.ask(
      new WebhookDeliveriesQuery(caller.actor, id, query.limit ?? DEFAULT_LIST_LIMIT, query.cursor),
    );
  }

  @Post(':id/deliveries/:messageId/redelivery')
  @HttpCode(202)
  @Answers(
    202,
    {
      jobId: 'webhook-redelivery-msg_5b0c3e1f9a7d42c68e0b1d2f3a4c5e6f-1764921600000',
      endpointId: 'ep_3f2a9c0d41be7a6c55e1',
      messageId: 'msg_5b0c3e1f9a7d42c68e0b1d2f3a4c5e6f',
    },
    'Queued: one attempt now; its outcome joins the delivery log.',
  )
  @Refusals('NOT_FOUND', 'RULE_VIOLATION')
  redeliver(
    @Param('id') id: string,
    @Param('messageId') messageId: string,
    @Ledger() caller: Caller,
  ) {
    return this.ledger.execute(
      new RedeliverWebhookCommand({ endpointId: id, messageId }, this.ledger.request(caller)),
    );
  }
}
