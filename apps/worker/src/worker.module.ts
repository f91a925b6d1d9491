import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  BullJobQueue,
  ESCALATION_EVERY_MS,
  FUND_BOOKS_EVERY_MS,
  JOB_NAMES,
  JOB_PROCESSORS,
  JOB_QUEUE,
  LEDGER_CONFIG,
  LedgerCoreModule,
  LedgerModule,
  SEAL_EVERY_MS,
  startJobWorker,
  type JobProcessors,
  type JobQueue,
  type LedgerConfig,
  WebhookDeliverer,
} from '@ledger/ledger';
import type { Worker } from 'bullmq';

/**
 * The BullMQ worker: processes the ledger's jobs and keeps the schedules (hazard escalation, seals, funds' books).
 * On shutdown it lets active jobs finish before the store closes.
 */
@Injectable()
export class JobWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker: Worker | undefined;

  constructor(
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(JOB_PROCESSORS) private readonly processors: JobProcessors,
    private readonly webhooks: WebhookDeliverer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.redisUrl || !(this.queue instanceof BullJobQueue)) return;
    await this.queue.schedule(JOB_NAMES.escalation, ESCALATION_EVERY_MS, {});
    await this.queue.schedule(JOB_NAMES.seal, SEAL_EVERY_MS, {});
    await this.queue.schedule(JOB_NAMES.fundBooks, FUND_BOOKS_EVERY_MS, {});
    await this.queue.schedule(JOB_NAMES.webhookSweep, this.config.webhookSweepMs, {});
    this.worker = startJobWorker(this.config.redisUrl, this.processors);
  }

  /** Before any module closes the store: active jobs finish first. */
  async beforeApplicationShutdown(): Promise<void> {
    this.webhooks.stop(); // a delivery job ends after the message it is sending
    await this.worker?.close();
  }
}

/** The background process: the projection runners and the job processors. */
@Module({})
export class WorkerModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [LedgerCoreModule.forRoot({ ...config, runProjections: true }), LedgerModule],
      providers: [JobWorker],
    };
  }
}
