import type { DomainError } from '@ledger/domain';
import {
  Command,
  CommandHandler,
  Query,
  QueryHandler,
  type ICommandHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';
import type { LedgerRequest } from '../write/ledger-request';
import { Importer, type ImportReport, type ImportStatus } from './importer';

/** Checks a file of past history (writes nothing): every row's verdict. */
export class CheckImportQuery extends Query<ImportReport | DomainError> {
  constructor(
    readonly content: Uint8Array,
    readonly fileName: string,
    readonly request: LedgerRequest,
  ) {
    super();
  }
}

/** Writes the file named by its SHA-256 in the background; answers its record once confirmed. */
export class StartImportCommand extends Command<ImportStatus | DomainError> {
  constructor(
    readonly content: Uint8Array,
    readonly fileName: string,
    readonly importId: string,
    readonly request: LedgerRequest,
  ) {
    super();
  }
}

/** An import's record (its stream); NOT_FOUND when no file was confirmed under that id. */
export class ImportStatusQuery extends Query<ImportStatus | DomainError> {
  constructor(readonly importId: string) {
    super();
  }
}

@QueryHandler(CheckImportQuery)
export class CheckImportHandler implements IQueryHandler<CheckImportQuery> {
  constructor(private readonly importer: Importer) {}

  execute({ content, fileName, request }: CheckImportQuery) {
    return this.importer.check(content, fileName, request);
  }
}

@CommandHandler(StartImportCommand)
export class StartImportHandler implements ICommandHandler<StartImportCommand> {
  constructor(private readonly importer: Importer) {}

  execute({ content, fileName, importId, request }: StartImportCommand) {
    return this.importer.start(content, fileName, importId, request);
  }
}

@QueryHandler(ImportStatusQuery)
export class ImportStatusHandler implements IQueryHandler<ImportStatusQuery> {
  constructor(private readonly importer: Importer) {}

  execute({ importId }: ImportStatusQuery) {
    return this.importer.recordOf(importId);
  }
}
