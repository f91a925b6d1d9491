import { say, type Actor } from '@ledger/domain';
import { AuthenticateQuery, type LedgerConfig } from '@ledger/ledger';
import { QueryBus } from '@nestjs/cqrs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { languageOf } from '../http/i18n/language';
import { problemIn, problemOf, sendProblem } from '../http/problem';
import { ApiMetrics } from './api-metrics';

const BEARER = /^Bearer (\S+)$/;
const METRICS_ROLES = new Set(['admin', 'auditor']);
/** What the API's guard accepts as a principal's token. */
const PRINCIPAL_TOKEN = /^[A-Za-z0-9_-]{20,200}$/;

/**
 * `GET /metrics` for Prometheus, beside the API rather than in it: not in the OpenAPI document,
 * no Nest guard, no rate limit per principal. It takes `METRICS_TOKEN` (a scraper's), or the
 * token of an admin or an auditor (api.md) as a bearer token; another principal's token is 403
 * `FORBIDDEN`, anything else 401 `UNAUTHENTICATED`. Every answered request of the
 * API is counted and timed by route pattern (`unmatched` for none), so labels stay few.
 */
export function serveMetrics(app: NestFastifyApplication, config: LedgerConfig): void {
  const metrics = app.get(ApiMetrics);
  const fastify = app.getHttpAdapter().getInstance();
  const queries = app.get(QueryBus);
  const scraper = config.metricsToken === undefined ? undefined : digest(config.metricsToken);
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.request(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  fastify.get('/metrics', async (request, reply) => {
    const given = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const isScraper =
      given !== undefined && scraper !== undefined && timingSafeEqual(scraper, digest(given));
    const actor =
      given === undefined || isScraper || !PRINCIPAL_TOKEN.test(given)
        ? undefined
        : await queries.execute<AuthenticateQuery, Actor | undefined>(new AuthenticateQuery(given));
    if (!isScraper && (actor === undefined || !METRICS_ROLES.has(actor.role))) {
      const language = languageOf(request.headers['accept-language']);
      const problem =
        actor === undefined
          ? problemOf(
              'UNAUTHENTICATED',
              say`the metrics need METRICS_TOKEN, or an admin's or an auditor's token, as a bearer token`,
            )
          : problemOf('FORBIDDEN', say`the ${actor.role} role may not do this`);
      sendProblem(reply, problemIn(problem, language), language);
      return reply;
    }
    return reply.type(metrics.registry.contentType).send(await metrics.text());
  });
}

/** Equal-length digests, so the comparison takes the same time whatever was sent. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
