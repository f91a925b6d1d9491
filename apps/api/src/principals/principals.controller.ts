import { Body, Controller, Delete, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { READ_MODELS } from '@ledger/ledger';
import type { ReadModels } from '@ledger/projections';
import { randomUUID } from 'node:crypto';
import { newToken, tokenHash } from '../auth/auth.service';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import { CreatePrincipalDto, PrincipalCreatedDto } from './principals.dto';

@ApiTags('principals')
@ApiBearerAuth()
@Controller('v1/principals')
export class PrincipalsController {
  constructor(
    private readonly ledger: LedgerHttp,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
  ) {}

  /** Creates a principal and answers its token, the only time the token is ever shown. */
  @Post()
  @Refusals('ALREADY_EXISTS')
  @ApiCreatedResponse({ type: PrincipalCreatedDto })
  async create(
    @Body() body: CreatePrincipalDto,
    @Ledger() caller: Caller,
  ): Promise<PrincipalCreatedDto> {
    const id = body.id ?? randomUUID();
    const token = newToken();
    const command = {
      type: 'CreatePrincipal' as const,
      principalId: id,
      name: body.name,
      role: body.role,
      communityIds: body.communityIds ?? [],
      stationIds: body.stationIds ?? [],
      tokenHash: tokenHash(token),
      ...(body.riderId !== undefined && { riderId: body.riderId }),
    };
    const written = await this.ledger.run({ kind: 'principal', id, command }, caller);
    // The token must work as soon as the client has it: wait for the principals table.
    await this.readModels.waitForProjections(['principals'], written.position ?? 0);
    return {
      id,
      name: body.name,
      role: body.role,
      communityIds: command.communityIds,
      stationIds: command.stationIds,
      riderId: body.riderId ?? null,
      token,
      position: written.position ?? 0,
    };
  }

  /** Revokes a principal; its token stops working before this answers. */
  @Delete(':id')
  @Refusals('NOT_FOUND')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked: the token no longer authenticates.' })
  async revoke(@Param('id') id: string, @Ledger() caller: Caller): Promise<void> {
    const written = await this.ledger.run(
      { kind: 'principal', id, command: { type: 'RevokePrincipal', principalId: id } },
      caller,
    );
    if (written.position !== undefined)
      await this.readModels.waitForProjections(['principals'], written.position);
  }
}
