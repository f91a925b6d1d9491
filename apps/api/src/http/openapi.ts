import { applyDecorators } from '@nestjs/common';
import { ApiExtension, ApiResponse, type OpenAPIObject } from '@nestjs/swagger';
import { verbatim } from '@ledger/domain';
import { problemIn, problemOf, STATUS_OF, type ErrorCode } from './problem';

type Schema = Record<string, unknown>;
type Operation = {
  summary?: string;
  description?: string;
  responses: Record<string, unknown>;
  parameters?: { name: string; in: string }[];
  security?: unknown[];
  'x-problem-codes'?: ErrorCode[];
};

const CODES = 'x-problem-codes';

/**
 * What one example cannot show: fields that may be `null` though the example has a value, fields
 * left out in some states, and lists of strings that the example leaves empty (by field name, at
 * any depth).
 */
export interface ShapeHints {
  readonly nullable?: readonly string[];
  /** Fields the answer leaves out in some states (e.g. a selection's winners until it closes). */
  readonly optional?: readonly string[];
  readonly strings?: readonly string[];
}

/**
 * The success answer of a route, documented from one example: the schema is derived from the
 * example (and `hints`), so the two cannot disagree. `alternatives` are the other media types the
 * route answers on request (`Accept`), e.g. `text/csv` (two `ApiResponse`s of one status do not
 * add up: the later one's content replaces the other's).
 */
export function Answers(
  status: number,
  example: object,
  description = 'Done.',
  hints: ShapeHints = {},
  alternatives: Record<string, { schema: Schema; example?: unknown }> = {},
) {
  return ApiResponse({
    status,
    description,
    content: {
      'application/json': { schema: hinted(schemaOf(example), hints), example },
      ...alternatives,
    },
  });
}

/**
 * The schema with the hinted fields made nullable, optional, or lists of strings: fields of the
 * answer itself and of each element of its `items` (a page) by their names; fields of the
 * elements of another list by `list.field` (a selection's `winners.name`).
 */
function hinted(schema: Schema, hints: ShapeHints): Schema {
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (!properties) return schema;
  const out: Record<string, Schema> = {};
  for (const [name, property] of Object.entries(properties)) {
    let next = property;
    if (property.type === 'array' && property.items)
      next = {
        ...property,
        items: hinted(property.items as Schema, name === 'items' ? hints : within(hints, name)),
      };
    if (hints.strings?.includes(name)) next = { type: 'array', items: { type: 'string' } };
    if (hints.nullable?.includes(name)) next = { ...next, nullable: true };
    out[name] = next;
  }
  const loose = new Set([...(hints.nullable ?? []), ...(hints.optional ?? [])]);
  const required = (schema.required as string[] | undefined)?.filter((k) => !loose.has(k));
  return { ...schema, properties: out, ...(required && { required }) };
}

/** The hints about the elements of the list `name` (`name.field` → `field`). */
function within(hints: ShapeHints, name: string): ShapeHints {
  const inner = (names: readonly string[] = []) =>
    names.filter((n) => n.startsWith(`${name}.`)).map((n) => n.slice(name.length + 1));
  return {
    nullable: inner(hints.nullable),
    optional: inner(hints.optional),
    strings: inner(hints.strings),
  };
}

/** The refusals particular to a route (the generic ones are added to every route by `completeDocument`). */
export function Refusals(...codes: ErrorCode[]) {
  return applyDecorators(ApiExtension(CODES, codes));
}

/**
 * A JSON schema that the example satisfies: every key required, types from the values. A list's
 * elements are described by all of the example's: a field some of them leave out is optional
 * (a ledger's award line has an `activity`, a reversal's line a `reversalOf`).
 */
