import {
  communityStream,
  communityDecider,
  isDomainError,
  notFound,
  riderDecider,
  riderStream,
  type DomainError,
  type Occupation,
} from '@ledger/domain';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import type { PersonalDataStore } from '../personal-data/personal-data.store';
import { PERSONAL_DATA } from '../infrastructure/tokens';
import { entryIdFor, type LedgerRequest } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';

export interface RegistrationInput {
  readonly riderId: string;
  readonly communityId: string;
  readonly platform: string;
  readonly occupation: Occupation;
  /** Personal data: kept in the erasable table, never in the event. */
  readonly name: string;
  readonly phone?: string;
}

export class RegisterRiderCommand {
  constructor(
    readonly input: RegistrationInput,
    readonly request: LedgerRequest,
  ) {}
}

export class ErasePersonalDataCommand {
  constructor(
    readonly riderId: string,
    readonly request: LedgerRequest,
  ) {}
}

/**
 * Registration appends the event first (the log holds the rider id only), then saves name and
 * phone in the personal-data table. A crash between the two is repaired by the retry: the same
 * idempotency key makes the same registration id, the decider answers "already done", and the
 * handler saves the personal data again.
 */
@CommandHandler(RegisterRiderCommand)
export class RegisterRiderHandler implements ICommandHandler<
  RegisterRiderCommand,
  { position: number } | DomainError
> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataStore,
  ) {}

  async execute({
    input,
    request,
  }: RegisterRiderCommand): Promise<{ position: number } | DomainError> {
    const community = await this.writer.read(
      communityDecider,
      communityStream(input.communityId),
      request.context.timeZone,
    );
    if (!community.exists) return notFound(`community ${input.communityId}`);
    const { riderId, communityId, platform, occupation } = input;
    const command = {
      type: 'RegisterRider' as const,
      riderId,
      communityId,
      platform,
      occupation,
      registrationId: entryIdFor(request, 'register'),
    };
    const written = await this.writer.execute(riderDecider, riderStream(riderId), command, request);
    if (isDomainError(written)) return written;
    await this.personalData.save(riderId, {
      name: input.name,
      ...(input.phone !== undefined && { phone: input.phone }),
    });
    if (written.position === undefined)
      throw new Error(`rider ${riderId} has no position after registration`);
    return { position: written.position };
  }
}

/** Erasure: the event first (idempotent), then the row; the ledger and its chain stay intact. */
@CommandHandler(ErasePersonalDataCommand)
export class ErasePersonalDataHandler implements ICommandHandler<
  ErasePersonalDataCommand,
  { position: number } | DomainError
> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataStore,
  ) {}

  async execute({
    riderId,
    request,
  }: ErasePersonalDataCommand): Promise<{ position: number } | DomainError> {
    const written = await this.writer.execute(
      riderDecider,
      riderStream(riderId),
      { type: 'ErasePersonalData', riderId },
      request,
    );
    if (isDomainError(written)) return written;
    await this.personalData.erase(riderId);
    if (written.position === undefined)
      throw new Error(`rider ${riderId} has no position after erasure`);
    return { position: written.position };
  }
}
