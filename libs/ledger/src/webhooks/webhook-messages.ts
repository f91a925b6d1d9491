import {
  fundDecider,
  remainingPoints,
  upcast,
  type FundEvent,
  type FundState,
  type LedgerEvent,
} from '@ledger/domain';
import type { EventStore, StoredEvent } from '@ledger/event-store';
import { createHash } from 'node:crypto';
import type { NewMessage, WebhookEndpoint, WebhookEventName } from './webhook-store';

/**
 * An act of the log as webhooks tell it: its name and what a receiver is told. Payloads carry
 * ids, figures and times, never a name, a phone or free text (a reason, a note): a receiver that
 * needs more asks the API with its own token, whose scope rules then apply.
 */
export interface WebhookFact {
  readonly name: WebhookEventName;
  readonly eventId: string;
  readonly position: number;
  readonly recordedAt: Date;
  readonly data: Record<string, unknown>;
  /** `fund.below_threshold` only: the fund's points left before and after the act. */
  readonly fund?: { readonly fundId: string; readonly before: number; readonly after: number };
}

function dataOf(event: LedgerEvent): [WebhookEventName, Record<string, unknown>] | undefined {
  switch (event.type) {
    case 'PointsAwarded': {
      const { reason: _reason, evidence: _evidence, imported, ...data } = event.data;
      return ['award.made', { ...data, ...(imported && { imported: true }) }];
    }
    case 'AwardReversed': {
      const { reason: _reason, ...data } = event.data;
      return ['award.reversed', data];
    }
    case 'RedemptionMade': {
      const { imported, ...data } = event.data;
      return ['redemption.made', { ...data, ...(imported && { imported: true }) }];
    }
    case 'RedemptionCancelled': {
      const { reason: _reason, ...data } = event.data;
      return ['redemption.cancelled', data];
    }
    case 'HazardVerified': {
      const { note: _note, ...data } = event.data;
      return ['hazard.verified', data];
    }
    case 'SelectionClosed': {
      const { cutoffCursor: _cursor, ...data } = event.data;
      return ['selection.closed', data];
    }
    default:
      return undefined;
  }
}

/**
 * Turns a page of the log into facts. A fund's points left are folded from its book's stream
 * (each book opens with the fund's figures), kept per book as far as it was read, so a page reads
 * each book once; a reservation that takes a fund from at or above a threshold to below it is a
 * `fund.below_threshold` fact, made for each endpoint's own threshold in `messagesFor`.
 */
export class WebhookFacts {
  private readonly books = new Map<string, { revision: number; state: FundState }>();

  constructor(private readonly store: EventStore) {}

  /** The facts of a page of the log; a fund's falls only `withFunds` (its books are read then). */
  async of(events: readonly StoredEvent[], withFunds = true): Promise<WebhookFact[]> {
    const facts: WebhookFact[] = [];
    for (const stored of events) {
      const event = upcast(stored);
      if (!event) continue;
      const base = {
        eventId: stored.eventId,
        position: stored.position,
        recordedAt: stored.recordedAt,
      };
      const told = dataOf(event);
      if (told)
        facts.push({ ...base, name: told[0], data: { ...told[1], position: stored.position } });
      if (withFunds && event.type === 'FundPointsReserved') {
        const { before, after } = await this.fundAround(stored);
        const { fundId, entryId, riderId, points } = event.data;
        facts.push({
          ...base,
          name: 'fund.below_threshold',
          data: { fundId, entryId, riderId, points, position: stored.position },
          fund: { fundId, before, after },
        });
      }
    }
    return facts;
  }

  /** The fund's points left just before and just after a reservation. */
  private async fundAround(stored: StoredEvent): Promise<{ before: number; after: number }> {
    let kept = this.books.get(stored.streamName);
    if (!kept || kept.revision !== stored.revision - 1) {
      let state = fundDecider.initialState();
      // Read in pages (a read returns at most MAX_READ_BATCH): a busy hour's book can be longer.
      for (let from = 0; from < stored.revision;) {
        const page = await this.store.readStream(stored.streamName, { fromRevision: from });
        const earlier = page.filter((e) => e.revision < stored.revision);
        for (const e of earlier) state = fundDecider.evolve(state, upcast(e) as FundEvent);
        if (earlier.length === 0) break;
        from = earlier[earlier.length - 1].revision + 1;
      }
      kept = { revision: stored.revision - 1, state };
    }
    const before = remainingPoints(kept.state);
    const state = fundDecider.evolve(kept.state, upcast(stored) as FundEvent);
    this.books.set(stored.streamName, { revision: stored.revision, state });
    if (this.books.size > 1000) this.books.delete(this.books.keys().next().value!);
    return { before, after: remainingPoints(state) };
  }
}

/** The Standard Webhooks `webhook-id` of a fact for an endpoint: the same however often it is made. */
export function messageIdOf(endpointId: string, fact: WebhookFact): string {
  const digest = createHash('sha256')
    .update(`${endpointId}\u0000${fact.eventId}\u0000${fact.name}`)
    .digest('hex');
  return `msg_${digest.slice(0, 32)}`;
}

/** What each endpoint is told of these facts, in log order: what it asked for. */
export function messagesFor(
  facts: readonly WebhookFact[],
  endpoints: readonly WebhookEndpoint[],
): Map<string, NewMessage[]> {
  const messages = new Map<string, NewMessage[]>();
  for (const endpoint of endpoints) {
    const list: NewMessage[] = [];
    for (const fact of facts) {
      if (!endpoint.events.includes(fact.name)) continue;
      let data = fact.data;
      if (fact.fund) {
        const threshold = endpoint.fundThreshold;
        if (threshold === null || !(fact.fund.before >= threshold && fact.fund.after < threshold))
          continue;
        data = { ...data, remainingPoints: fact.fund.after, threshold };
      }
      const payload = JSON.stringify({
        type: fact.name,
        timestamp: fact.recordedAt.toISOString(),
        data,
      });
      list.push({
        id: messageIdOf(endpoint.id, fact),
        eventType: fact.name,
        position: fact.position,
        payload,
      });
    }
    if (list.length > 0) messages.set(endpoint.id, list);
  }
  return messages;
}
