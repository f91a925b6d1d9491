import { parseRetrySchedule } from '../config/ledger-config';
import { messageIdOf, messagesFor, type WebhookFact } from './webhook-messages';
import type { WebhookEndpoint } from './webhook-store';
import { isWebhookSecret } from './webhook.handlers';

const endpoint = (over: Partial<WebhookEndpoint>): WebhookEndpoint => ({
  id: 'ep_a',
  url: 'http://127.0.0.1/x',
  events: ['award.made', 'fund.below_threshold'],
  fundThreshold: 100,
  secret: 'whsec_x',
  createdAt: new Date(0),
  createdBy: 'admin',
  disabledAt: null,
  disabledReason: null,
  ...over,
});
const fact = (position: number, over: Partial<WebhookFact> = {}): WebhookFact => ({
  name: 'award.made',
  eventId: `e${position}`,
  position,
  recordedAt: new Date('2026-12-05T08:00:00Z'),
  data: { position },
  ...over,
});
const fund = (position: number, before: number, after: number) =>
  fact(position, {
    name: 'fund.below_threshold',
    data: { fundId: 'f1', position },
    fund: { fundId: 'f1', before, after },
  });

describe('webhook messages', () => {
  it('tells an endpoint only what it asked for, in log order', () => {
    const facts = [fact(11), fact(12, { name: 'award.reversed' }), fact(13)];
    const messages = messagesFor(facts, [
      endpoint({}),
      endpoint({ id: 'ep_b', events: ['award.reversed'] }),
    ]);
    expect(messages.get('ep_a')!.map((m) => m.position)).toEqual([11, 13]);
    expect(messages.get('ep_b')!.map((m) => m.position)).toEqual([12]);
    const body = JSON.parse(messages.get('ep_a')![0].payload) as Record<string, unknown>;
    expect(body).toEqual({
      type: 'award.made',
      timestamp: '2026-12-05T08:00:00.000Z',
      data: { position: 11 },
    });
  });

  it('tells of a fund falling below each endpoint’s own threshold once, as it crosses', () => {
    const facts = [fund(11, 150, 120), fund(12, 120, 100), fund(13, 100, 90), fund(14, 90, 40)];
    const messages = messagesFor(facts, [
      endpoint({}),
      endpoint({ id: 'ep_b', fundThreshold: 50 }),
      endpoint({ id: 'ep_c', fundThreshold: null, events: ['award.made'] }),
    ]);
    const told = (id: string) =>
      (messages.get(id) ?? []).map((m) => JSON.parse(m.payload) as { data: object });
    expect(told('ep_a').map((m) => m.data)).toEqual([
      { fundId: 'f1', position: 13, remainingPoints: 90, threshold: 100 },
    ]);
    expect(told('ep_b').map((m) => m.data)).toEqual([
      { fundId: 'f1', position: 14, remainingPoints: 40, threshold: 50 },
    ]);
    expect(told('ep_c')).toEqual([]);
  });

  it('gives a message the same id however often it is made, and another per endpoint', () => {
    expect(messageIdOf('ep_a', fact(11))).toBe(messageIdOf('ep_a', fact(11)));
    expect(messageIdOf('ep_a', fact(11))).not.toBe(messageIdOf('ep_b', fact(11)));
    expect(messageIdOf('ep_a', fact(11))).toMatch(/^msg_[0-9a-f]{32}$/);
  });

  it('reads a retry schedule and Standard Webhooks secrets', () => {
    expect(parseRetrySchedule('5s,5m,30m,2h,5h,10h,10h')).toEqual([
      5000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
    expect(parseRetrySchedule('300ms, 1s')).toEqual([300, 1000]);
    for (const bad of ['', '5', '5x', '0s', '25h', '5s,,5s'])
      expect(parseRetrySchedule(bad)).toBe(undefined);
    expect(isWebhookSecret(`whsec_${Buffer.alloc(32, 1).toString('base64')}`)).toBe(true);
    expect(isWebhookSecret(`whsec_${Buffer.alloc(16, 1).toString('base64')}`)).toBe(false);
    expect(isWebhookSecret(Buffer.alloc(32, 1).toString('base64'))).toBe(false);
    expect(isWebhookSecret('whsec_not base64!')).toBe(false);
  });
});
