import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { JsonLogger, type LedgerConfig } from '@ledger/ledger';
import { AppModule } from './app.module';
import { completeDocument, describeOperations } from './http/openapi';
import { answerLocalTimes, localTimes } from './http/local-time.interceptor';
import { ALL_ROLES, ROUTES, routeKey } from './auth/route-policy';
import type { AuthenticatedRequest } from './auth/auth.guard';
import { fastifyOptions, jsonBodiesOnly, safeAnswers } from './http/framework-errors';
import { ProblemFilter } from './http/problem.filter';
import { validationPipe } from './http/validation';
import { serveConsole } from './console/console-files';
import { ApiMetrics } from './metrics/api-metrics';
import { serveMetrics } from './metrics/metrics-route';

export { MAX_BODY_BYTES } from './http/framework-errors';

/** Builds the API application (not listening yet): used by `main.ts` and by the e2e tests. */
export async function createApi(
  config: LedgerConfig,
  options: { logger?: false | LoggerService } = {},
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? new JsonLogger();
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    new FastifyAdapter(fastifyOptions()),
    // The JSON body parser is the API's own (jsonBodiesOnly), not Nest's.
    { logger, abortOnError: false, bodyParser: false },
  );
  jsonBodiesOnly(app);
  safeAnswers(app);
  answerLocalTimes(app.getHttpAdapter().getInstance(), config.timeZone);
  if (logger) logRequests(app, logger);
  const metrics = app.get(ApiMetrics);
  app.useGlobalFilters(new ProblemFilter((code, status) => metrics.problem(code, status)));
  app.useGlobalPipes(validationPipe());
  setUpOpenApi(app, config.timeZone);
  serveMetrics(app, config);
  await serveConsole(app);
  return app;
}

/**
 * One access line per request: method, route pattern, status, time taken, principal. Never the
 * body or the query string (they may hold names and phone numbers).
 */
function logRequests(app: NestFastifyApplication, logger: LoggerService): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request: AuthenticatedRequest, reply, done) => {
      logger.log(
        {
          msg: 'request',
          requestId: request.id,
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
          principal: request.actor?.principalId ?? null,
        },
        'http',
      );
      done();
    });
}

function setUpOpenApi(app: NestFastifyApplication, timeZone: string): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Rider volunteer-credit ledger (小哥积分账本)')
      .setDescription(
        'Event-sourced points ledger: awards, reversals, redemptions, leaderboards and audit. ' +
          'Every error is application/problem+json with a stable `code`.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  completeDocument(document, ['/health']);
  describeOperations(document, describeRoute);
  // The examples show times as the answers do: with the deployment's offset.
  const local = localTimes(document, timeZone) as OpenAPIObject;
  SwaggerModule.setup('docs', app, local, { jsonDocumentUrl: 'docs-json' });
}

/** An operation's summary and who may call it, from the route table (OpenAPI paths use `{id}`). */
function describeRoute(method: string, path: string) {
  const rule = ROUTES[routeKey(method, path.replace(/\{([^}]+)\}/g, ':$1'))];
  if (!rule)
    return path === '/health'
      ? { summary: 'Health of the API and its stores', who: 'No token needed.' }
      : undefined;
  const roles = ALL_ROLES.filter((role) => rule.roles.includes(role)).map((role) => {
    const scope = rule.scope?.[role];
    return scope ? `${role} (${scope})` : role;
  });
  return { summary: rule.summary, who: `Who may call it: ${roles.join(', ')}.` };
}
