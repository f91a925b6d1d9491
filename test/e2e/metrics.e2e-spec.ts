import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { PROJECTION_NAMES } from '@ledger/projections';
import { ADMIN_TOKEN, apiClient, openTestApi, setUpDistrict } from './api-fixture';

const METRICS_TOKEN = 'e2e-metrics-token-0123456789abcdefghijklmn';

/** `GET /metrics` scraped as Prometheus would (issue 15): the text format, behind a token. */
describe('metrics', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  let tokens: Record<string, string>;
  const call = (...args: Parameters<ReturnType<typeof apiClient>>) => apiClient(app)(...args);
  const scrape = async (token = METRICS_TOKEN) => {
    const res = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: res.statusCode, type: res.headers['content-type'], text: res.body };
  };
  /** The value of the sample `name{labels}` in a scrape, or undefined when absent. */
  const sample = (
    text: string,
    name: string,
    labels: Record<string, string>,
  ): number | undefined => {
    const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith(`${name}{`) && wanted.every((w) => l.slice(0, l.indexOf('}')).includes(w)),
      );
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  beforeAll(async () => {
    app = await openTestApi(dir.path, { METRICS_TOKEN });
    tokens = await setUpDistrict(call, {
      communities: { c1: '几江街道' },
      rules: [{ activity: 'patrol', points: 20, maxPointsPerRiderPerDay: 40 }],
      riders: { r1: 'c1' },
      principals: [
        { id: 'staff-c1', name: 's', role: 'staff', communityIds: ['c1'] },
        { id: 'auditor-1', name: 'a', role: 'auditor' },
      ],
    });
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('answers the metrics token, an admin and an auditor (api.md), no one else', async () => {
    for (const token of ['', 'wrong-token', 'a-well-formed-token-nobody-has-0123456789']) {
      const refused = await scrape(token);
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.text)).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(refused.text).not.toContain('ledger_');
    }
    const staff = await scrape(tokens['staff-c1']);
    expect(staff.status).toBe(403);
    expect(JSON.parse(staff.text)).toMatchObject({ code: 'FORBIDDEN' });
    for (const token of [ADMIN_TOKEN, tokens['auditor-1']]) {
      const scraped = await scrape(token);
      expect(scraped.status).toBe(200);
      expect(scraped.text).toMatch(/^ledger_http_requests_total\{/m);
    }
  });

  it('counts awards, refusals and requests by route, and reads the projections and the queue', async () => {
    const before = (await scrape()).text;
    const award = {
      riderId: 'r1',
      activity: 'patrol',
      fundId: 'f1',
      reason: '夜间巡逻',
      occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    };
    for (let i = 0; i < 3; i++)
      await call('POST', '/v1/awards', award, tokens['staff-c1'], { 'idempotency-key': `k${i}` });
    const { status, type, text } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    const awards = (outcome: string, scraped: string) =>
      sample(scraped, 'ledger_commands_total', { command: 'AwardPointsCommand', outcome }) ?? 0;
    // The daily cap is 40 points: two awards of 20, then a refusal.
    expect(awards('ok', text) - awards('ok', before)).toBe(2);
    expect(awards('RULE_VIOLATION', text) - awards('RULE_VIOLATION', before)).toBe(1);
    const route = { method: 'POST', route: '/v1/awards' };
    expect(sample(text, 'ledger_http_requests_total', { ...route, status: '201' })).toBe(2);
    expect(sample(text, 'ledger_http_requests_total', { ...route, status: '422' })).toBe(1);
    expect(
      sample(text, 'ledger_http_request_duration_seconds_count', { ...route, status: '201' }),
    ).toBe(2);
    expect(sample(text, 'ledger_problems_total', { code: 'RULE_VIOLATION' })).toBe(1);
    for (const projection of PROJECTION_NAMES)
      expect(sample(text, 'ledger_projection_lag_events', { projection })).toBeGreaterThanOrEqual(
        0,
      );
    // Without Redis this API runs the projections itself, so it holds their leases.
    expect(sample(text, 'ledger_projection_held', { projection: 'balances' })).toBe(1);
    const holder = /^ledger_projection_lease\{projection="balances",holder="([^"]+)"\} 1$/m.exec(
      text,
    );
    expect(holder?.[1]).toMatch(/\//); // host/pid/…, the lease table's name for this process
    expect(sample(text, 'ledger_jobs', { status: 'queued' })).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });
});
