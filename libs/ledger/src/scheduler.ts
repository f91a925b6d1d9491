import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { ReadModels } from '@ledger/projections';
import type { LedgerConfig } from './config/ledger-config';
import { JOB_QUEUE, LEDGER_CONFIG, READ_MODELS } from './infrastructure/tokens';
import { jobIdOf, JOB_NAMES } from './jobs/job-ids';
import type { JobQueue } from './jobs/job-queue';
import { ESCALATION_EVERY_MS, FUND_BOOKS_EVERY_MS, SEAL_EVERY_MS } from './jobs/ledger-jobs';
import { SettlementRecovery } from './settlement/recovery';
import { WebhookDeliverer } from './webhooks/webhook-delivery';
import { WebhookFanOut } from './webhooks/webhook-fanout';

/** How often half-done cross-stream acts are looked for. */
export const RECOVERY_INTERVAL_MS = 60_000;

const logger = new Logger('scheduler');

/**
 * What a ledger process runs by itself: the projections (when this process runs them),
 * settlement recovery at start and every minute, and, without Redis (no worker), the timers that
 * add the scheduled jobs. Every failure of a timed run is logged; the next tick tries again.
 */
@Injectable()
export class LedgerScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly recovery: SettlementRecovery,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    private readonly webhookFanOut: WebhookFanOut,
    private readonly webhooks: WebhookDeliverer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Without Redis there is no worker: the projections run here (the embedded default).
    if (this.config.runProjections) await this.readModels.start();
    // Webhooks' outbox follows the log where the projections do (several processes may: each
    // step is written once).
    if (this.config.runProjections) this.webhookFanOut.start();
    // The embedded folder is locked to one process: every act recorded before this start belongs
    // to a process that is gone, so none is waited for (the grace is for live processes elsewhere).
    const alone = this.config.eventStore.kind === 'embedded';
    await this.recovery.run(new Date(), alone ? 0 : this.config.recoveryGraceMs);
    this.every(RECOVERY_INTERVAL_MS, 'settlement recovery', () =>
      this.recovery.run(new Date(), this.config.recoveryGraceMs),
    );
    // Without Redis there is no worker to schedule jobs: this process does (the embedded default).
    if (this.jobs.kind === 'in-process' && this.config.runProjections) {
      this.every(ESCALATION_EVERY_MS, JOB_NAMES.escalation, () =>
        this.addSlot(JOB_NAMES.escalation, ESCALATION_EVERY_MS),
      );
      this.every(SEAL_EVERY_MS, JOB_NAMES.seal, () => this.addSlot(JOB_NAMES.seal, SEAL_EVERY_MS));
      this.every(FUND_BOOKS_EVERY_MS, JOB_NAMES.fundBooks, () =>
        this.addSlot(JOB_NAMES.fundBooks, FUND_BOOKS_EVERY_MS),
      );
      // Deliveries due after a restart (delayed retries are not kept in-process), then every sweep.
      await this.webhooks.sweep();
      this.every(this.config.webhookSweepMs, JOB_NAMES.webhookSweep, () => this.webhooks.sweep());
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.webhookFanOut.stop();
    this.webhooks.stop(); // delivery jobs end after the message they are sending
    await this.recovery.stop();
    await this.jobs.close();
    await this.readModels.stop();
  }

  private every(ms: number, what: string, run: () => Promise<unknown>): void {
    const timer = setInterval(() => {
      run().catch((error: unknown) =>
        logger.warn({ msg: `${what} failed; next run in ${ms} ms`, error: String(error) }),
      );
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** One job per name and time slot, so two timers (or two processes) add it once. */
  private async addSlot(name: string, everyMs: number): Promise<void> {
    const slot = Math.floor(Date.now() / everyMs);
    await this.jobs.add(name, {}, { jobId: jobIdOf(name, slot) });
  }
}
