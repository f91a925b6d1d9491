import { Inject, Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { isDomainError, type Actor, type DomainError } from '@ledger/domain';
import {
  LEDGER_CONFIG,
  StreamCommand,
  type LedgerConfig,
  type LedgerRequest,
  type Written,
} from '@ledger/ledger';
import { ProblemException } from './problem';

/** What `@Ledger()` gives a controller: the caller and the request's ids. */
export type Caller = { actor: Actor; correlationId: string; idempotencyKey?: string };

/** The controllers' way into the ledger: commands and queries, refusals turned into problems. */
@Injectable()
export class LedgerHttp {
  constructor(
    readonly commands: CommandBus,
    readonly queries: QueryBus,
    @Inject(LEDGER_CONFIG) readonly config: LedgerConfig,
  ) {}

  request(caller: Caller): LedgerRequest {
    const { actor, ...meta } = caller;
    return { ...meta, context: { actor, now: new Date(), timeZone: this.config.timeZone } };
  }

  /** Runs a single-stream command; a refusal becomes the HTTP answer. */
  async run(
    body: StreamCommand['body'],
    caller: Caller,
    requires: StreamCommand['requires'] = [],
  ): Promise<Written<unknown>> {
    return this.unwrap(
      await this.commands.execute<StreamCommand, Written<unknown> | DomainError>(
        new StreamCommand(body, this.request(caller), requires),
      ),
    );
  }

  unwrap<T>(outcome: T | DomainError): T {
    if (isDomainError(outcome)) throw ProblemException.of(outcome);
    return outcome;
  }
}
