import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTE_POLICY } from '../../apps/api/src/auth/route-policy';
import { openTestApi } from './api-fixture';

/** Routes named in backticks in a contract text, path parameters as `{}`. */
function routesIn(text: string): string[] {
  return (
    [...text.matchAll(/`(GET|POST|PUT|DELETE) (\/[^`?\s]+)/g)]
      .map((m) => `${m[1]} ${m[2].replace(/\{[^}]+\}/g, '{}')}`)
      // The API's documents, and the metrics beside the API (docs/operations.md), are no routes of it.
      .filter((r) => !r.startsWith('GET /docs') && r !== 'GET /metrics')
  );
}

/**
 * The project's contract (docs/api.md): the routes it serves, and those it lists as "not served
 * yet" (a paragraph or bullet that says so). A route named in both is served. `extensions` are
 * served routes the product's contract does not name, each marked "beyond the product contract".
 */
function contract(): { served: string[]; planned: string[]; extensions: string[] } {
  const text = readFileSync(join(__dirname, '../../docs/api.md'), 'utf8');
  const blocks = text.split(/\n(?=- |\n)/);
  const served = new Set(blocks.filter((b) => !/not served yet/.test(b)).flatMap(routesIn));
  const planned = new Set(blocks.filter((b) => /not served yet/.test(b)).flatMap(routesIn));
  const extensions = blocks
    .filter((b) => /beyond the product contract/.test(b))
    .flatMap((b) => routesIn(b).slice(0, 1));
  return {
    served: [...served].sort(),
    planned: [...planned].filter((r) => !served.has(r)).sort(),
    extensions,
  };
}

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

  it("names every route of the product's contract in docs/api.md, when that contract is at hand", () => {
    const file = join(__dirname, '../../../shared/api.md');
    if (!existsSync(file)) return; // a checkout without ../shared: docs/api.md is the contract
    const { served, planned, extensions } = contract();
    const product = [...new Set(routesIn(readFileSync(file, 'utf8')))].sort();
    expect(product.filter((r) => !served.includes(r) && !planned.includes(r))).toEqual([]);
    const unnamed = [...served, ...planned].filter((r) => !product.includes(r));
    expect(unnamed.filter((r) => !extensions.includes(r))).toEqual([]);
    // An extension is one the product's contract does not name (else the mark is stale).
    expect(extensions.filter((r) => product.includes(r))).toEqual([]);
  });

  it('documents exactly the routes docs/api.md serves, and each is in ROUTE_POLICY', () => {
    expect(doc.openapi).toMatch(/^3\./);
    const { served } = contract();
    expect(served.length).toBeGreaterThan(40);
    const documented = operations().map((o) => o.route);
    expect(documented.sort()).toEqual(served);
    const policed = Object.keys(ROUTE_POLICY).map((r) => r.replace(/:[A-Za-z]+/g, '{}'));
    expect(policed.sort()).toEqual(served.filter((r) => r !== 'GET /health'));
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

  it('gives every operation a summary and says who may call it', () => {
    for (const { route, op } of operations()) {
      const described = op as Operation & { summary?: string; description?: string };
      expect({ route, summary: (described.summary ?? '').length > 3 }).toEqual({
        route,
        summary: true,
      });
      const who = route === 'GET /health' ? /No token needed/ : /Who may call it: [a-z]/;
      expect({ route, who: who.test(described.description ?? '') }).toEqual({ route, who: true });
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
