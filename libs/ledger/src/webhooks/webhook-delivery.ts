import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { jobIdOf, JOB_NAMES } from '../jobs/job-ids';
import type { JobQueue } from '../jobs/job-queue';
import type { WebhookEndpoint, WebhookMessage, WebhookStore } from './webhook-store';

const logger = new Logger('webhooks');

/** What came of one attempt. */
export interface Outcome {
  readonly status: number | null;
  readonly error: string | null;
  readonly durationMs: number;
}

/** How long the delivery log keeps a message once it is delivered or given up. */
export const WEBHOOK_KEEP_DAYS = 30;

/** How much of an error a delivery log keeps. */
const ERROR_CHARS = 300;

/**
 * One attempt, per the Standard Webhooks spec: `POST` of the message's payload with
 * `webhook-id` (the message's, the same on every attempt), `webhook-timestamp` (this attempt's,
 * in seconds) and `webhook-signature` (`v1,` HMAC-SHA256 of `id.timestamp.body` with the
 * endpoint's secret, by the `standardwebhooks` package). A 2xx is a delivery; a redirect is not
 * followed (an endpoint's URL is the one it was registered with).
 */
export async function send(
  endpoint: Pick<WebhookEndpoint, 'url' | 'secret'>,
  message: Pick<WebhookMessage, 'id' | 'payload'>,
  timeoutMs: number,
): Promise<Outcome> {
  const at = new Date();
  const signature = new Webhook(endpoint.secret).sign(message.id, at, message.payload);
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(endpoint.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'rider-ledger-webhooks/1',
        'webhook-id': message.id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body: message.payload,
    });
    await response.body?.cancel(); // the answer's body is not read: its status says it all
    const ok = response.status >= 200 && response.status < 300;
    return {
      status: response.status,
      error: ok ? null : `the receiver answered ${response.status}`,
      durationMs: took(),
    };
  } catch (error) {
    return { status: null, error: reasonOf(error, timeoutMs), durationMs: took() };
  }
}

function reasonOf(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError')
    return `no answer within ${timeoutMs / 1000} s`;
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  const text = cause?.code ?? (error instanceof Error ? error.message : String(error));
  return text.slice(0, ERROR_CHARS);
}

export interface DeliveryOptions {
  readonly retryScheduleMs: readonly number[];
  readonly timeoutMs: number;
}

/**
 * Delivers each endpoint's messages in order (its `seq`), one deliverer per endpoint at a time
 * (a lease in the database, renewed before each attempt): the first pending message is sent
 * until it is delivered or given up, and every later one waits for it. A failure waits the next
 * step of the schedule (a delayed job; the sweep finds it too after a restart); after the last,
 * the message is `failed` (a manual redelivery may still send it) and the next one goes. 410
 * Gone disables the endpoint. At least once: a crash after the receiver's 2xx and before it is
 * recorded sends the message again, with the same `webhook-id`.
 */
export class WebhookDeliverer {
  /** This process's deliverers: each run of a delivery job holds a lease of its own. */
  private readonly process = `deliverer-${randomUUID()}`;
  private runs = 0;
  private stopping = false;
  private queue: JobQueue | undefined;

  constructor(
    readonly store: WebhookStore,
    private readonly options: DeliveryOptions,
  ) {}

  /** The queue retries are added to (set once it exists: it runs this deliverer's jobs). */
  useQueue(queue: JobQueue): void {
    this.queue = queue;
  }

  /** A lease outlives an attempt's longest wait, so it is never lost mid-attempt. */
  private get leaseMs(): number {
    return this.options.timeoutMs * 2 + 10_000;
  }

  /** Ends the delivery jobs running here between two messages (shutdown: they are not waited out). */
  stop(): void {
    this.stopping = true;
  }

  /** The delivery job: sends what is due for one endpoint, in order. */
  async deliverDue(endpointId: string): Promise<{ delivered: number; busy?: true }> {
    let delivered = 0;
    const holder = `${this.process}-${++this.runs}`;
    // Releasing, then looking again: a message written while this held the lease (its trigger
    // found the lease taken) is sent by this deliverer, or by the next trigger.
    for (let round = 0; round < 100 && !this.stopping; round++) {
      if (!(await this.store.lease(endpointId, holder, this.leaseMs)))
        return round === 0 ? { delivered, busy: true } : { delivered };
      try {
        delivered += await this.drain(endpointId, holder);
      } finally {
        await this.store.release(endpointId, holder);
      }
      const head = await this.store.head(endpointId);
      if (!head || (head.nextAttemptAt !== null && head.nextAttemptAt > new Date())) break;
    }
    return { delivered };
  }