export function schemaOf(value: unknown): Schema {
  if (value === null) return { type: 'string', nullable: true };
  if (Array.isArray(value)) return { type: 'array', items: elementsOf(value) };
  switch (typeof value) {
    case 'number':
      return { type: Number.isInteger(value) ? 'integer' : 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'object': {
      const entries = Object.entries(value);
      return {
        type: 'object',
        properties: Object.fromEntries(entries.map(([k, v]) => [k, schemaOf(v)])),
        required: entries.filter(([, v]) => v !== null).map(([k]) => k),
      };
    }
    default:
      return { type: 'string' };
  }
}

/** One schema for the elements of an example list: the first's, widened by the others' fields. */
function elementsOf(values: readonly unknown[]): Schema {
  const [first, ...rest] = values.map(schemaOf);
  if (!first) return {};
  if (rest.length === 0 || first.type !== 'object' || rest.some((r) => r.type !== 'object'))
    return first;
  const all = [first, ...rest];
  const properties = Object.assign(
    {},
    ...[...all].reverse().map((r) => r.properties as Record<string, Schema>),
  ) as Record<string, Schema>;
  const required = Object.keys(properties).filter((k) =>
    all.every((r) => (r.required as string[]).includes(k)),
  );
  return { type: 'object', properties, required };
}

const PROBLEM_SCHEMA: Schema = {
  type: 'object',
  description: 'RFC 9457 problem details; clients branch on `code`, never on text.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', enum: Object.keys(STATUS_OF).filter((c) => c !== 'INTERNAL_ERROR') },
    errors: {
      type: 'array',
      description: 'for VALIDATION_FAILED: each field that failed and why',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

const EXAMPLE_DETAIL: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'the request is not valid',
  NOT_FOUND: 'rider r-0001 does not exist',
  INSUFFICIENT_BALANCE: 'rider r-0001 has 40 points; 150 are needed',
  OUT_OF_STOCK: 'station jj-station-01 has 0 of raincoat',
  FUND_EXHAUSTED: 'fund jiangjin-2026 has 10 points left; 20 are needed',
  RULE_VIOLATION: 'patrol gives at most 60 points a day to a rider',
  RATE_LIMITED: 'too many requests from staff-1; retry in 1 s',
};

const FIELD_ERROR = {
  field: 'points',
  message: verbatim('points must not be greater than 1000000'),
};

/**
 * Adds to every operation what the contract promises of all routes: the problem responses (with
 * an example per code), `Idempotency-Key` on writes, and no security on the public routes.
 */
export function completeDocument(document: OpenAPIObject, publicPaths: readonly string[]): void {
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, value] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'delete'].includes(method)) continue;
      const operation = value as Operation;
      const isPublic = publicPaths.includes(path);
      const codes = new Set<ErrorCode>(operation[CODES] ?? []);
      codes.add('STORE_UNAVAILABLE');
      if (!isPublic)
        ['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED'].forEach((c) => codes.add(c as ErrorCode));
      const write = method !== 'get';
      const params = operation.parameters ?? [];
      if (write || params.some((p) => p.in === 'query')) codes.add('VALIDATION_FAILED');
      if (params.some((p) => p.name === 'minPosition')) codes.add('PROJECTION_LAGGING');
      if (write && !isPublic) {
        ['IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_IN_USE', 'CONCURRENCY_CONFLICT'].forEach((c) =>
          codes.add(c as ErrorCode),
        );
        operation.parameters = [
          ...params,
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description:
              '1–128 visible ASCII characters. A retry with the same key and body answers the first response again and writes nothing new.',
            schema: { type: 'string', pattern: '^[\\x21-\\x7E]{1,128}$' },
          } as { name: string; in: string },
        ];
      }
      if (isPublic) operation.security = [];
      for (const [status, group] of groupByStatus([...codes])) {
        operation.responses[status] = {
          description: group.join(', '),
          content: {
            'application/problem+json': {
              schema: { $ref: '#/components/schemas/Problem' },
              examples: Object.fromEntries(
                group.map((code) => [
                  code,
                  {
                    value: problemIn(
                      problemOf(
                        code,
                        verbatim(EXAMPLE_DETAIL[code] ?? code.toLowerCase().replace(/_/g, ' ')),
                        code === 'VALIDATION_FAILED' ? [FIELD_ERROR] : undefined,
                      ),
                      'en',
                    ),
                  },
                ]),
              ),
            },
          },
        };
      }
    }
  }
}

function groupByStatus(codes: ErrorCode[]): Map<string, ErrorCode[]> {
  const groups = new Map<string, ErrorCode[]>();
  for (const code of codes.sort()) {
    const status = String(STATUS_OF[code]);
    groups.set(status, [...(groups.get(status) ?? []), code]);
  }
  return groups;
}

/**
 * Gives every operation its summary and a description that says who may call it, from
 * `describe(method, path)` (the route table); a description the route already has comes first.
 */
export function describeOperations(
  document: OpenAPIObject,
  describe: (method: string, path: string) => { summary: string; who: string } | undefined,
): void {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, value] of Object.entries(item)) {
      const described = describe(method, path);
      if (!described) continue;
      const operation = value as Operation;
      operation.summary = described.summary;
      operation.description = [operation.description, described.who].filter(Boolean).join('\n\n');
    }
  }
}
