import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EVENT_STORE } from '@ledger/ledger';
import type { EventStore } from '@ledger/event-store';
import { tempDir } from '@ledger/testing';
import fc from 'fast-check';
import { MAX_BODY_BYTES } from '../../apps/api/src/api';
import { apiClient, ADMIN_TOKEN, openTestApi } from './api-fixture';

type Body = Record<string, unknown>;
const hourAgo = new Date(Date.now() - 3_600_000).toISOString();

/** Every write route with a body that would pass, so each mutation below is what makes it fail. */
const WRITES: { method: 'POST' | 'PUT' | 'DELETE'; url: string; body?: Body }[] = [
  { method: 'POST', url: '/v1/principals', body: { name: '审计', role: 'auditor' } },
  { method: 'DELETE', url: '/v1/principals/{x}' },
  {
    method: 'POST',
    url: '/v1/communities',
    body: { name: '社区', street: '街道', district: '区' },
  },
  {
    method: 'POST',
    url: '/v1/stations',
    body: { name: '驿站', district: '江津区', kind: 'station' },
  },
  {
    method: 'PUT',
    url: '/v1/stations/s1/items/{x}',
    body: { name: '雨衣', kind: 'goods', pricePoints: 100 },
  },
  { method: 'POST', url: '/v1/stations/s1/items/{x}/restock', body: { quantity: 5 } },
  {
    method: 'POST',
    url: '/v1/riders',
    body: { communityId: 'c1', platform: '美团', occupation: 'courier', name: '小哥' },
  },
  { method: 'POST', url: '/v1/riders/{x}/transfer', body: { communityId: 'c1' } },
  { method: 'DELETE', url: '/v1/riders/{x}/personal-data' },
  { method: 'POST', url: '/v1/funds', body: { name: '资金', district: '区', budgetPoints: 1000 } },
  { method: 'POST', url: '/v1/funds/{x}/top-ups', body: { points: 10, reason: '追加' } },
  { method: 'PUT', url: '/v1/rules', body: { rules: [{ activity: 'patrol', points: 20 }] } },
  {
    method: 'PUT',
    url: '/v1/badges',
    body: { badges: [{ id: 'bronze', name: '铜牌', thresholdPoints: 100 }] },
  },
  {
    method: 'POST',
    url: '/v1/awards',
    body: { riderId: 'r1', activity: 'patrol', fundId: 'f1', reason: '巡逻', occurredAt: hourAgo },
  },
  { method: 'POST', url: '/v1/awards/{x}/reversal', body: { reason: '错误' } },
  {
    method: 'POST',
    url: '/v1/redemptions',
    body: { riderId: 'r1', stationId: 's1', items: [{ sku: 'raincoat', quantity: 1 }] },
  },
  { method: 'POST', url: '/v1/redemptions/{x}/cancellation', body: { reason: '误操作' } },
  { method: 'POST', url: '/v1/selections', body: { district: '江津区', year: 2026, size: 10 } },
  { method: 'POST', url: '/v1/selections/{x}/close' },
  {
    method: 'POST',
    url: '/v1/tasks',
    body: {
      communityId: 'c1',
      title: '巡逻',
      points: 10,
      slots: 5,
      startsAt: hourAgo,
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    },
  },
  { method: 'POST', url: '/v1/tasks/{x}/completions', body: { riderId: 'r1', fundId: 'f1' } },
  { method: 'POST', url: '/v1/tasks/{x}/sign-ups' },
  {
    method: 'POST',
    url: '/v1/hazards',
    body: {
      riderId: 'r1',
      category: 'manhole_cover',
      description: '井盖',
      location: { lat: 29.29, lng: 106.26 },
      occurredAt: hourAgo,
    },
  },
  {
    method: 'POST',
    url: '/v1/hazards/{x}/verification',
    body: { outcome: 'rejected', note: '核实' },
  },
];

const SQL = [
  "'; drop table events; --",
  "r1' or '1'='1",
  '1; update balances set balance = 1e9',
  '$1::text',
  '\\x00',
];
/** Bytes that are not UTF-8: a lone continuation byte, half a character, an overlong slash, a surrogate. */
const NOT_UTF8 = [[0x80], [0xe5, 0xbc], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff, 0xfe]].map((b) =>
  Buffer.from(b),
);
const ODD = ['\u0000', '\u202e反向', '𠀀𪚥', '👨‍👩‍👧', '\ud800', 'a\u0301\u0301\u0301', ' ', ''];
/** Text no field accepts in its place: SQL, control and odd code points, or far too long. */
const hostileText = fc.oneof(
  fc.constantFrom(...SQL, ...ODD),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map((s) => `${s}\u0000`),
  fc.constant('长'.repeat(5000)),
);
const wrongNumber = fc.oneof(
  fc.integer({ max: 0 }),
  fc.constantFrom(1.5, 2 ** 53, 1e21, -1e21, 1e300, Number.MAX_VALUE),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
  fc.constantFrom('10', '1e3', '0x10', ''),
);
/** A value nested `depth` arrays and objects deep. */
const nested = (depth: number): unknown =>
  Array.from({ length: depth }).reduce<unknown>(
    (inner, _, i) => (i % 2 ? [inner] : { a: inner }),
    1,
  );
const wrongType = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
  fc.integer({ min: 33, max: 3000 }).map(nested),
);
/** Keys every object has through its prototype: no DTO field can be one. */
const PROTOTYPE_KEYS = [
  'hasOwnProperty',
  'toString',
  'valueOf',
  'isPrototypeOf',
  '__defineGetter__',
  'toLocaleString',
];

