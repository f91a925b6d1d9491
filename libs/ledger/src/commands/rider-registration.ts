import {
  isDomainError,
  riderDecider,
  riderStream,
  type DomainError,
  type Occupation,
  type RiderCommand,
} from '@ledger/domain';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { LedgerCommand } from './ledger-command';
import { PERSONAL_DATA } from '../infrastructure/tokens';
import type { PersonalDataStore } from '../personal-data/personal-data.store';
import { entryIdFor, type LedgerRequest } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';
import { checkFirst } from './stream-command';

export interface RegistrationInput {
  readonly riderId: string;
  readonly communityId: string;
  readonly platform: string;
  readonly occupation: Occupation;
  /** Personal data: kept in the erasable table, never in the event. */
  readonly name: string;
  readonly phone?: string;
}

/** What registration and erasure answer: where the rider's stream event is in the log. */
export interface RiderWritten {
  readonly position: number;
}

export class RegisterRiderCommand extends LedgerCommand<
  RegistrationInput,
  RiderWritten | DomainError
> {}

export class ErasePersonalDataCommand extends LedgerCommand<string, RiderWritten | DomainError> {}

/**
 * Registration appends the event first (the log holds the rider id only), then saves name and
 * phone in the personal-data table. A crash between the two is repaired by the retry: the same
 * idempotency key makes the same registration id, the decider answers "already done", and the
 * handler saves the personal data again.
 */
@CommandHandler(RegisterRiderCommand)
export class RegisterRiderHandler implements ICommandHandler<RegisterRiderCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataStore,
  ) {}

  async execute({ input, request }: RegisterRiderCommand) {
    const { riderId, communityId, platform, occupation, name, phone } = input;
    const command: RiderCommand = {
      type: 'RegisterRider',
      riderId,
      communityId,
      platform,
      occupation,
      registrationId: entryIdFor(request, 'register'),
    };
    const refused = await checkFirst(this.writer, command, request.context);
    if (refused) return refused;
    return writeThen(this.writer, command, request, () =>
      this.personalData.save(riderId, { name, ...(phone !== undefined && { phone }) }),
    );
  }
}

/** Erasure: the event first (idempotent), then the row; the ledger and its chain stay intact. */
@CommandHandler(ErasePersonalDataCommand)
export class ErasePersonalDataHandler implements ICommandHandler<ErasePersonalDataCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataStore,
  ) {}

  execute({
    input: riderId,
    request,
  }: ErasePersonalDataCommand): Promise<RiderWritten | DomainError> {
    const command: RiderCommand = { type: 'ErasePersonalData', riderId };
    return writeThen(this.writer, command, request, () => this.personalData.erase(riderId));
  }
}

/** The rider's event, then what goes beside the log (which a retry repeats after a crash). */
async function writeThen(
  writer: StreamWriter,
  command: RiderCommand,
  request: LedgerRequest,
  beside: () => Promise<void>,
): Promise<RiderWritten | DomainError> {
  const written = await writer.execute(
    riderDecider,
    riderStream(command.riderId),
    command,
    request,
  );
  if (isDomainError(written)) return written;
  await beside();
  if (written.position === undefined)
    throw new Error(`rider ${command.riderId} has no position after ${command.type}`);
  return { position: written.position };
}
