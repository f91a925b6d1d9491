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
import { MAX_BODY_BYTES } from './framework-errors';
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
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return problemOf('INTERNAL_ERROR', 'the request failed on the server; it has been logged');
  }
}

/**
 * Nest's own errors and Fastify's (which Nest wraps as HttpException: a body that is not JSON,
 * too large or of another type), said in words of this API rather than the framework's.
 */
function fromHttp(exception: HttpException): Problem {
  const status = exception.getStatus();
  if (status === 404) return problemOf('NOT_FOUND', 'no such route');
  if (status === 401) return problemOf('UNAUTHENTICATED', 'a valid bearer token is required');
  if (status === 403) return problemOf('FORBIDDEN', 'this principal may not do that');
  if (status === 429) return problemOf('RATE_LIMITED', 'too many requests; retry later');
  if (status >= 400 && status < 500)
    return { ...problemOf('VALIDATION_FAILED', clientDetail(status, exception.message)), status };
  return problemOf('INTERNAL_ERROR', 'the request failed on the server; it has been logged');
}

function clientDetail(status: number, message: string): string {
  if (status === 413) return `the request body is too large (at most ${MAX_BODY_BYTES} bytes)`;
  if (status === 415) return 'send application/json';
  if (status === 400 && /JSON/.test(message)) return 'the request body is not valid JSON';
  return message;
}
