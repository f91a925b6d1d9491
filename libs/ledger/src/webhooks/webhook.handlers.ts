import { DomainError, notFound, say } from '@ledger/domain';
import { Inject } from '@nestjs/common';
import {
  CommandHandler,
  QueryHandler,
  type ICommandHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';
import { randomBytes } from 'node:crypto';
import { LedgerCommand } from '../commands/ledger-command';
import { JOB_QUEUE } from '../infrastructure/tokens';
import { jobIdOf, JOB_NAMES } from '../jobs/job-ids';
import type { JobQueue } from '../jobs/job-queue';
import { ScopedQuery } from '../queries/read-query';
import {
  WebhookStore,
  type DeliveryAttempt,
  type WebhookEndpoint,
  type WebhookEventName,
  type WebhookMessage,
} from './webhook-store';

/** An endpoint as the API shows it (never its secret, which is shown once, at registration). */
export interface WebhookView {
  id: string;
  url: string;
  events: WebhookEventName[];
  fundThreshold: number | null;
  status: 'enabled' | 'disabled';
  disabledAt: string | null;
  disabledReason: string | null;
  createdAt: string;
  createdBy: string;
}

function viewOf(endpoint: WebhookEndpoint): WebhookView {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: [...endpoint.events],
    fundThreshold: endpoint.fundThreshold,
    status: endpoint.disabledAt === null ? 'enabled' : 'disabled',
    disabledAt: endpoint.disabledAt?.toISOString() ?? null,
    disabledReason: endpoint.disabledReason,
    createdAt: endpoint.createdAt.toISOString(),
    createdBy: endpoint.createdBy,
  };
}

export interface RegisterWebhookInput {
  url: string;
  events: WebhookEventName[];
  fundThreshold?: number;
  /** `whsec_` and the base64 of 24 to 64 random bytes; made here when absent. */
  secret?: string;
}

export class RegisterWebhookCommand extends LedgerCommand<
  RegisterWebhookInput,
  (WebhookView & { secret: string }) | DomainError
> {}

/** A secret as Standard Webhooks writes one: `whsec_` and base64 of 24 to 64 bytes. */
export function isWebhookSecret(secret: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!match) return false;
  const bytes = Buffer.from(match[1], 'base64');
  return bytes.length >= 24 && bytes.length <= 64 && bytes.toString('base64') === match[1];
}

/**
 * Registers an endpoint (admins): told of the acts it names that the log records after now. The
 * secret is answered this once; the table beside the log keeps it (deliveries are signed with it).
 */
@CommandHandler(RegisterWebhookCommand)
export class RegisterWebhookHandler implements ICommandHandler<RegisterWebhookCommand> {
  constructor(private readonly webhooks: WebhookStore) {}

  async execute({ input, request }: RegisterWebhookCommand) {
    const events = [...new Set(input.events)];
    if (events.includes('fund.below_threshold') !== (input.fundThreshold !== undefined))
      return new DomainError(
        'VALIDATION_FAILED',
        say`fundThreshold is given with the event fund.below_threshold, and only with it`,
      );
    if (input.secret !== undefined && !isWebhookSecret(input.secret))
      return new DomainError(
        'VALIDATION_FAILED',
        say`secret must be whsec_ and the base64 of 24 to 64 random bytes`,
      );
    const secret = input.secret ?? `whsec_${randomBytes(32).toString('base64')}`;
    const endpoint = await this.webhooks.register({
      id: `ep_${randomBytes(10).toString('hex')}`,
      url: input.url,
      events,
      fundThreshold: input.fundThreshold ?? null,
      secret,
      createdBy: request.context.actor.principalId,
    });
    return { ...viewOf(endpoint), secret };
  }
}

export class ListWebhooksQuery extends ScopedQuery<{
  items: (WebhookView & { messages: Record<WebhookMessage['status'], number> })[];
  nextCursor: null;
}> {}

/** Every endpoint, oldest first, with how many of its messages are pending, delivered, failed. */
@QueryHandler(ListWebhooksQuery)
export class ListWebhooksHandler implements IQueryHandler<ListWebhooksQuery> {
  constructor(private readonly webhooks: WebhookStore) {}

