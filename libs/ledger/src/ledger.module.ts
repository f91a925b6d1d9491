import {
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
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
  JOB_PROCESSORS,
  JOB_QUEUE,
  LEDGER_CONFIG,
  PERSONAL_DATA,
  READ_MODELS,
  SQL_DATABASE,
} from './infrastructure/tokens';
import { QUERY_HANDLERS } from './queries/read-queries';
import { ReadModels } from '@ledger/projections';
import { SqlPersonalDataStore } from './personal-data/personal-data.store';
import { SettlementRecovery } from './write/settlement-recovery';
import { SqlRecoveryProgress } from './write/recovery-progress';
import { StreamWriter } from './write/stream-writer';
import { BullJobQueue } from './jobs/bullmq.job-queue';
import { InProcessJobQueue } from './jobs/in-process.job-queue';
import type { JobProcessors, JobQueue } from './jobs/job-queue';
import {
  ESCALATION_EVERY_MS,
  JOB_NAMES,
  ledgerProcessors,
  SEAL_EVERY_MS,
} from './jobs/ledger-jobs';
import { CompleteTaskHandler } from './commands/complete-task';
import { SealLogHandler } from './audit/audit.commands';
import {
  EscalateHazardsHandler,
  ReportHazardHandler,
  VerifyHazardHandler,
} from './commands/hazards';

/** How often half-done cross-stream acts are looked for (in-process until the worker's jobs, issue 05). */
export const RECOVERY_INTERVAL_MS = 60_000;

/**
 * The write side as a Nest module: the command handlers on @nestjs/cqrs's CommandBus, the stream
 * writer they share, and settlement recovery (at start-up, every minute, and as soon as the store
 * is back after an append failed with its outcome unknown).
 */
@Module({
  imports: [CqrsModule.forRoot()],
  providers: [
    {
      provide: StreamWriter,
      inject: [EVENT_STORE, LEDGER_CONFIG],
      useFactory: (store: EventStore, config: LedgerConfig) =>
        new StreamWriter(store, config.streamCacheStreams),
    },
    {
      provide: SettlementRecovery,
      inject: [EVENT_STORE, StreamWriter, LEDGER_CONFIG, SQL_DATABASE],
      useFactory: async (
        store: EventStore,
        writer: StreamWriter,
        config: LedgerConfig,
        sql: SqlClient,
      ) => {
        const progress = await SqlRecoveryProgress.open(sql);
        const recovery = new SettlementRecovery(store, writer, config.timeZone, progress);
        writer.onUnknownOutcome((at) => recovery.finishAfterOutage(at));
        return recovery;
      },
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
        // Read-your-writes without `minPosition`: reads here wait for what this process wrote,
        // and for everything written before it started (acknowledged by a predecessor, say).
        writer.onAppended((position) => models.noteWritten(position));
        models.noteWritten(store.positionOf(await store.headCursor()) ?? 0);
        return models;
      },
    },
    {
      provide: JOB_PROCESSORS,
      inject: [CommandBus, LEDGER_CONFIG, EVENT_STORE, SQL_DATABASE, READ_MODELS],
      useFactory: (
        commands: CommandBus,
        config: LedgerConfig,
        store: EventStore,
        sql: SqlClient,
        readModels: ReadModels,
      ) => ledgerProcessors({ commands, config, store, sql, readModels }),
    },
    {
      provide: JOB_QUEUE,
      inject: [LEDGER_CONFIG, JOB_PROCESSORS],
      useFactory: (config: LedgerConfig, processors: JobProcessors): JobQueue =>
        config.redisUrl ? new BullJobQueue(config.redisUrl) : new InProcessJobQueue(processors),
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
    SealLogHandler,
  ],
  exports: [
    StreamWriter,
    SettlementRecovery,
    PERSONAL_DATA,
    READ_MODELS,
    JOB_QUEUE,
    JOB_PROCESSORS,
  ],
})
export class LedgerModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private escalation: NodeJS.Timeout | undefined;
  private sealing: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SettlementRecovery) private readonly recovery: SettlementRecovery,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Without Redis there is no worker: the projections run here (the embedded default).
    if (this.config.runProjections) this.readModels.start();
    // The embedded folder is locked to one process: every act recorded before this start belongs
    // to a process that is gone, so none is waited for (the grace is for live processes elsewhere).
    const alone = this.config.eventStore.kind === 'embedded';
    await this.recovery.run(new Date(), alone ? 0 : this.config.recoveryGraceMs);
    this.timer = setInterval(
      () => void this.recovery.run(new Date(), this.config.recoveryGraceMs).catch(() => undefined),
      RECOVERY_INTERVAL_MS,
    );
    this.timer.unref();
    // Without Redis there is no worker to schedule jobs: this process does (the embedded default).
    if (this.jobs.kind === 'in-process' && this.config.runProjections) {
      this.escalation = setInterval(
        () => void this.schedule(JOB_NAMES.escalation, ESCALATION_EVERY_MS),
        ESCALATION_EVERY_MS,
      );
      this.escalation.unref();
      this.sealing = setInterval(
        () => void this.schedule(JOB_NAMES.seal, SEAL_EVERY_MS),
        SEAL_EVERY_MS,
      );
      this.sealing.unref();
    }
  }

  /** One job per name and time slot, so two timers (or two processes) add it once. */
  private async schedule(name: string, everyMs: number): Promise<void> {
    const slot = Math.floor(Date.now() / everyMs);
    await this.jobs.add(name, {}, { jobId: `${name}-${slot}` }).catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.recovery.stop();
    clearInterval(this.escalation);
    clearInterval(this.sealing);
    await this.jobs.close();
    await this.readModels.stop();
  }
}
