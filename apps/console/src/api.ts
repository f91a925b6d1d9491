import createClient, { type Middleware } from 'openapi-fetch';
import { language } from './i18n';
import { MIN_POSITION_ROUTES, type paths } from './api-types';
import { token } from './session';

/** A refusal or failure as the API's problem+json says it, in the chosen language. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly title: string | undefined,
    detail: string,
    readonly errors: readonly { field: string; message: string }[] = [],
  ) {
    super(detail);
  }
}

/** Every request: the session's token, the chosen language for the API's words. */
const auth: Middleware = {
  onRequest({ request }) {
    const bearer = token();
    if (bearer) request.headers.set('authorization', `Bearer ${bearer}`);
    request.headers.set('accept-language', language());
    return request;
  },
};

/** The highest log position a write of this session was answered with (0: none yet). */
let lastPosition = 0;
const waitingRoutes = new Set(MIN_POSITION_ROUTES);

/**
 * Read-your-writes across API replicas (docs/api.md): every write's answer carries its log
 * `position`; reads that accept `minPosition` are sent with the last one, so a read that reaches
 * another replica behind a load balancer waits for the write the person just made.
 */
const readYourWrites: Middleware = {
  onRequest({ request, schemaPath }) {
    if (request.method !== 'GET' || lastPosition === 0 || !waitingRoutes.has(schemaPath)) return;
    const url = new URL(request.url);
    if (url.searchParams.has('minPosition')) return;
    url.searchParams.set('minPosition', String(lastPosition));
    return new Request(url, request);
  },
  async onResponse({ request, response }) {
    if (request.method === 'GET' || !response.ok) return;
    if (!(response.headers.get('content-type') ?? '').includes('json')) return;
    const body = (await response
      .clone()
      .json()
      .catch(() => undefined)) as { position?: unknown } | undefined;
    if (typeof body?.position === 'number' && body.position > lastPosition)
      lastPosition = body.position;
  },
};

/** The API, typed from its OpenAPI document (api-types.ts, generated: `npm run console:types`). */
export const api = createClient<paths>({ baseUrl: location.origin });
api.use(auth, readYourWrites);

type Success<O> = O extends { responses: infer R }
  ? R extends { 200: { content: { 'application/json': infer T } } }
    ? T
    : R extends { 201: { content: { 'application/json': infer T } } }
      ? T
      : never
  : never;

/** What a route answers when it succeeds, as the OpenAPI document says. */
export type Answer<P extends keyof paths, M extends keyof paths[P]> = Success<paths[P][M]>;

/** Data of an answer, or the answer's problem thrown. */
export async function ok<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const body = (error ?? {}) as {
    code?: string;
    title?: string;
    detail?: string;
    errors?: { field: string; message: string }[];
  };
  throw new Problem(
    response.status,
    body.code,
    body.title,
    body.detail ?? body.title ?? String(response.status),
    body.errors,
  );
}

/** A fresh Idempotency-Key: one per attempt of a write, reused when that attempt is retried. */
export function newKey(): string {
  return crypto.randomUUID();
}
