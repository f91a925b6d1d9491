import { say } from '@ledger/domain';
import type { LedgerConfig } from '@ledger/ledger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { languageOf } from '../http/i18n/language';
import { problemIn, problemOf, sendProblem } from '../http/problem';
import { ApiMetrics } from './api-metrics';

const BEARER = /^Bearer (\S+)$/;

/**
 * `GET /metrics` for Prometheus, beside the API rather than in it: not in the OpenAPI document,
 * no Nest guard, no rate limit per principal. It takes `METRICS_TOKEN` (a scraper's) or the admin
 * token as a bearer token; anything else is 401 `UNAUTHENTICATED`. Every answered request of the
 * API is counted and timed by route pattern (`unmatched` for none), so labels stay few.
 */
export function serveMetrics(app: NestFastifyApplication, config: LedgerConfig): void {
  const metrics = app.get(ApiMetrics);
  const fastify = app.getHttpAdapter().getInstance();
  const given = [config.metricsToken, config.adminToken, config.previousAdminToken];
  const tokens = given.flatMap((t) => (t ? [digest(t)] : []));
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.request(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  fastify.get('/metrics', async (request, reply) => {
    const given = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const presented = given === undefined ? undefined : digest(given);
    if (!presented || !tokens.some((token) => timingSafeEqual(token, presented))) {
      const language = languageOf(request.headers['accept-language']);
      const problem = problemOf(
        'UNAUTHENTICATED',
        say`the metrics need METRICS_TOKEN or the admin token as a bearer token`,
      );
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