  private async drain(endpointId: string, holder: string): Promise<number> {
    let delivered = 0;
    while (!this.stopping) {
      const endpoint = await this.store.endpoint(endpointId);
      const message = await this.store.head(endpointId);
      if (!endpoint || endpoint.disabledAt !== null || !message) return delivered;
      const early = (message.nextAttemptAt?.getTime() ?? 0) - Date.now();
      if (early > EARLY_MS) {
        await this.retryAt(message, message.nextAttemptAt!);
        return delivered;
      }
      // A delayed job may start a little before its time (another worker's clock): wait it out.
      if (early > 0) await new Promise((resolve) => setTimeout(resolve, early));
      if (!(await this.store.lease(endpointId, holder, this.leaseMs))) return delivered;
      const outcome = await send(endpoint, message, this.options.timeoutMs);
      const at = new Date();
      const attempt = { messageId: message.id, attempt: 0, at, manual: false, ...outcome };
      const seen = message.attempts;
      if (outcome.error === null) {
        await this.store.recordAttempt(message, attempt, { ...DELIVERED, seen });
        delivered++;
        continue;
      }
      if (outcome.status === 410) {
        await this.store.recordAttempt(message, attempt, { ...pending(null), seen });
        await this.store.disable(endpointId, 'the receiver answered 410 Gone');
        logger.warn({
          msg: 'webhook endpoint disabled: the receiver answered 410 Gone',
          endpointId,
        });
        return delivered;
      }
      const wait = this.options.retryScheduleMs[message.attempts];
      if (wait === undefined) {
        await this.store.recordAttempt(message, attempt, { ...GIVEN_UP, seen });
        continue; // given up: the next message goes
      }
      const next = new Date(at.getTime() + wait);
      await this.store.recordAttempt(message, attempt, { ...pending(next), seen });
      await this.retryAt({ ...message, attempts: message.attempts + 1 }, next);
      return delivered;
    }
    return delivered;
  }

  /** A delayed delivery job for when the first pending message is due again. */
  private async retryAt(message: WebhookMessage, at: Date): Promise<void> {
    if (!this.queue) return; // the sweep finds it
    await this.queue.add(
      JOB_NAMES.webhookDelivery,
      { endpointId: message.endpointId },
      {
        jobId: jobIdOf(
          JOB_NAMES.webhookDelivery,
          message.endpointId,
          message.seq,
          message.attempts,
        ),
        delayMs: Math.max(0, at.getTime() - Date.now()),
        forgetWhenDone: true,
      },
    );
  }

  /** Adds a delivery job for an endpoint now (after a fan-out step, or from the sweep). */
  async trigger(endpointId: string, why: string): Promise<void> {
    await this.queue?.add(
      JOB_NAMES.webhookDelivery,
      { endpointId },
      { jobId: jobIdOf(JOB_NAMES.webhookDelivery, endpointId, why), forgetWhenDone: true },
    );
  }

  /**
   * The sweep job: a delivery job for every endpoint with a message due, and messages delivered
   * or given up more than `WEBHOOK_KEEP_DAYS` ago forgotten (the delivery log keeps 30 days).
   */
  async sweep(): Promise<{ endpoints: number; forgotten: number }> {
    const now = Date.now();
    const due = await this.store.endpointsDue(new Date(now));
    for (const endpointId of due) await this.trigger(endpointId, `s${now}`);
    const forgotten = await this.store.purge(new Date(now - WEBHOOK_KEEP_DAYS * 86_400_000));
    return { endpoints: due.length, forgotten };
  }

  /**
   * A manual redelivery: the message sent once, now, whatever its place in the endpoint's order
   * (an admin's resend), recorded as a manual attempt. Delivered, it is `delivered` (and the
   * endpoint's next messages go, if it was the one they waited for); not delivered, the message
   * is left as it is: the deliverer's own schedule is not touched.
   */
  async redeliver(endpointId: string, messageId: string): Promise<Outcome & { messageId: string }> {
    const endpoint = await this.store.endpoint(endpointId);
    const message = await this.store.message(endpointId, messageId);
    if (!endpoint || !message) throw new Error(`no message ${messageId} for ${endpointId}`);
    const outcome = await send(endpoint, message, this.options.timeoutMs);
    const attempt = { messageId, attempt: 0, at: new Date(), manual: true, ...outcome };
    await this.store.recordAttempt(
      message,
      attempt,
      outcome.error === null ? DELIVERED : undefined,
    );
    if (outcome.status === 410)
      await this.store.disable(endpointId, 'the receiver answered 410 Gone');
    if (outcome.error === null && message.status === 'pending')
      await this.trigger(endpointId, `r${Date.now()}`);
    return { messageId, ...outcome };
  }
}

/** A delayed job that starts at most this early runs its message (it waits the rest). */
const EARLY_MS = 1000;
const DELIVERED = { status: 'delivered', nextAttemptAt: null } as const;
const GIVEN_UP = { status: 'failed', nextAttemptAt: null } as const;
const pending = (next: Date | null) => ({ status: 'pending', nextAttemptAt: next }) as const;
