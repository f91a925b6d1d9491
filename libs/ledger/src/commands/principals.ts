import {
  BOOTSTRAP_ADMIN_ID,
  isDomainError,
  principalDecider,
  principalSubject,
  riderSubject,
  ruleViolation,
  say,
  upcastLedgerEvent,
  type KeptText,
  type PrincipalEvent,
  type PrincipalCommand,
  principalStream,
  type Actor,
  type DomainError,
} from '@ledger/domain';
import { streamEvents, type EventStore } from '@ledger/event-store';
import { principalById, type ReadModels } from '@ledger/projections';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { LedgerCommand } from './ledger-command';
import { newToken, tokenHash } from '../infrastructure/bearer-tokens';
import { EVENT_STORE, READ_MODELS } from '../infrastructure/tokens';
import { Erasure } from '../personal-data/erasure';
import { KeptTexts } from '../personal-data/kept-texts';
import { PrincipalCache } from '../personal-data/principal-cache';
import { PrincipalTokens } from '../personal-data/principal-tokens';
import { StreamWriter } from '../write/stream-writer';
import { checkFirst, readOf } from './stream-command';

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
 * Creates a principal with a new token. The token's hash goes to the token table and the name to
 * the kept texts, both beside the log; the event names the two rows (never the hash or the name),
 * and when the append is refused they are removed again. The token must work as soon as the
 * client has it, so the answer waits for the principals table.
 */
@CommandHandler(CreatePrincipalCommand)
export class CreatePrincipalHandler implements ICommandHandler<CreatePrincipalCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(READ_MODELS) private readonly models: ReadModels,
    private readonly texts: KeptTexts,
    private readonly tokens: PrincipalTokens,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ input, request }: CreatePrincipalCommand) {
    const { communityIds, stationIds, riderId, name, ...rest } = input;
    const command = (kept: KeptText, tokenId: string): PrincipalCommand => ({
      type: 'CreatePrincipal',
      ...rest,
      name: kept,
      communityIds: [...communityIds],
      stationIds: [...stationIds],
      token: { tokenId },
      ...(riderId !== undefined && { riderId }),
    });
    const unkept = { textId: '', digest: '' };
    const refused = await checkFirst(this.writer, command(unkept, ''), request.context);
    if (refused) return refused;
    const token = newToken();
    // A rider principal's name goes with the rider's personal data when that is erased.
    const subject =
      riderId !== undefined ? riderSubject(riderId) : principalSubject(input.principalId);
    const kept = await this.texts.keep(subject, name);
    const tokenId = await this.tokens.issue(input.principalId, tokenHash(token));
    const undo = () => Promise.all([this.texts.forget(kept.textId), this.tokens.withdraw(tokenId)]);
    const stream = principalStream(input.principalId);
    // A failed append may have been stored: both rows stay then (unnamed, they serve nobody).
    const written = await this.writer.execute(
      principalDecider,
      stream,
      command(kept, tokenId),
      request,
    );
    let position: number;
    if (isDomainError(written)) {
      // An append whose outcome was unknown, retried, may have stored this very creation.
      const ours = await this.createdWith(input.principalId, tokenId);
      if (ours === undefined) {
        await undo();
        return written;
      }
      position = ours;
    } else position = written.position ?? 0;
    await this.models.waitForProjections(['principals'], position);
    return { principal: input, token, position };
  }

  /** The position of the principal's creation when it names this token, else `undefined`. */
  private async createdWith(principalId: string, tokenId: string): Promise<number | undefined> {
    const [first] = await this.store.readStream(principalStream(principalId), { limit: 1 });
    if (!first) return undefined;
    const created = upcastLedgerEvent<PrincipalEvent>(first);
    const ours =
      created.type === 'PrincipalCreated' &&
      'tokenId' in created.data.token &&
      created.data.token.tokenId === tokenId;
    return ours ? first.position : undefined;
  }
}

/** Revokes a principal; its token stops working before this answers. */
@CommandHandler(RevokePrincipalCommand)
export class RevokePrincipalHandler implements ICommandHandler<RevokePrincipalCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(READ_MODELS) private readonly models: ReadModels,
    private readonly principals: PrincipalCache,
  ) {}

  async execute({ input: principalId, request }: RevokePrincipalCommand) {
    const command = { type: 'RevokePrincipal' as const, principalId };
    const stream = principalStream(principalId);
    const written = await this.writer.execute(principalDecider, stream, command, request);
    if (isDomainError(written)) return written;
    const position = written.position ?? 0;
    await this.models.waitForProjections(['principals'], position);
    // Other processes drop it when the projection's notification reaches them; here, now.
    this.principals.forget(principalId);
    return { position };
  }
}

