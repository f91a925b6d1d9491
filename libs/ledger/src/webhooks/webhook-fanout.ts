import { sleep, type EventStore } from '@ledger/event-store';
import { Logger } from '@nestjs/common';
import type { WebhookDeliverer } from './webhook-delivery';
import { messagesFor, WebhookFacts } from './webhook-messages';
import type { WebhookEndpoint, WebhookStore } from './webhook-store';

const asksOfFunds = (endpoint: WebhookEndpoint) => endpoint.events.includes('fund.below_threshold');

const logger = new Logger('webhooks');

/** Events read per fan-out step (one transaction writes their messages). */
const FAN_OUT_PAGE = 500;
/** How often an idle fan-out looks at the log again. */
const IDLE_MS = 200;
/** After a failed step (the database away) the fan-out waits this long, then tries again. */
const RETRY_AFTER_MS = 1000;

/**
 * Follows the log from the fan-out's cursor and writes, for each act an endpoint asked for, a
 * message in that endpoint's outbox, in log order, in the transaction that moves the cursor
 * (compare-and-set: several processes may run it; each step is written once). Then a delivery
 * job per endpoint given messages. Runs in the processes that run the projections.
 */
export class WebhookFanOut {
  private readonly facts: WebhookFacts;
  private stopping: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly webhooks: WebhookStore,
    private readonly deliverer: WebhookDeliverer,
  ) {
    this.facts = new WebhookFacts(store);
  }

  /** One step: answers how many events it read (0: the fan-out is at the head, or skipped to it). */
  async step(): Promise<number> {
    // Endpoints first. With none, the cursor skips to the head unread; with none asking of
    // funds, no fund's book is read. An endpoint registered meanwhile (seen under the cursor's
    // lock) makes the step start again (`again`), so nothing after it is skipped.
    const enabled = (await this.webhooks.endpoints()).filter((e) => e.disabledAt === null);
    const from = await this.webhooks.cursor();
    if (enabled.length === 0) {
      const head = await this.store.headCursor();
      if (head !== from) await this.webhooks.fanOut(from, head, () => 'again');
      return 0;
    }
    const page = await this.store.readAll({ after: from, limit: FAN_OUT_PAGE });
    if (page.events.length === 0) return 0;
    const withFunds = enabled.some(asksOfFunds);
    const facts = await this.facts.of(page.events, withFunds);
    const result = await this.webhooks.fanOut(from, page.cursor, (endpoints) =>
      !withFunds && endpoints.some(asksOfFunds) ? 'again' : messagesFor(facts, endpoints),
    );
    if (result.moved) return page.events.length;
    const last = page.events[page.events.length - 1].position;
    for (const endpointId of result.endpointIds)
      await this.deliverer.trigger(endpointId, `p${last}`);
    return page.events.length;
  }

  /** Steps until it is at the head; for tests and the CLI. */
  async catchUp(): Promise<void> {
    while ((await this.step()) > 0);
  }

  start(): void {
    if (this.running) return;
    const stopping = new AbortController();
    this.stopping = stopping;
    this.running = (async () => {
      while (!stopping.signal.aborted) {
        try {
          if ((await this.step()) === 0) await sleep(IDLE_MS, stopping.signal);
        } catch (error) {
          if (stopping.signal.aborted) return;
          logger.warn({ msg: 'webhook fan-out failed; trying again', error: String(error) });
          await sleep(RETRY_AFTER_MS, stopping.signal);
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping?.abort();
    await this.running;
    this.running = undefined;
  }
}
