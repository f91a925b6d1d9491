import {
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { EventStore, SqlClient } from '@ledger/event-store';
import { AwardPointsHandler } from './commands/award-points';
import { CancelRedemptionHandler } from './commands/cancel-redemption';
import { CloseSelectionHandler } from './commands/close-selection';
import { MakeRedemptionHandler } from './commands/make-redemption';
import { ReverseAwardHandler } from './commands/reverse-award';
import { StreamCommandHandler } from './commands/stream-command';
import type { LedgerConfig } from './config/ledger-config';
import { ErasePersonalDataHandler, RegisterRiderHandler } from './commands/rider-registration';
import {
  EVENT_STORE,
  LEDGER_CONFIG,
  PERSONAL_DATA,
  READ_MODELS,
  SQL_DATABASE,
} from './infrastructure/tokens';
import { QUERY_HANDLERS } from './queries/read-queries';
import { ReadModels } from '@ledger/projections';
import { SqlPersonalDataStore } from './personal-data/personal-data.store';
import { SettlementRecovery } from './write/settlement-recovery';
import { StreamWriter } from './write/stream-writer';
import { CompleteTaskHandler } from './commands/complete-task';
import {
  EscalateHazardsHandler,
  ReportHazardHandler,
  VerifyHazardHandler,
} from './commands/hazards';

/** How often half-done cross-stream acts are looked for (in-process until the worker's jobs, issue 05). */
export const RECOVERY_INTERVAL_MS = 60_000;

/**
 * The write side as a Nest module: the command handlers on @nestjs/cqrs's CommandBus, the stream
 * writer they share, and settlement recovery (at start-up and every minute).
 */
@Module({
  imports: [CqrsModule.forRoot()],
  providers: [
    {
      provide: StreamWriter,
      inject: [EVENT_STORE],
      useFactory: (store: EventStore) => new StreamWriter(store),
    },
    {
      provide: SettlementRecovery,
      inject: [EVENT_STORE, StreamWriter, LEDGER_CONFIG],
      useFactory: (store: EventStore, writer: StreamWriter, config: LedgerConfig) =>
        new SettlementRecovery(store, writer, config.timeZone),
    },
    {
      provide: PERSONAL_DATA,
      inject: [SQL_DATABASE],
      useFactory: (sql: SqlClient) => SqlPersonalDataStore.open(sql),
    },
    {
      provide: READ_MODELS,
      inject: [EVENT_STORE, SQL_DATABASE, LEDGER_CONFIG, StreamWriter],
      useFactory: async (
        store: EventStore,
        sql: SqlClient,
        config: LedgerConfig,
        writer: StreamWriter,
      ) => {
        const models = await ReadModels.open(store, sql, {
          schema: config.readSchema,
          timeZone: config.timeZone,
        });
        // Read-your-writes without `minPosition`: reads here wait for what this process wrote.
        writer.onAppended((position) => models.noteWritten(position));
        return models;
      },
    },
    ...QUERY_HANDLERS,
    StreamCommandHandler,
    RegisterRiderHandler,
    ErasePersonalDataHandler,
    AwardPointsHandler,
    ReverseAwardHandler,
    MakeRedemptionHandler,
    CancelRedemptionHandler,
    CloseSelectionHandler,
    CompleteTaskHandler,
    ReportHazardHandler,
    VerifyHazardHandler,
    EscalateHazardsHandler,
  ],
  exports: [StreamWriter, SettlementRecovery, PERSONAL_DATA, READ_MODELS],
})
export class LedgerModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SettlementRecovery) private readonly recovery: SettlementRecovery,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Without Redis there is no worker: the projections run here (the embedded default).
    if (this.config.runProjections) this.readModels.start();
    await this.recovery.run(new Date());
    this.timer = setInterval(
      () => void this.recovery.run(new Date()).catch(() => undefined),
      RECOVERY_INTERVAL_MS,
    );
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.readModels.stop();
  }
}
