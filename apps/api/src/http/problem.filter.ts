import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { EventStoreError } from '@ledger/event-store';
import { QueueUnavailable } from '@ledger/ledger';
import { ProjectionLagging } from '@ledger/projections';
import type { FastifyReply } from 'fastify';
import { problemOf, ProblemException, type Problem } from './problem';

/**
 * The one exception filter: every error leaves as `application/problem+json` with the contract's
 * code. Unknown errors are logged with their stack here and answered with a bare 500: no stack
 * trace, SQL or driver message ever reaches a client.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const problem = this.toProblem(exception);
    if (exception instanceof ProblemException) void reply.headers(exception.headers);
    void reply
      .status(problem.status)
      .header('content-type', 'application/problem+json; charset=utf-8')
      .send(problem);
  }

  private toProblem(exception: unknown): Problem {
    if (exception instanceof ProblemException) return exception.problem;
    if (exception instanceof ProjectionLagging)
      return problemOf('PROJECTION_LAGGING', exception.message);
    if (exception instanceof QueueUnavailable)
      return problemOf('STORE_UNAVAILABLE', 'the job queue cannot be reached; retry later');
    if (exception instanceof EventStoreError) {
      if (exception.code === 'STORE_UNAVAILABLE')
        return problemOf(
          'STORE_UNAVAILABLE',
          'the ledger store cannot be reached; nothing was written',
        );
      if (exception.code === 'INVALID_ARGUMENT')
        return problemOf('VALIDATION_FAILED', exception.message);
    }
    if (exception instanceof HttpException) return fromHttp(exception);
    const fastify = fromFastify(exception);
    if (fastify) return fastify;
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return problemOf('INTERNAL_ERROR', 'the request failed on the server; it has been logged');
  }
}

function fromHttp(exception: HttpException): Problem {
  const status = exception.getStatus();
  if (status === 404) return problemOf('NOT_FOUND', 'no such route');
  if (status === 401) return problemOf('UNAUTHENTICATED', 'a valid bearer token is required');
  if (status === 403) return problemOf('FORBIDDEN', 'this principal may not do that');
  if (status === 429) return problemOf('RATE_LIMITED', 'too many requests; retry later');
  if (status >= 400 && status < 500)
    return { ...problemOf('VALIDATION_FAILED', exception.message), status };
  return problemOf('INTERNAL_ERROR', 'the request failed on the server; it has been logged');
}

/** Fastify's own errors before a route runs: bad JSON, an oversize body, a wrong content type. */
function fromFastify(exception: unknown): Problem | undefined {
  const code = (exception as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('FST_')) return undefined;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { ...problemOf('VALIDATION_FAILED', 'the request body is too large'), status: 413 };
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return { ...problemOf('VALIDATION_FAILED', 'send application/json'), status: 415 };
  return problemOf('VALIDATION_FAILED', 'the request body is not valid JSON');
}