/** Whose token to renew, and how long the token it replaces still acts (0: not at all). */
export interface TokenRotation {
  readonly principalId: string;
  readonly graceSeconds: number;
}

/** The new token (shown this once), and until when the replaced one acts (`null`: it stopped). */
export interface RotatedToken {
  readonly token: string;
  readonly previousTokenValidUntil: string | null;
  readonly position: number;
}

export class RotatePrincipalTokenCommand extends LedgerCommand<
  TokenRotation,
  RotatedToken | DomainError
> {}

/**
 * Gives a principal a new token: its hash goes to the token table, the event names the row, as at
 * creation. The replaced token acts until the grace ends, or stops before this answers; every
 * process drops the principal's cached tokens when the projection tells of the rotation. The
 * bootstrap admin's token is configuration (`LEDGER_ADMIN_TOKEN`, with
 * `LEDGER_ADMIN_TOKEN_PREVIOUS` for a grace), not an event.
 */
@CommandHandler(RotatePrincipalTokenCommand)
export class RotatePrincipalTokenHandler implements ICommandHandler<RotatePrincipalTokenCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(READ_MODELS) private readonly models: ReadModels,
    private readonly tokens: PrincipalTokens,
    private readonly principals: PrincipalCache,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ input, request }: RotatePrincipalTokenCommand) {
    const { principalId, graceSeconds } = input;
    if (principalId === BOOTSTRAP_ADMIN_ID)
      return ruleViolation(
        say`the bootstrap admin's token is LEDGER_ADMIN_TOKEN: set a new one, with the old one in LEDGER_ADMIN_TOKEN_PREVIOUS while clients move (docs/operations.md)`,
      );
    const { context } = request;
    const until =
      graceSeconds > 0 ? new Date(context.now.getTime() + graceSeconds * 1000).toISOString() : null;
    const command = (tokenId: string): PrincipalCommand => ({
      type: 'RotatePrincipalToken',
      principalId,
      token: { tokenId },
      previousTokenValidUntil: until,
    });
    // Refusals before a token row is made: an unknown or revoked principal gets none.
    const { state } = await readOf(this.writer, 'principal', principalId, context.timeZone, {
      fresh: true,
    });
    const refused = principalDecider.decide(command(''), state);
    if (isDomainError(refused)) return refused;
    const token = newToken();
    const tokenId = await this.tokens.issue(principalId, tokenHash(token));
    const stream = principalStream(principalId);
    const written = await this.writer.execute(principalDecider, stream, command(tokenId), request);
    let position: number;
    if (isDomainError(written)) {
      // An append whose outcome was unknown, retried, may have stored this very rotation.
      const ours = await this.rotatedTo(principalId, tokenId);
      if (ours === undefined) {
        await this.tokens.withdraw(tokenId);
        return written;
      }
      position = ours;
    } else position = written.position ?? 0;
    await this.models.waitForProjections(['principals'], position);
    this.principals.forget(principalId);
    return { token, previousTokenValidUntil: until, position };
  }

  /** The position of the rotation to this token, when the principal's stream holds one. */
  private async rotatedTo(principalId: string, tokenId: string): Promise<number | undefined> {
    for await (const stored of streamEvents(this.store, principalStream(principalId))) {
      const event = upcastLedgerEvent<PrincipalEvent>(stored);
      if (event.type === 'PrincipalTokenRotated' && event.data.token.tokenId === tokenId)
        return stored.position;
    }
    return undefined;
  }
}

export class ErasePrincipalPersonalDataCommand extends LedgerCommand<
  string,
  { position: number } | DomainError
> {}

/**
 * Erases a principal's name: the event first (idempotent), then the kept text, so a retry after a
 * crash finishes the erasure. A name written into the log itself (a principal created before
 * names were kept beside it) cannot be erased: refused, with nothing written.
 */
@CommandHandler(ErasePrincipalPersonalDataCommand)
export class ErasePrincipalPersonalDataHandler implements ICommandHandler<ErasePrincipalPersonalDataCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(READ_MODELS) private readonly models: ReadModels,
    private readonly erasure: Erasure,
  ) {}

  async execute({ input: principalId, request }: ErasePrincipalPersonalDataCommand) {
    await this.models.waitForProjections(['principals']);
    const found = await principalById(this.models, principalId);
    if (found?.name !== null && found?.name !== undefined)
      return ruleViolation(
        say`principal ${principalId} was created with its name in the log, which cannot be erased; revoke it and create another`,
      );
    const command = { type: 'ErasePrincipalPersonalData' as const, principalId };
    const stream = principalStream(principalId);
    const written = await this.writer.execute(principalDecider, stream, command, request);
    if (isDomainError(written)) return written;
    if (found?.nameTextId) await this.erasure.texts([found.nameTextId]);
    return { position: written.position ?? 0 };
  }
}
