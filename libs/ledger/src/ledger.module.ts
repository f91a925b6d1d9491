import { Module } from '@nestjs/common';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import type { EventStore, SqlClient } from '@ledger/event-store';
import { entryOf, ReadModels } from '@ledger/projections';
import { SealLogHandler } from './audit/audit.commands';
import { AUDIT_TOOL_HANDLERS } from './audit/audit.tools';
import { AwardPointsHandler } from './commands/award-points';
import { CloseSelectionHandler } from './commands/close-selection';
import { CloseFundBooksHandler } from './commands/close-fund-books';
import type { EntryLocator } from './commands/entry-locator';
import { MakeRedemptionHandler } from './commands/make-redemption';
import {
  CreatePrincipalHandler,
  ErasePrincipalPersonalDataHandler,
  RevokePrincipalHandler,
  RotatePrincipalTokenHandler,
} from './commands/principals';
import { ReportHazardHandler } from './commands/report-hazard';
import { CancelRedemptionHandler, ReverseAwardHandler } from './commands/corrections';
import {
  ErasePersonalDataHandler,
  RegisterRiderHandler,
  TransferRiderHandler,
} from './commands/rider-registration';
import { StreamCommandHandler } from './commands/stream-command';
import { CompleteTaskHandler, PublishTaskHandler, SignUpHandler } from './commands/tasks';
import { EscalateHazardsHandler, VerifyHazardHandler } from './commands/verify-hazard';
import type { LedgerConfig } from './config/ledger-config';
import {
  ENTRY_LOCATOR,
  EVENT_STORE,
  JOB_PROCESSORS,
  JOB_QUEUE,
  LEDGER_CONFIG,
  PERSONAL_DATA,
  READ_MODELS,
  SQL_DATABASE,
} from './infrastructure/tokens';
import { BullJobQueue } from './jobs/bullmq.job-queue';
import { InProcessJobQueue } from './jobs/in-process.job-queue';
import type { JobProcessors, JobQueue } from './jobs/job-queue';
import { ledgerProcessors } from './jobs/ledger-jobs';
import { SqlPersonalDataStore, type PersonalDataStore } from './personal-data/personal-data.store';
import { VerifiedStarts } from './audit/verified-start';
import { Erasure } from './personal-data/erasure';
import { KeptTexts } from './personal-data/kept-texts';
import { PrincipalCache } from './personal-data/principal-cache';
import { PrincipalTokens } from './personal-data/principal-tokens';
import { AUDIT_HANDLERS } from './queries/audit.queries';
import { STATEMENT_HANDLERS } from './queries/statements.queries';
import { TreeHeads } from './audit/tree-heads';
import { Importer } from './imports/importer';
import {
  CheckImportHandler,
  ImportStatusHandler,
  StartImportHandler,
} from './imports/import.handlers';
import { LIST_QUERY_HANDLERS } from './queries/lists.queries';
import { REDEMPTION_QUERY_HANDLERS } from './queries/redemptions.queries';
import { ORGANISATION_QUERY_HANDLERS } from './queries/organisation.queries';
import { RIDER_QUERY_HANDLERS } from './queries/riders.queries';
import { REPORT_QUERY_HANDLERS } from './queries/reports.queries';
import { STANDINGS_QUERY_HANDLERS } from './queries/standings.queries';
import { SYSTEM_QUERY_HANDLERS } from './queries/system.queries';
import { WORKFLOW_QUERY_HANDLERS } from './queries/workflows.queries';
import { CheckInCodes } from './check-ins/check-in-codes';
import { CHECK_IN_HANDLERS } from './check-ins/check-ins';
import { LedgerScheduler } from './scheduler';
import { SettlementRecovery } from './settlement/recovery';
import { SqlRecoveryProgress } from './settlement/recovery-progress';
import { StreamWriter } from './write/stream-writer';
import { WebhookDeliverer } from './webhooks/webhook-delivery';
import { WebhookFanOut } from './webhooks/webhook-fanout';
import { WebhookStore } from './webhooks/webhook-store';
import { WEBHOOK_HANDLERS } from './webhooks/webhook.handlers';

const COMMAND_HANDLERS = [
  StreamCommandHandler,
  RegisterRiderHandler,
  ErasePersonalDataHandler,
  TransferRiderHandler,
  AwardPointsHandler,
  ReverseAwardHandler,
  MakeRedemptionHandler,
  CancelRedemptionHandler,
  CloseSelectionHandler,
  CloseFundBooksHandler,
  PublishTaskHandler,
  SignUpHandler,
  CompleteTaskHandler,
  ReportHazardHandler,
  VerifyHazardHandler,
  EscalateHazardsHandler,
  CreatePrincipalHandler,
  RevokePrincipalHandler,
  RotatePrincipalTokenHandler,
  ErasePrincipalPersonalDataHandler,
  SealLogHandler,
  StartImportHandler,
  ...AUDIT_TOOL_HANDLERS,
  ...WEBHOOK_HANDLERS,
];

const QUERY_HANDLERS = [
  ...RIDER_QUERY_HANDLERS,
  ...ORGANISATION_QUERY_HANDLERS,
  ...STANDINGS_QUERY_HANDLERS,
  ...REPORT_QUERY_HANDLERS,
  ...CHECK_IN_HANDLERS,
  ...WORKFLOW_QUERY_HANDLERS,
  ...AUDIT_HANDLERS,
  ...STATEMENT_HANDLERS,
  ...SYSTEM_QUERY_HANDLERS,
  ...LIST_QUERY_HANDLERS,
  ...REDEMPTION_QUERY_HANDLERS,
  CheckImportHandler,
  ImportStatusHandler,
];