/** A body that must fail: one field broken (wrong type, out of range, hostile text), dropped, or an extra one. */
function mutation(base: Body): fc.Arbitrary<Body> {
  const keys = Object.keys(base);
  const broken = fc.constantFrom(...keys).chain((key) => {
    const value = base[key];
    const bad =
      typeof value === 'number'
        ? fc.oneof(wrongNumber, wrongType, hostileText)
        : typeof value === 'string'
          ? fc.oneof(
              wrongType,
              fc.integer(),
              hostileText.filter(
                (t) => !isFreeText(key) || t.length > 600 || t.includes('\u0000') || t === '',
              ),
            )
          : fc.oneof(
              wrongType.filter((v) => !Array.isArray(v) || v.length > 0), // [] is an empty list
              fc.constant([{}]),
              fc.constant([{ ...((value as Body[])[0] ?? {}), extra: 1 }]),
            );
    return bad.map((v) => ({ ...base, [key]: v }));
  });
  const dropped = fc.constantFrom(...keys).map((key) => {
    const copy = { ...base };
    delete copy[key];
    return copy;
  });
  const extra = fc
    .tuple(
      fc.constantFrom('__proto__x', 'constructor', 'points2', '余额', "'; --", ...PROTOTYPE_KEYS),
      fc.oneof(hostileText, wrongType, fc.integer()),
    )
    .map(([k, v]) => ({ ...base, [k]: v }));
  return fc.oneof(broken, dropped, extra);
}

/** Fields of free text accept SQL-looking and CJK text as text: only what breaks their bounds is hostile. */
function isFreeText(key: string): boolean {
  return [
    'name',
    'reason',
    'street',
    'district',
    'platform',
    'title',
    'description',
    'note',
  ].includes(key);
}

describe('fuzz: hostile bodies on every write route', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  let call: ReturnType<typeof apiClient>;
  let store: EventStore;

  beforeAll(async () => {
    app = await openTestApi(dir.path, { RATE_LIMIT_PER_MINUTE: '0' });
    call = apiClient(app);
    store = app.get<EventStore>(EVENT_STORE);
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  const expectRefused = (
    route: string,
    res: { status: number; headers: Record<string, unknown>; body: Body },
  ) => {
    expect({ route, status: res.status >= 400 && res.status < 500 }).toEqual({
      route,
      status: true,
    });
    expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    expect(typeof res.body.code).toBe('string');
    expect(JSON.stringify(res.body)).not.toMatch(
      /\n\s+at |select .* from|insert into|\.[jt]s:\d|node_modules|stack/i,
    );
  };

  it('answers every mutated body with a 4xx problem and writes nothing', async () => {
    const head = await store.headCursor();
    for (const route of WRITES) {
      const url = route.url.replace('{x}', 'fuzz-target');
      if (!route.body) continue;
      await fc.assert(
        fc.asyncProperty(mutation(route.body), async (body) => {
          expectRefused(`${route.method} ${route.url}`, await call(route.method, url, body));
        }),
        { numRuns: 40 },
      );
    }
    expect(await store.headCursor()).toBe(head);
  });

  it('answers hostile path ids, raw bodies and oversize bodies with a 4xx problem, and writes nothing', async () => {
    const head = await store.headCursor();
    for (const route of WRITES) {
      const encoded = [...SQL, ...ODD.filter((o) => o !== '' && o !== '\ud800'), '../../etc/passwd']
        .map(encodeURIComponent)
        .concat(['%ED%A0%80', '%FF%FE', '%00', 'x'.repeat(300), '..%2F..%2Fetc']);
      for (const id of encoded) {
        if (!route.url.includes('{x}')) continue;
        const url = route.url.replace('{x}', id);
        expectRefused(`${route.method} ${url}`, await call(route.method, url, route.body ?? {}));
      }
      for (const payload of [
        '{',
        'null',
        '[]',
        '"text"',
        '123',
        '{"a":',
        '\u0000',
        'x'.repeat(MAX_BODY_BYTES + 1),
        '['.repeat(5000) + ']'.repeat(5000),
        '{"a":'.repeat(2000) + '1' + '}'.repeat(2000),
        ...NOT_UTF8.map((bytes) =>
          Buffer.concat([Buffer.from('{"name":"'), bytes, Buffer.from('"}')]),
        ),
        Buffer.from('\ufeff{}', 'utf16le'),
      ]) {
        if (route.body === undefined) continue;
        const res = await app.inject({
          method: route.method,
          url: route.url.replace('{x}', 'fuzz-target'),
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          payload,
        });
        expectRefused(`${route.method} ${route.url} ${payload.toString().slice(0, 10)}`, {
          status: res.statusCode,
          headers: res.headers,
          body: res.json<Body>(),
        });
      }
      const wrongType = await app.inject({
        method: route.method,
        url: route.url.replace('{x}', 'fuzz-target'),
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'text/plain' },
        payload: 'hello',
      });
      if (route.body !== undefined)
        expectRefused(`${route.method} ${route.url} text/plain`, {
          status: wrongType.statusCode,
          headers: wrongType.headers,
          body: wrongType.json<Body>(),
        });
    }
    expect(await store.headCursor()).toBe(head);
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
});

describe('hostile text that is still text', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await openTestApi(dir.path);
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('keeps SQL-looking and odd Unicode names verbatim, as data', async () => {
    const call = apiClient(app);
    for (const name of [...SQL, '\u202e反向', '𠀀𪚥', '👨‍👩‍👧', 'a\u0301\u0301', '第一行\n第二行']) {
      const created = await call('POST', '/v1/communities', { name, street: name, district: '区' });
      expect(created.status).toBe(201);
      const read = await call('GET', `/v1/communities/${String(created.body.id)}`);
      expect(read.body).toMatchObject({ name, street: name });
    }
  });
});
