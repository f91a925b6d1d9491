import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import {
  CreatePrincipalCommand,
  ListPrincipalsQuery,
  ErasePrincipalPersonalDataCommand,
  RevokePrincipalCommand,
  RotatePrincipalTokenCommand,
} from '@ledger/ledger';
import { DEFAULT_LIST_LIMIT } from '@ledger/projections';
import { randomUUID } from 'node:crypto';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import {
  CreatePrincipalDto,
  PrincipalCreatedDto,
  PrincipalListDto,
  RotateTokenDto,
  TokenRotatedDto,
} from './principals.dto';

@ApiTags('principals')
@ApiBearerAuth()
@Controller('v1/principals')
export class PrincipalsController {
  constructor(private readonly ledger: LedgerHttp) {}

  /** Creates a principal and answers its token, the only time the token is ever shown. */
  @Post()
  @Refusals('ALREADY_EXISTS')
  @ApiCreatedResponse({ type: PrincipalCreatedDto })
  async create(
    @Body() body: CreatePrincipalDto,
    @Ledger() caller: Caller,
  ): Promise<PrincipalCreatedDto> {
    const { id = randomUUID(), name, role, communityIds = [], stationIds = [], riderId } = body;
    const input = {
      principalId: id,
      name,
      role,
      communityIds,
      stationIds,
      ...(riderId !== undefined && { riderId }),
    };
    const created = await this.ledger.execute(
      new CreatePrincipalCommand(input, this.ledger.request(caller)),
    );
    return {
      id,
      name,
      role,
      communityIds,
      stationIds,
      riderId: riderId ?? null,
      token: created.token,
      position: created.position,
    };
  }

  /** Principals by id, with role, scope and whether revoked; never a token or its hash. */
  @Get()
  @Answers(200, {
    items: [
      {
        id: 'jijiang-staff-1',
        name: '几江街道社区工作站',
        role: 'staff',
        communityIds: ['jijiang-aipingshan'],
        stationIds: [],
        riderId: null,
        revoked: false,
      },
    ],
    nextCursor: null,
  })
  list(@Query() query: PrincipalListDto, @Ledger() caller: Caller) {
    const { role, limit = DEFAULT_LIST_LIMIT, cursor, minPosition } = query;
    return this.ledger.ask(
      new ListPrincipalsQuery(caller.actor, { role }, { limit, cursor }, minPosition),
    );
  }

  /** Revokes a principal; its token stops working before this answers. */
  @Delete(':id')
  @Refusals('NOT_FOUND')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked: the token no longer authenticates.' })
  async revoke(@Param('id') id: string, @Ledger() caller: Caller): Promise<void> {
    await this.ledger.execute(new RevokePrincipalCommand(id, this.ledger.request(caller)));
  }

  /**
   * A new token for the principal, shown this once; the one it replaces stops before the answer,
   * or acts on for `graceSeconds` while its holder moves to the new one.
   */
  @Post(':id/token-rotations')
  @Refusals('NOT_FOUND', 'RULE_VIOLATION')
  @Answers(
    201,
    {
      id: 'jijiang-station-1',
      token: 'the-new-bearer-token-shown-once-43-characters',
      previousTokenValidUntil: '2026-12-05T11:00:00.000Z',
      position: 4211,
    },
    'Rotated: the new token acts now.',
    { nullable: ['previousTokenValidUntil'] },
  )
  async rotate(
    @Param('id') id: string,
    @Body() body: RotateTokenDto,
    @Ledger() caller: Caller,
  ): Promise<TokenRotatedDto> {
    const { graceSeconds = 0 } = body;
    const rotated = await this.ledger.execute(
      new RotatePrincipalTokenCommand(
        { principalId: id, graceSeconds },
        this.ledger.request(caller),
      ),
    );
    return { id, ...rotated };
  }

  /** The name is gone for good (it is kept beside the log); the principal's acts stay. */
  @Delete(':id/personal-data')
  @Refusals('NOT_FOUND', 'RULE_VIOLATION')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The name is erased for good.' })
  async erase(@Param('id') id: string, @Ledger() caller: Caller): Promise<void> {
    await this.ledger.execute(
      new ErasePrincipalPersonalDataCommand(id, this.ledger.request(caller)),
    );
  }
}
