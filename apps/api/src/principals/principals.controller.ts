import { Body, Controller, Delete, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { isDomainError, type Actor, type DomainError } from '@ledger/domain';
import {
  LEDGER_CONFIG,
  READ_MODELS,
  StreamCommand,
  type LedgerConfig,
  type Written,
} from '@ledger/ledger';
import type { ReadModels } from '@ledger/projections';
import { randomUUID } from 'node:crypto';
import { Roles } from '../auth/auth.guard';
import { newToken, tokenHash } from '../auth/auth.service';
import { ProblemException } from '../http/problem';
import { Ledger } from '../http/request-context';
import { CreatePrincipalDto, PrincipalCreatedDto } from './principals.dto';

type Caller = { actor: Actor; correlationId: string; idempotencyKey?: string };

@ApiTags('principals')
@ApiBearerAuth()
@Controller('v1/principals')
export class PrincipalsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  /** Creates a principal and answers its token, the only time the token is ever shown. */
  @Post()
  @Roles('admin')
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
    const written = await this.run({ kind: 'principal', id, command }, caller);
    // The token must work as soon as the client has it: wait for the principals table.
    await this.readModels.waitFor(written.position ?? 0);
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
  @HttpCode(204)
  @Roles('admin')
  @ApiNoContentResponse({ description: 'Revoked: the token no longer authenticates.' })
  async revoke(@Param('id') id: string, @Ledger() caller: Caller): Promise<void> {
    const written = await this.run(
      { kind: 'principal', id, command: { type: 'RevokePrincipal', principalId: id } },
      caller,
    );
    if (written.position !== undefined) await this.readModels.waitFor(written.position);
  }

  private async run(body: StreamCommand['body'], caller: Caller): Promise<Written<unknown>> {
    const { actor, ...meta } = caller;
    const outcome = await this.commands.execute<StreamCommand, Written<unknown> | DomainError>(
      new StreamCommand(body, {
        ...meta,
        context: { actor, now: new Date(), timeZone: this.config.timeZone },
      }),
    );
    if (isDomainError(outcome)) throw ProblemException.of(outcome);
    return outcome;
  }
}
