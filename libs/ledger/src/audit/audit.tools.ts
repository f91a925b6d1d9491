import { say } from '@ledger/domain';
import { DomainError } from '@ledger/domain';
import type { EventStore, SqlClient } from '@ledger/event-store';
import type { ReadModels, RebuildReport } from '@ledger/projections';
import { Inject } from '@nestjs/common';
import {
  Command,
  CommandHandler,
  Query,
  QueryHandler,
  type ICommandHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';
import { replaySelection } from '../commands/close-selection';
import type { LedgerConfig } from '../config/ledger-config';
import { EVENT_STORE, LEDGER_CONFIG, READ_MODELS, SQL_DATABASE } from '../infrastructure/tokens';
import { exportRows, type ExportRequest } from './export';
import { migrateChain } from './migrate-chain';
import { replayReadModels, type OnProgress } from './replay';

/*
 * The auditor's long operations on the buses, for the CLI and the job processors alike: a
 * replay of every read model, the one-off chain migration, a selection's replay, exports.
 */

export class ReplayReadModelsCommand extends Command<RebuildReport> {
  constructor(readonly onProgress?: OnProgress) {
    super();
  }
}

export class MigrateChainCommand extends Command<
  { checked: number; hashed: number } | DomainError
> {
  constructor(readonly onProgress?: OnProgress) {
    super();
  }
}

export type SelectionReplay = NonNullable<Awaited<ReturnType<typeof replaySelection>>>;

/** A closed selection recomputed from the log up to its cut-off, beside what was recorded. */
export class ReplaySelectionQuery extends Query<SelectionReplay | DomainError> {
  constructor(readonly selectionId: string) {
    super();
  }
}

/** The rows of an export, streamed (the read models first brought to the head where no runner runs). */
export class ExportQuery extends Query<AsyncIterable<Record<string, unknown>>> {
  constructor(readonly request: ExportRequest) {
    super();
  }
}

@CommandHandler(ReplayReadModelsCommand)
export class ReplayReadModelsHandler implements ICommandHandler<ReplayReadModelsCommand> {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SQL_DATABASE) private readonly sql: SqlClient,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  execute({ onProgress }: ReplayReadModelsCommand): Promise<RebuildReport> {
    const { readModels, store, sql } = this;
    return replayReadModels({ readModels, store, sql, timeZone: this.config.timeZone }, onProgress);
  }
}

@CommandHandler(MigrateChainCommand)
export class MigrateChainHandler implements ICommandHandler<MigrateChainCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SQL_DATABASE) private readonly sql: SqlClient,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute({ onProgress }: MigrateChainCommand) {
    const settings = this.config.eventStore;
    if (settings.kind === 'kurrentdb')
      return new DomainError(
        'VALIDATION_FAILED',
        say`KurrentDB events cannot be changed; a KurrentDB log is verified from its first hashed event`,
      );
    const schema = settings.kind === 'postgres' ? settings.schema : 'ledger';
    const head = this.store.positionOf(await this.store.headCursor()) ?? 0;
    onProgress?.(0, head);
    return migrateChain(this.store, this.sql, schema, (n) => onProgress?.(n, head));
  }
}

@QueryHandler(ReplaySelectionQuery)
export class ReplaySelectionHandler implements IQueryHandler<ReplaySelectionQuery> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute({ selectionId }: ReplaySelectionQuery) {
    const replayed = await replaySelection(this.store, selectionId, this.config.timeZone);
    return (
      replayed ??
      new DomainError('NOT_FOUND', say`selection ${selectionId} does not exist or is not closed`)
    );
  }
}

@QueryHandler(ExportQuery)
export class ExportHandler implements IQueryHandler<ExportQuery> {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ request }: ExportQuery): Promise<AsyncIterable<Record<string, unknown>>> {
    if (request.what !== 'events' && !this.readModels.isRunning) await this.readModels.catchUp();
    return exportRows(request, { store: this.store, readModels: this.readModels });
  }
}

export const AUDIT_TOOL_HANDLERS = [
  ReplayReadModelsHandler,
  MigrateChainHandler,
  ReplaySelectionHandler,
  ExportHandler,
];
