import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { parseInstant } from '@ledger/domain';
import {
  ConsistencyQuery,
  LatestCheckpointQuery,
  PublicKeyQuery,
  StatementQuery,
} from '@ledger/ledger';
import { Public } from '../auth/auth.guard';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { IsInstant } from '../http/instant';
import { StoredEvents } from '../http/local-time.interceptor';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import { MinPositionDto } from '../organisation/min-position.dto';

const CHECKPOINT = {
  origin: 'rider-ledger/jiangjin',
  treeSize: 152_311,
  rootHash: 'XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=',
  timestamp: '2026-06-30T16:00:00.000Z',
  keyId: '3f2a9c01',
  signature: 'q1Zb…base64 of 64 bytes…==',
};
const PUBLIC_KEY = {
  keyId: '3f2a9c01',
  algorithm: 'Ed25519',
  publicKey: 'O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=',
  origin: 'rider-ledger/jiangjin',
};

export class StatementQueryDto extends MinPositionDto {
  @ApiPropertyOptional({
    example: '2026-06-30T24:00:00+08:00',
    description:
      'the newest tree head signed by then; now (a head at most a minute old) when absent',
  })
  @IsOptional()
  @IsInstant({ endOfDay: true })
  asOf?: string;
}

export class ConsistencyQueryDto {
  @ApiProperty({ minimum: 1, example: 150_002, description: 'the older tree size' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  from!: number;
  @ApiProperty({ minimum: 1, example: 152_311, description: 'the newer tree size' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  to!: number;
}

/**
 * Proofs out (issue 16): the log as a Merkle tree (RFC 9162), its signed tree heads, and a
 * rider's statement that anyone can check offline (`ledger verify-statement`, the console).
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1')
export class StatementsController {
  constructor(private readonly ledger: LedgerHttp) {}

  /** The key tree heads are signed with, and the log's name: published, no token needed. */
  @Public()
  @Get('audit/public-key')
  @Answers(200, PUBLIC_KEY)
  publicKey() {
    return this.ledger.ask(new PublicKeyQuery());
  }

  /** The newest signed tree head (signed anew when the newest is a minute old and the log grew). */
  @Get('audit/checkpoints/latest')
  @Answers(200, CHECKPOINT)
  @Refusals('NOT_FOUND')
  latest() {
    return this.ledger.ask(new LatestCheckpointQuery(new Date()));
  }

  /** That the tree of `to` leaves only added to the tree of `from` (RFC 9162 §2.1.4). */
  @Get('audit/consistency')
  @Answers(200, {
    from: 150_002,
    to: 152_311,
    proof: ['lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c='],
  })
  consistency(@Query() query: ConsistencyQueryDto) {
    return this.ledger.ask(new ConsistencyQuery(query.from, query.to));
  }

  /**
   * The rider's events with their places in the log and inclusion proofs against one signed
   * tree head, and the balance they add up to: check it with `ledger verify-statement`.
   */
  @Get('riders/:id/statement')
  @StoredEvents()
  @Answers(200, {
    riderId: 'r-0001',
    asOf: '2026-06-30T16:00:00.000Z',
    balance: 20,
    checkpoint: CHECKPOINT,
    publicKey: PUBLIC_KEY,
    entries: [
      {
        leafIndex: 20,
        eventHash: '7997559decc3207577d872d41e2297fc3d77dcb7dbd604009d6f3ef2178f1d41',
        event: {
          eventId: 'a-7f3c',
          stream: 'rider-r-0001',
          revision: 1,
          type: 'PointsAwarded',
          schemaVersion: 1,
          data: { riderId: 'r-0001', points: 20 },
          metadata: { hash: '7997559decc3207577d872d41e2297fc3d77dcb7dbd604009d6f3ef2178f1d41' },
          recordedAt: '2026-06-15T13:11:02.000Z',
        },
        inclusionProof: ['lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c='],
      },
    ],
  })
  @Refusals('NOT_FOUND')
  statement(@Param('id') id: string, @Query() query: StatementQueryDto, @Ledger() caller: Caller) {
    const asOf = query.asOf ? parseInstant(query.asOf, { endOfDay: true }) : undefined;
    return this.ledger.ask(
      new StatementQuery(caller.actor, id, asOf ?? undefined, new Date(), query.minPosition),
    );
  }
}
