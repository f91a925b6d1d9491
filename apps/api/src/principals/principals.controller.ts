import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { CreatePrincipalCommand, RevokePrincipalCommand } from '@ledger/ledger';
import { randomUUID } from 'node:crypto';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import { CreatePrincipalDto, PrincipalCreatedDto } from './principals.dto';

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

  /** Revokes a principal; its token stops working before this answers. */
  @Delete(':id')
  @Refusals('NOT_FOUND')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked: the token no longer authenticates.' })
  async revoke(@Param('id') id: string, @Ledger() caller: Caller): Promise<void> {
    await this.ledger.execute(new RevokePrincipalCommand(id, this.ledger.request(caller)));
  }
}