/**
 * The ledger as a Nest module: the command and query handlers on @nestjs/cqrs's buses, the
 * stream writer they share, the read models, the job queue, settlement recovery, and the
 * scheduler that runs what a process runs by itself. Apps reach the ledger through the buses.
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
      provide: KeptTexts,
      inject: [SQL_DATABASE],
      useFactory: (sql: SqlClient) => KeptTexts.open(sql),
    },
    {
      provide: Erasure,
      inject: [SQL_DATABASE, PERSONAL_DATA],
      useFactory: (sql: SqlClient, personalData: PersonalDataStore) =>
        new Erasure(sql, personalData),
    },
    {
      provide: VerifiedStarts,
      inject: [SQL_DATABASE],
      useFactory: (sql: SqlClient) => VerifiedStarts.open(sql),
    },
    {
      provide: PrincipalTokens,
      inject: [SQL_DATABASE],
      useFactory: (sql: SqlClient) => PrincipalTokens.open(sql),
    },
    {
      provide: READ_MODELS,
      inject: [EVENT_STORE, SQL_DATABASE, LEDGER_CONFIG, StreamWriter],
      useFactory: openReadModels,
    },
    {
      provide: TreeHeads,
      inject: [SQL_DATABASE, READ_MODELS, LEDGER_CONFIG],
      useFactory: (sql: SqlClient, models: ReadModels, config: LedgerConfig) =>
        TreeHeads.open(sql, models, { signingKey: config.signingKey, origin: config.logOrigin }),
    },
    {
      provide: CheckInCodes,
      inject: [TreeHeads],
      useFactory: (heads: TreeHeads) => new CheckInCodes(heads.deploymentSecret),
    },
    {
      provide: ENTRY_LOCATOR,
      inject: [READ_MODELS],
      useFactory: entryLocator,
    },
    {
      provide: WebhookStore,
      inject: [SQL_DATABASE, EVENT_STORE],
      useFactory: (sql: SqlClient, store: EventStore) =>
        WebhookStore.open(sql, () => store.headCursor()),
    },
    {
      provide: WebhookDeliverer,
      inject: [WebhookStore, LEDGER_CONFIG],
      useFactory: (webhooks: WebhookStore, config: LedgerConfig) =>
        new WebhookDeliverer(webhooks, {
          retryScheduleMs: config.webhookRetryScheduleMs,
          timeoutMs: config.webhookTimeoutMs,
        }),
    },
    {
      provide: WebhookFanOut,
      inject: [EVENT_STORE, WebhookStore, WebhookDeliverer],
      useFactory: (store: EventStore, webhooks: WebhookStore, deliverer: WebhookDeliverer) =>
        new WebhookFanOut(store, webhooks, deliverer),
    },
    {
      provide: JOB_PROCESSORS,
      inject: [
        CommandBus,
        LEDGER_CONFIG,
        EVENT_STORE,
        SQL_DATABASE,
        READ_MODELS,
        TreeHeads,
        WebhookDeliverer,
      ],
      useFactory: (
        commands: CommandBus,
        config: LedgerConfig,
        store: EventStore,
        sql: SqlClient,
        readModels: ReadModels,
        heads: TreeHeads,
        webhooks: WebhookDeliverer,
      ) => ledgerProcessors({ commands, config, store, sql, readModels, heads, webhooks }),
    },
    {
      provide: JOB_QUEUE,
      inject: [LEDGER_CONFIG, JOB_PROCESSORS, WebhookDeliverer],
      useFactory: (
        config: LedgerConfig,
        processors: JobProcessors,
        webhooks: WebhookDeliverer,
      ): JobQueue => {
        const queue = config.redisUrl
          ? new BullJobQueue(config.redisUrl)
          : new InProcessJobQueue(processors);
        webhooks.useQueue(queue); // retries and triggers go through the queue that runs them
        return queue;
      },
    },
    PrincipalCache,
    Importer,
    LedgerScheduler,
    ...COMMAND_HANDLERS,
    ...QUERY_HANDLERS,
  ],
  exports: [
    StreamWriter,
    Importer,
    TreeHeads,
    SettlementRecovery,
    PERSONAL_DATA,
    KeptTexts,
    PrincipalTokens,
    READ_MODELS,
    JOB_QUEUE,
    JOB_PROCESSORS,
    WebhookStore,
    WebhookDeliverer,
    WebhookFanOut,
  ],
})
export class LedgerModule {}

async function openReadModels(
  store: EventStore,
  sql: SqlClient,
  config: LedgerConfig,
  writer: StreamWriter,
): Promise<ReadModels> {
  const models = await ReadModels.open(store, sql, {
    schema: config.readSchema,
    timeZone: config.timeZone,
    leaseMs: config.projectionLeaseMs,
    alone: config.eventStore.kind === 'embedded',
  });
  // Read-your-writes without `minPosition`: reads here wait for what this process wrote, and
  // for everything written before it started (acknowledged by a predecessor, say).
  writer.onAppended((position, stream) => models.noteWritten(position, stream));
  models.noteWritten(store.positionOf(await store.headCursor()) ?? 0);
  return models;
}

/**
 * Entries by id from the ledger lines; one just written may not be there yet, so a miss waits
 * once for the read models to reach the head of the log and looks again (a reversal right after
 * its award finds it).
 */
function entryLocator(models: ReadModels): EntryLocator {
  return {
    async find(entryId, type) {
      const found = await entryOf(models, entryId, type);
      if (found) return found;
      await models.waitForHead();
      return entryOf(models, entryId, type);
    },
  };
}
