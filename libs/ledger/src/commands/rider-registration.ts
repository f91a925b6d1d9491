import {
  alreadyExists,
  DomainError,
  isDomainError,
  riderDecider,
  riderStream,
  type ImportedFrom,
  type Occupation,
  type RiderCommand,
  say,
} from '@ledger/domain';
import type { ReadModels } from '@ledger/projections';
import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { LedgerCommand } from './ledger-command';
import { PERSONAL_DATA, READ_MODELS } from '../infrastructure/tokens';
import type {
  PersonalData,
  PersonalDataStore,
  RegistrationClaim,
} from '../personal-data/personal-data.store';
import { phoneHeldInDistrict } from '../personal-data/rider-directory';
import { entryIdFor, type LedgerRequest } from '../write/ledger-request';
import { Erasure } from '../personal-data/erasure';
import { StreamWriter } from '../write/stream-writer';
import { checkFirst, readOf } from './stream-command';

export interface RegistrationInput {
  readonly riderId: string;
  readonly communityId: string;
  readonly platform: string;
  readonly occupation: Occupation;
  /** Personal data: kept in the erasable table, never in the event. */
  readonly name: string;
  readonly phone?: string;
  /** Imported history (issue 16): the id is of the file and row, not of a request's key. */
  readonly registrationId?: string;
  readonly occurredAt?: string;
  readonly imported?: ImportedFrom;
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

export class TransferRiderCommand extends LedgerCommand<
  { readonly riderId: string; readonly communityId: string },
  RiderWritten | DomainError
> {}

/** A reservation this old whose rider never reached the log was left by a crash: it is freed. */
export const ORPHAN_RESERVATION_MS = 60_000;

/** 409 naming the rider that has the phone (transfer, not a second registration, moves riders). */
export function phoneTaken(holder: string): DomainError {
  return new DomainError(
    'ALREADY_EXISTS',
    say`rider ${holder} of this district already has this phone number; to move a rider to another community, transfer it`,
    { riderId: holder },
  );
}

/**
 * Registration writes name and phone to the personal-data table first, as a reservation of the
 * registration (a unique index on district and phone, so two processes cannot both take a
 * number), then appends the event (the log holds the rider id only). A refused append frees the
 * reservation; a crash between the two is repaired by the retry (the same idempotency key makes
 * the same registration id, which may write its own row again), and a reservation a crash left
 * behind is freed after `ORPHAN_RESERVATION_MS` when its rider never reached the log.
 */
@CommandHandler(RegisterRiderCommand)
export class RegisterRiderHandler implements ICommandHandler<RegisterRiderCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataStore,
    @Inject(READ_MODELS) private readonly models: ReadModels,
  ) {}

  async execute({ input, request }: RegisterRiderCommand): Promise<RiderWritten | DomainError> {
    const { riderId, communityId, platform, occupation, name, phone, occurredAt, imported } = input;
    const registrationId = input.registrationId ?? entryIdFor(request, 'register');
    const command: RiderCommand = {
      ...{ type: 'RegisterRider', riderId, communityId, platform, occupation, registrationId },
      ...(occurredAt !== undefined && { occurredAt }),
      ...(imported !== undefined && { imported }),
    };
    const { timeZone } = request.context;
    const refused = await checkFirst(this.writer, command, request.context);
    if (refused) return refused;
    const rider = await readOf(this.writer, 'rider', riderId, timeZone, { fresh: true });
    if (rider.exists && rider.state.registrationId !== registrationId)
      return alreadyExists(say`rider ${riderId}`);
    const { district } = (await readOf(this.writer, 'community', communityId, timeZone)).state;
    const data = { name, ...(phone !== undefined && { phone }) };
    const taken = await this.reserve(riderId, { registrationId, district }, data, timeZone);
    if (taken) return taken;
    const written = await this.writer.execute(riderDecider, riderStream(riderId), command, request);
    if (isDomainError(written)) {
      await this.personalData.release(riderId, registrationId);
      return written;
    }
    return positionOf(command, written.position);
  }

  /** The registration's row, or why not: the id or the phone is another rider's. */
  private async reserve(
    riderId: string,
    claim: RegistrationClaim,
    data: PersonalData,
    timeZone: string,
  ): Promise<DomainError | undefined> {
    if (data.phone !== undefined) {
      const holder = await phoneHeldInDistrict(this.models, {
        ...claim,
        riderId,
        phone: data.phone,
      });
      if (holder !== undefined) return phoneTaken(holder);
    }
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      const reservation = await this.personalData.reserve(riderId, claim, data);
      if (reservation.reserved) return undefined;
      const { what, riderId: holder, since } = reservation;
      const orphan =
        Date.now() - since.getTime() >= ORPHAN_RESERVATION_MS &&
        !(await readOf(this.writer, 'rider', holder, timeZone, { fresh: true })).exists;
      if (!orphan)
        return what === 'rider' ? alreadyExists(say`rider ${riderId}`) : phoneTaken(holder);
      await this.personalData.release(holder, reservation.registrationId);
    }
    throw new Error(`rider ${riderId}: a reservation a crash left behind could not be freed`);
  }
}

/**
 * A transfer keeps one phone, one rider in the district it moves to: a rider whose phone another
 * rider of that district has is refused (409 naming it), and the phone's district moves with it.
 */
@CommandHandler(TransferRiderCommand)
export class TransferRiderHandler implements ICommandHandler<TransferRiderCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataStore,
    @Inject(READ_MODELS) private readonly models: ReadModels,
  ) {}

  async execute({ input, request }: TransferRiderCommand): Promise<RiderWritten | DomainError> {
    const { riderId, communityId } = input;
    const command: RiderCommand = { type: 'TransferRider', riderId, communityId };
    const refused = await checkFirst(this.writer, command, request.context);
    if (refused) return refused;
    const { timeZone } = request.context;
    const { district } = (await readOf(this.writer, 'community', communityId, timeZone)).state;
    const phone = (await this.personalData.find(riderId))?.phone;
    const holder =
      phone === undefined
        ? undefined
        : await phoneHeldInDistrict(this.models, { district, riderId, phone });
    if (holder !== undefined) return phoneTaken(holder);
    const written = await this.writer.execute(riderDecider, riderStream(riderId), command, request);
    if (isDomainError(written)) return written;
    if (!(await this.personalData.moveTo(riderId, district)))
      logger.warn(
        `rider ${riderId} moved to ${district}, where another rider took its phone meanwhile`,
      );
    return positionOf(command, written.position);
  }
}

/**
 * Erasure: the event first (idempotent), then the rows beside the log (name, phone, the texts kept
 * as the rider's); the ledger and its chain stay intact.
 */
@CommandHandler(ErasePersonalDataCommand)
export class ErasePersonalDataHandler implements ICommandHandler<ErasePersonalDataCommand> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly erasure: Erasure,
  ) {}

  execute({
    input: riderId,
    request,
  }: ErasePersonalDataCommand): Promise<RiderWritten | DomainError> {
    const command: RiderCommand = { type: 'ErasePersonalData', riderId };
    return writeThen(this.writer, command, request, () => this.erasure.rider(riderId));
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
  return positionOf(command, written.position);
}

function positionOf(command: RiderCommand, position: number | undefined): RiderWritten {
  if (position === undefined)
    throw new Error(`rider ${command.riderId} has no position after ${command.type}`);
  return { position };
}

const logger = new Logger('riders');
