import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTE_POLICY } from '../../apps/api/src/auth/route-policy';
import { openTestApi } from './api-fixture';

/** Every route of the contract (../shared/api.md), path parameters as `{}`. */
const CONTRACT = [
  'POST /v1/principals',
  'DELETE /v1/principals/{}',
  'POST /v1/communities',
  'GET /v1/communities/{}',
  'POST /v1/stations',
  'GET /v1/stations/{}',
  'PUT /v1/stations/{}/items/{}',
  'POST /v1/stations/{}/items/{}/restock',
  'GET /v1/stations/{}/items',
  'POST /v1/riders',
  'GET /v1/riders/{}',
  'POST /v1/riders/{}/transfer',
  'DELETE /v1/riders/{}/personal-data',
  'GET /v1/riders/{}/balance',
  'GET /v1/riders/{}/ledger',
  'POST /v1/funds',
  'GET /v1/funds/{}',
  'POST /v1/funds/{}/top-ups',
  'PUT /v1/rules',
  'GET /v1/rules',
  'PUT /v1/badges',
  'POST /v1/awards',
  'POST /v1/awards/{}/reversal',
  'POST /v1/tasks',
  'GET /v1/tasks',
  'POST /v1/tasks/{}/sign-ups',
  'POST /v1/tasks/{}/completions',
  'POST /v1/hazards',
  'POST /v1/hazards/{}/verification',
  'GET /v1/hazards',
  'POST /v1/redemptions',
  'POST /v1/redemptions/{}/cancellation',
  'GET /v1/leaderboards',
  'POST /v1/selections',
  'POST /v1/selections/{}/close',
  'GET /v1/selections/{}',
  'GET /v1/audit/events',
  'GET /v1/audit/riders/{}/balance',
  'GET /v1/audit/verification',
  'POST /v1/audit/replays',
  'GET /v1/audit/replays/{}',
  'GET /health',
];

/** Routes of a later issue: none left. */
const LATER: string[] = [];

type Operation = {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<
    string,
    { content?: Record<string, { schema?: unknown; example?: unknown; examples?: object }> }
  >;
  security?: unknown[];
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: object }> };
};

describe('OpenAPI document', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  let doc: Document;
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({
        route: `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`,
        path,
        op,
      })),
    );

  beforeAll(async () => {
    app = await openTestApi(dir.path);
    doc = (await app.inject({ method: 'GET', url: '/docs-json' })).json<Document>();
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('lists the same routes as the contract, when the contract is at hand', () => {
    const file = join(__dirname, '../../../shared/api.md');
    if (!existsSync(file)) return; // a checkout without ../shared: the list above is the copy
    const text = readFileSync(file, 'utf8');
    const inText = [...text.matchAll(/`(GET|POST|PUT|DELETE) (\/[^`?\s]+)/g)]
      .map((m) => `${m[1]} ${m[2].replace(/\{[^}]+\}/g, '{}')}`)
      .filter((r) => !r.startsWith('GET /docs'));
    expect([...new Set(inText)].sort()).toEqual([...CONTRACT].sort());
  });

  it('documents every contract route served now, and each served route is in ROUTE_POLICY', () => {
    expect(doc.openapi).toMatch(/^3\./);
    const documented = operations().map((o) => o.route);
    const served = CONTRACT.filter((r) => !LATER.includes(r));
    expect(documented.sort()).toEqual(served.sort());
    const policed = Object.keys(ROUTE_POLICY).map((r) => r.replace(/:[A-Za-z]+/g, '{}'));
    expect(policed.sort()).toEqual(served.filter((r) => r !== 'GET /health').sort());
  });

  it('gives every route a success schema with an example, and problem answers with examples', () => {
    for (const { route, op } of operations()) {
      const statuses = Object.keys(op.responses);
      const success = statuses.filter((s) => s.startsWith('2'));
      expect({ route, success: success.length }).toEqual({ route, success: 1 });
      const ok = op.responses[success[0]];
      if (success[0] !== '204') {
        const body = ok.content?.['application/json'];
        expect({ route, schema: body?.schema !== undefined }).toEqual({ route, schema: true });
        if (route !== 'POST /v1/principals' && route !== 'GET /health')
          expect({ route, example: body?.example !== undefined }).toEqual({ route, example: true });
      }
      const isPublic = route === 'GET /health';
      const expected = isPublic ? ['503'] : ['401', '403', '429', '503'];
      if (route.startsWith('POST') || route.startsWith('PUT') || route.startsWith('DELETE'))
        expected.push('400', '409');
      for (const status of expected) {
        const problem = op.responses[status]?.content?.['application/problem+json'];
        expect({
          route,
          status,
          examples: Object.keys(problem?.examples ?? {}).length > 0,
        }).toEqual({ route, status, examples: true });
      }
      expect({ route, public: (op.security ?? ['bearer']).length === 0 }).toEqual({
        route,
        public: isPublic,
      });
    }
  });

  it('takes Idempotency-Key on every write and documents every request body', () => {
    for (const { route, op } of operations()) {
      if (route.startsWith('GET')) continue;
      expect({ route, key: op.parameters?.some((p) => p.name === 'Idempotency-Key') }).toEqual({
        route,
        key: true,
      });
      const ref = op.requestBody?.content['application/json']?.schema.$ref;
      if (ref === undefined) continue; // DELETE and close take no body
      const schema = doc.components.schemas[ref.replace('#/components/schemas/', '')];
      expect({ route, properties: Object.keys(schema?.properties ?? {}).length > 0 }).toEqual({
        route,
        properties: true,
      });
    }
  });
});
