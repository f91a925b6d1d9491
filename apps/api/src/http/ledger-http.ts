import { Inject, Injectable } from '@nestjs/common';
import { CommandBus, QueryBus, type Command, type Query } from '@nestjs/cqrs';
import { isDomainError, type Actor, type DomainError } from '@ledger/domain';
import { LEDGER_CONFIG, type LedgerConfig, type LedgerRequest } from '@ledger/ledger';
import { ApiMetrics } from '../metrics/api-metrics';
import { ProblemException } from './problem';

/** What `@Ledger()` gives a controller: the caller and the request's ids. */
export type Caller = { actor: Actor; correlationId: string; idempotencyKey?: string };

/**
 * The controllers' one way into the ledger: a command or a query on @nestjs/cqrs's buses, typed
 * by its result; a refusal (a DomainError value) becomes the HTTP answer.
 */
@Injectable()
export class LedgerHttp {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly metrics: ApiMetrics,
  ) {}

  /** Who asks, now, in the deployment's time zone: what every command is decided in. */
  request(caller: Caller): LedgerRequest {
    const { actor, ...meta } = caller;
    return { ...meta, context: { actor, now: new Date(), timeZone: this.config.timeZone } };
  }

  async execute<R>(command: Command<R>): Promise<Exclude<R, DomainError>> {
    const outcome = await this.commands.execute(command);
    this.metrics.command(command.constructor.name, isDomainError(outcome) ? outcome.code : 'ok');
    return unwrap(outcome);
  }

  async ask<R>(query: Query<R>): Promise<Exclude<R, DomainError>> {
    return unwrap(await this.queries.execute(query));
  }
}

function unwrap<R>(outcome: R): Exclude<R, DomainError> {
  if (isDomainError(outcome)) throw ProblemException.of(outcome);
  return outcome as Exclude<R, DomainError>;
}
