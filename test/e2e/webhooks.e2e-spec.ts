import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { Webhook } from 'standardwebhooks';
import { WebhookReceiver } from '../support/webhook-receiver';
import { apiClient, openTestApi, setUpDistrict } from './api-fixture';

/** Fast retries, so "down for a while" and "given up" fit in a test: 7 waits of 300 ms. */
const ENV = {
  WEBHOOK_RETRY_SCHEDULE: '300ms,300ms,300ms,300ms,300ms,300ms,300ms',
  WEBHOOK_TIMEOUT_SECONDS: '2',
  WEBHOOK_SWEEP_SECONDS: '1',
};
const PATROL = { activity: 'patrol', fundId: 'f1', reason: '夜间巡逻' };

async function until(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Webhooks (issue 17) on the embedded store with the in-process queue: a local receiver verifies
 * every signature (Standard Webhooks), gets every act it asked for in log order, waits out its own
 * outage, is given up on after the schedule, is disabled by its 410, and is sent a message again
 * by hand; an API restarted with messages pending delivers them.
 */
describe('webhooks', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  let call: ReturnType<typeof apiClient>;
  let receiver: WebhookReceiver;
  let staffToken: string;

  const must = async (method: string, url: string, body?: unknown) => {
    const res = await call(method, url, body);
    if (res.status >= 300) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const award = async (riderId = 'r1') =>
    must('POST', '/v1/awards', { riderId, ...PATROL, occurredAt: new Date().toISOString() });
  const register = async (body: Record<string, unknown>) => {
    const res = await call('POST', '/v1/webhooks', body);
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string };
  };
  const deliveries = async (id: string) =>
    (await must('GET', `/v1/webhooks/${id}/deliveries?limit=200`)).items as {
      id: string;
      seq: number;
      type: string;
      status: string;
      attempts: number;
      payload: string;
      attemptLog: { status: number | null; manual: boolean }[];
    }[];

  beforeAll(async () => {
    app = await openTestApi(dir.path, ENV);
    call = apiClient(app);
    receiver = await WebhookReceiver.start();
    const tokens = await setUpDistrict(call, {
      communities: { c1: '几江街道' },
      budgetPoints: 1000,
      rules: [
        { activity: 'patrol', points: 10 },
        { activity: 'hazard_report', pointsBySeverity: { minor: 5, moderate: 20, major: 50 } },
      ],
      riders: { r1: 'c1', r2: 'c1' },
      stations: [{ id: 's1', name: '几江驿站', kind: 'station' }],
      principals: [{ id: 'staff1', name: '社区', role: 'staff', communityIds: ['c1'] }],
    });
    staffToken = tokens.staff1!;
    await must('PUT', '/v1/stations/s1/items/water', {
      name: '矿泉水',
      kind: 'goods',
      pricePoints: 5,
    });
    await must('POST', '/v1/stations/s1/items/water/restock', { quantity: 100 });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await receiver?.close();
    dir.remove();
  });

  it('refuses what is not an endpoint, and anyone but an admin', async () => {
    const url = receiver.url;
    const refused = [
      {},
      { url, events: [] },
      { url, events: ['award.made', 'points.stolen'] },
      { url: 'ftp://example.org/x', events: ['award.made'] },
      { url, events: ['fund.below_threshold'] },
      { url, events: ['award.made'], fundThreshold: 100 },
      { url, events: ['award.made'], secret: 'not-a-secret' },
      { url, events: ['award.made'], secret: `whsec_${Buffer.alloc(8).toString('base64')}` },
    ];
    for (const body of refused) {
      const res = await call('POST', '/v1/webhooks', body);
      expect({ body, status: res.status, code: res.body.code }).toEqual({
        body,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    const asStaff = await call('POST', '/v1/webhooks', { url, events: ['award.made'] }, staffToken);
    expect(asStaff.status).toBe(403);
    expect((await call('GET', '/v1/webhooks', undefined, staffToken)).status).toBe(403);
    expect((await call('GET', '/v1/webhooks/ep_nothing/deliveries')).status).toBe(404);
  });

  it('tells the receiver of every act it asked for, signed, in log order, and never the secret again', async () => {
    const endpoint = await register({
      url: receiver.url,
      events: [
        'award.made',
        'award.reversed',
        'redemption.made',
        'redemption.cancelled',
        'fund.below_threshold',
      ],
      fundThreshold: 955,
    });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    receiver.secret = endpoint.secret;
    // The fund f1 has 1000 points: 990, 980, then 990 again (the reversal gives 10 back).
    const before = await award();
    const second = await award('r2');
    const reversal = await must('POST', `/v1/awards/${String(before.entryId)}/reversal`, {
      reason: '重复登记',
    });
    const redemption = await must('POST', '/v1/redemptions', {
      riderId: 'r2',
      stationId: 's1',
      items: [{ sku: 'water', quantity: 1 }],
    });
    await must('POST', `/v1/redemptions/${String(redemption.redemptionId)}/cancellation`, {
      reason: '顾客退回',
    });
    const third = await award(); // 980
    const fourth = await award('r2'); // 970
    const fifth = await award(); // 960: not below 955
    const sixth = await award('r2'); // 950: below 955, told once
    await award(); // 940: still below, not told again
    await until(() => receiver.accepted().length >= 11);
    await new Promise((r) => setTimeout(r, 300)); // nothing more comes
    const got = receiver.accepted();
    expect(got.map((r) => r.type)).toEqual([
      'award.made',
      'award.made',
      'award.reversed',
      'redemption.made',
      'redemption.cancelled',
      'award.made',
      'award.made',
      'award.made',
      // The fund's reservation comes before the rider's credit in the log (docs/protocols.md).
      'fund.below_threshold',
      'award.made',
      'award.made',
    ]);
    expect(receiver.requests.every((r) => r.verified)).toBe(true);
    const positions = got.map((r) => Number(r.data.position));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(got[0].data).toMatchObject({ entryId: before.entryId, riderId: 'r1', points: 10 });
    expect(got[1].data.entryId).toBe(second.entryId);
    expect(got[2].data).toMatchObject({ reversalOf: before.entryId, points: 10 });
    expect(got[2].data.entryId).toBe(reversal.entryId);
    expect([5, 6, 7, 9].map((i) => got[i].data.entryId)).toEqual(
      [third, fourth, fifth, sixth].map((a) => a.entryId),
    );
    expect(got[8].data).toMatchObject({
      fundId: 'f1',
      entryId: sixth.entryId,
      remainingPoints: 950,
      threshold: 955,
    });
    // Ids, figures, times: never a reason (free text).
    for (const r of got) expect(r.body).not.toMatch(/夜间巡逻|重复登记|顾客退回/);
    // Signed with the secret answered once; a different secret does not verify.
    const other = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    expect(() =>
      new Webhook(other).verify(got[0].body, got[0].headers as Record<string, string>),
    ).toThrow();
    const list = await must('GET', '/v1/webhooks');
    expect(JSON.stringify(list)).not.toContain(endpoint.secret);
    expect(list.items).toEqual([
      expect.objectContaining({
        id: endpoint.id,
        status: 'enabled',
        messages: { pending: 0, delivered: 11, failed: 0 },
      }),
    ]);
    const log = await deliveries(endpoint.id);
    expect(log.map((d) => d.seq)).toEqual(Array.from({ length: 11 }, (_, i) => 11 - i));
    expect(log.every((d) => d.status === 'delivered' && d.attemptLog.length === 1)).toBe(true);
    expect(log.map((d) => d.id).reverse()).toEqual(got.map((r) => r.id));
    expect(log[log.length - 1].payload).toBe(got[0].body);
  }, 60_000);

  it('a receiver down for a while gets every message, in order, once it is back', async () => {
    receiver.status = 503;
    const sent = [];
    for (let i = 0; i < 4; i++) sent.push(await award(i % 2 ? 'r1' : 'r2'));
    const start = receiver.requests.length;
    await until(() => receiver.requests.length >= start + 3); // the first message tried 3 times
    const whileDown = receiver.requests.slice(start);
    expect(new Set(whileDown.map((r) => r.id)).size).toBe(1); // the rest wait for the first
    receiver.status = 200;
    const entryIds = sent.map((a) => a.entryId);
    await until(() =>
      entryIds.every((id) => receiver.accepted().some((r) => r.data.entryId === id)),
    );
    const got = receiver.accepted().filter((r) => entryIds.includes(r.data.entryId as string));
    expect(got.map((r) => r.data.entryId)).toEqual(entryIds);
    expect(new Set(receiver.requests.slice(start).map((r) => r.id)).size).toBe(4);
    const [endpoint] = (await must('GET', '/v1/webhooks')).items as { id: string }[];
    const first = (await deliveries(endpoint.id)).find((d) => d.id === whileDown[0].id)!;
    expect(first.status).toBe('delivered');
    expect(first.attemptLog.slice(0, 3).map((a) => a.status)).toEqual([503, 503, 503]);
  }, 60_000);

  it('gives a message up after the schedule, sends the next, and sends it again by hand', async () => {
    receiver.status = 500;
    const lost = await award();
    const [endpoint] = (await must('GET', '/v1/webhooks')).items as { id: string }[];
    const failed = async () => (await deliveries(endpoint.id)).find((d) => d.status === 'failed');
    await until(async () => (await failed()) !== undefined);
    const message = (await failed())!;
    expect(message.attempts).toBe(8); // the first, then one after each of the 7 waits
    expect(JSON.parse(message.payload)).toMatchObject({ data: { entryId: lost.entryId } });
    receiver.status = 200;
    const next = await award();
    await until(() => receiver.accepted().some((r) => r.data.entryId === next.entryId));
    const redelivery = await call(
      'POST',
      `/v1/webhooks/${endpoint.id}/deliveries/${message.id}/redelivery`,
    );
    expect(redelivery.status).toBe(202);
    await until(() => receiver.accepted().some((r) => r.id === message.id));
    await until(async () => {
      const again = (await deliveries(endpoint.id)).find((d) => d.id === message.id)!;
      return again.status === 'delivered' && again.attemptLog.at(-1)!.manual;
    });
    expect(
      (await call('POST', `/v1/webhooks/${endpoint.id}/deliveries/msg_nothing/redelivery`)).status,
    ).toBe(404);
  }, 60_000);

  it('tells of hazard reports verified and a selection closed, never a note', async () => {
    const other = await WebhookReceiver.start();
    try {
      const endpoint = await register({
        url: other.url,
        events: ['hazard.verified', 'selection.closed'],
      });
      other.secret = endpoint.secret;
      const file = async (lat: number) => {
        const filed = await must('POST', '/v1/hazards', {
          ...{ riderId: 'r1', category: 'manhole_cover', description: '井盖缺失' },
          location: { lat, lng: 106.2594 },
          occurredAt: new Date(Date.now() - 60_000).toISOString(),
        });
        return String(filed.id);
      };
      const confirmedId = await file(29.29);
      const rejectedId = await file(29.3);
      const confirmed = await must('POST', `/v1/hazards/${confirmedId}/verification`, {
        ...{ outcome: 'confirmed', severity: 'major', fundId: 'f1' },
        note: '现场核实属实',
      });
      await must('POST', `/v1/hazards/${rejectedId}/verification`, {
        ...{ outcome: 'rejected' },
        note: '现场未见隐患',
      });
      const year = new Date().getFullYear();
      await must('POST', '/v1/selections', { id: 'top', district: '江津区', year, size: 2 });
      const closed = await must('POST', '/v1/selections/top/close');
      await until(() => other.accepted().length >= 3);
      await new Promise((r) => setTimeout(r, 300)); // nothing more comes
      const got = other.accepted();
      expect(got.map((r) => r.type)).toEqual([
        'hazard.verified',
        'hazard.verified',
        'selection.closed',
      ]);
      expect(other.requests.every((r) => r.verified)).toBe(true);
      const award = confirmed.award as { entryId: string };
      expect(got[0].data).toEqual({
        ...{ hazardId: confirmedId, riderId: 'r1', outcome: 'confirmed', severity: 'major' },
        ...{ fundId: 'f1', entryId: award.entryId, position: expect.any(Number) as number },
      });
      expect(got[1].data).toEqual({
        ...{ hazardId: rejectedId, riderId: 'r1', outcome: 'rejected' },
        position: expect.any(Number) as number,
      });
      expect(got[2].data).toEqual({
        selectionId: 'top',
        cutoffPosition: closed.cutoffPosition,
        winners: (closed.winners as { rank: number; riderId: string; points: number }[]).map(
          ({ rank, riderId, points }) => ({ rank, riderId, points }),
        ),
        position: expect.any(Number) as number,
      });
      expect((got[2].data.winners as unknown[]).length).toBeGreaterThan(0);
      for (const r of got) expect(r.body).not.toMatch(/现场|井盖/); // notes, descriptions
    } finally {
      await other.close();
    }
  }, 60_000);

  it('a 410 disables the endpoint; a restarted API delivers what was pending', async () => {
    const gone = await WebhookReceiver.start();
    const endpoint = await register({ url: gone.url, events: ['award.made'] });
    gone.secret = endpoint.secret;
    gone.status = 410;
    await award();
    await until(async () =>
      ((await must('GET', '/v1/webhooks')).items as { id: string; status: string }[]).some(
        (e) => e.id === endpoint.id && e.status === 'disabled',
      ),
    );
    expect(gone.requests).toHaveLength(1);
    const [message] = await deliveries(endpoint.id);
    const refused = await call(
      'POST',
      `/v1/webhooks/${endpoint.id}/deliveries/${message.id}/redelivery`,
    );
    expect(refused.status).toBe(422);
    await award();
    await new Promise((r) => setTimeout(r, 500));
    expect(gone.requests).toHaveLength(1); // no more messages for it
    await gone.close();

    // Pending messages survive a restart: the receiver is down while the API stops and starts.
    receiver.status = 503;
    const pending = await award();
    await until(() => receiver.requests.some((r) => r.data.entryId === pending.entryId));
    await app.close();
    app = await openTestApi(dir.path, ENV);
    call = apiClient(app);
    receiver.status = 200;
    await until(() => receiver.accepted().some((r) => r.data.entryId === pending.entryId));
  }, 60_000);
});
