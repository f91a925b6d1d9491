import {
  isDomainError,
  principalDecider,
  principalStream,
  type Actor,
  type DomainError,
} from '@ledger/domain';
import type { ReadModels } from '@ledger/projections';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { LedgerCommand } from './ledger-command';
import { newToken, tokenHash } from '../infrastructure/bearer-tokens';
import { READ_MODELS } from '../infrastructure/tokens';
import { StreamWriter } from '../write/stream-writer';
import { checkFirst } from './stream-command';

/** A principal to create: who it acts as, and a name people read. */
export interface PrincipalInput extends Actor {
  readonly name: string;
}

/** The new principal and its token: the only time the token is ever shown. */
export interface CreatedPrincipal {
  readonly principal: PrincipalInput;
  readonly token: string;
  readonly position: number;
}

export class CreatePrincipalCommand extends LedgerCommand<
  PrincipalInput,
  CreatedPrincipal | DomainError
> {}

export class RevokePrincipalCommand extends LedgerCommand<
  string,
  { position: number } | DomainError
> {}

/**
 * Creates a principal with a new token (only its hash is recorded). The token must work as soon
 * as the client has it, so the answer waits for the principals table.
 */
@CommandHandler(CreatePrincipalCommand)
export class CreatePrincipalHandler implements ICommandHandler<CreatePrincipalCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(READ_MODELS) private readonly models: ReadModels,
  ) {}

  async execute({ input, request }: CreatePrincipalCommand) {
    const token = newToken();
    const { communityIds, stationIds, riderId, ...rest } = input;
    const command = {
      type: 'CreatePrincipal' as const,
      ...rest,
      communityIds: [...communityIds],
      stationIds: [...stationIds],
      tokenHash: tokenHash(token),
      ...(riderId !== undefined && { riderId }),
    };
    const refused = await checkFirst(this.writer, command, request.context);
    if (refused) return refused;
    const stream = principalStream(input.principalId);
    const written = await this.writer.execute(principalDecider, stream, command, request);
    if (isDomainError(written)) return written;
    const position = written.position ?? 0;
    await this.models.waitForProjections(['principals'], position);
    return { principal: input, token, position };
  }
}

/** Revokes a principal; its token stops working before this answers. */
@CommandHandler(RevokePrincipalCommand)
export class RevokePrincipalHandler implements ICommandHandler<RevokePrincipalCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(READ_MODELS) private readonly models: ReadModels,
  ) {}

  async execute({ input: principalId, request }: RevokePrincipalCommand) {
    const command = { type: 'RevokePrincipal' as const, principalId };
    const stream = principalStream(principalId);
    const written = await this.writer.execute(principalDecider, stream, command, request);
    if (isDomainError(written)) return written;
    const position = written.position ?? 0;
    await this.models.waitForProjections(['principals'], position);
    return { position };
  }
}