  async execute() {
    const endpoints = await this.webhooks.endpoints();
    const counts = await this.webhooks.counts();
    const items = endpoints.map((endpoint) => ({
      ...viewOf(endpoint),
      messages: { pending: 0, delivered: 0, failed: 0, ...counts.get(endpoint.id) },
    }));
    return { items, nextCursor: null };
  }
}

export interface DeliveryView {
  id: string;
  seq: number;
  type: WebhookEventName;
  position: number;
  status: WebhookMessage['status'];
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
  /** The body exactly as sent (what the signature is of). */
  payload: string;
  attemptLog: {
    attempt: number;
    at: string;
    status: number | null;
    error: string | null;
    durationMs: number;
    manual: boolean;
  }[];
}

export class WebhookDeliveriesQuery extends ScopedQuery<
  { items: DeliveryView[]; nextCursor: string | null } | DomainError
> {
  constructor(
    actor: ConstructorParameters<typeof ScopedQuery>[0],
    readonly endpointId: string,
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super(actor);
  }
}

/** An endpoint's delivery log, newest message first, each with its attempts. */
@QueryHandler(WebhookDeliveriesQuery)
export class WebhookDeliveriesHandler implements IQueryHandler<WebhookDeliveriesQuery> {
  constructor(private readonly webhooks: WebhookStore) {}

  async execute({ endpointId, limit, cursor }: WebhookDeliveriesQuery) {
    if (!(await this.webhooks.endpoint(endpointId)))
      return notFound(say`webhook endpoint ${endpointId}`);
    const before = cursor === undefined ? undefined : Number(cursor);
    if (before !== undefined && !(Number.isSafeInteger(before) && before > 0))
      return new DomainError(
        'VALIDATION_FAILED',
        say`cursor ${cursor ?? ''} is not one this list gave`,
      );
    const page = await this.webhooks.deliveries(endpointId, before, limit);
    const items = page.map(({ message, attempts }) => deliveryOf(message, attempts));
    const last = items[items.length - 1];
    return { items, nextCursor: items.length === limit && last ? String(last.seq) : null };
  }
}

function deliveryOf(message: WebhookMessage, attempts: DeliveryAttempt[]): DeliveryView {
  return {
    id: message.id,
    seq: message.seq,
    type: message.eventType,
    position: message.position,
    status: message.status,
    attempts: message.attempts,
    nextAttemptAt: message.nextAttemptAt?.toISOString() ?? null,
    createdAt: message.createdAt.toISOString(),
    deliveredAt: message.deliveredAt?.toISOString() ?? null,
    payload: message.payload,
    attemptLog: attempts.map((a) => ({
      attempt: a.attempt,
      at: a.at.toISOString(),
      status: a.status,
      error: a.error,
      durationMs: a.durationMs,
      manual: a.manual,
    })),
  };
}

export class RedeliverWebhookCommand extends LedgerCommand<
  { endpointId: string; messageId: string },
  { jobId: string; endpointId: string; messageId: string } | DomainError
> {}

/** A manual redelivery (admins): one attempt now, by a job; its outcome is in the delivery log. */
@CommandHandler(RedeliverWebhookCommand)
export class RedeliverWebhookHandler implements ICommandHandler<RedeliverWebhookCommand> {
  constructor(
    private readonly webhooks: WebhookStore,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
  ) {}

  async execute({ input }: RedeliverWebhookCommand) {
    const { endpointId, messageId } = input;
    const endpoint = await this.webhooks.endpoint(endpointId);
    if (!endpoint) return notFound(say`webhook endpoint ${endpointId}`);
    if (!(await this.webhooks.message(endpointId, messageId)))
      return notFound(say`message ${messageId} of webhook endpoint ${endpointId}`);
    if (endpoint.disabledAt !== null)
      return new DomainError(
        'RULE_VIOLATION',
        say`webhook endpoint ${endpointId} is disabled; register it again`,
      );
    const jobId = jobIdOf(JOB_NAMES.webhookRedelivery, messageId, Date.now());
    await this.jobs.add(JOB_NAMES.webhookRedelivery, { endpointId, messageId }, { jobId });
    return { jobId, endpointId, messageId };
  }
}

export const WEBHOOK_HANDLERS = [
  RegisterWebhookHandler,
  ListWebhooksHandler,
  WebhookDeliveriesHandler,
  RedeliverWebhookHandler,
];
