import { Command } from '@nestjs/cqrs';
import type { LedgerRequest } from '../write/ledger-request';

/**
 * A command to the ledger: what it asks for (`input`) and who asks, when (`request`); `R` is
 * the answer its handler gives, a refusal included, so a caller cannot drop `| DomainError`.
 */
export abstract class LedgerCommand<I, R> extends Command<R> {
  constructor(
    readonly input: I,
    readonly request: LedgerRequest,
  ) {
    super();
  }
}
