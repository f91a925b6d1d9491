import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { say, verbatim } from '@ledger/domain';
import { EventStoreError } from '@ledger/event-store';
import { QueueUnavailable } from '@ledger/ledger';
import { ProjectionLagging } from '@ledger/projections';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  BodyRefused,
  isImportPath,
  MAX_BODY_BYTES,
  MAX_BODY_DEPTH,
  MAX_IMPORT_BYTES,
} from './framework-errors';
import { languageOf, type Language } from './i18n/language';
import {
  problemIn,
  problemOf,
  ProblemException,
  sendProblem,
  type Problem,
  type ProblemSource,
} from './problem';

/**
 * The one exception filter: every error leaves as `application/problem+json` with the contract's
 * code, in the caller's language (`Accept-Language`; the code never changes). Unknown errors are
 * logged with their stack here and answered with a bare 500: no stack trace, SQL or driver
 * message ever reaches a client.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  /** `onProblem` hears every problem answered (the metrics count them by code). */
  constructor(private readonly onProblem?: (code: string, status: number) => void) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const language = languageOf(request.headers['accept-language']);
    const problem = this.toProblem(exception, language, request.url.split('?')[0]);
    this.onProblem?.(problem.code, problem.status);
    if (exception instanceof ProblemException) void reply.headers(exception.headers);
    sendProblem(reply, problem, language);
  }

  private toProblem(exception: unknown, language: Language, path: string): Problem {
    if (exception instanceof ProblemException) return exception.answer(language);
    return problemIn(this.sourceOf(exception, path), language);
  }

  private sourceOf(exception: unknown, path: string): ProblemSource {
    if (exception instanceof ProjectionLagging)
      return problemOf('PROJECTION_LAGGING', exception.said);
    if (exception instanceof QueueUnavailable)
      return problemOf('STORE_UNAVAILABLE', say`the job queue cannot be reached; retry later`);
    if (exception instanceof EventStoreError) {
      if (exception.code === 'STORE_UNAVAILABLE')
        return problemOf(
          'STORE_UNAVAILABLE',
          say`the ledger store cannot be reached; nothing was written`,
        );
      if (exception.code === 'INVALID_ARGUMENT') {
        // The store's own words may name SQL states or columns: they stay in the log.
        this.logger.warn(`store refused a value: ${exception.message}`);
        return problemOf(
          'VALIDATION_FAILED',
          say`a value in the request is out of range, or is not a cursor or position the ledger gave`,
        );
      }
    }
    if (exception instanceof BodyRefused) {
      if (exception.reason === 'not-json')
        return { ...problemOf('VALIDATION_FAILED', say`send application/json`), status: 415 };
      return problemOf(
        'VALIDATION_FAILED',
        exception.reason === 'too-deep'
          ? say`the request body is nested more than ${MAX_BODY_DEPTH} levels deep`
          : say`the request body is not valid UTF-8`,
      );
    }
    if (exception instanceof HttpException) return fromHttp(exception, path);
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return problemOf('INTERNAL_ERROR', say`the request failed on the server; it has been logged`);
  }
}

/**
 * Nest's own errors and Fastify's (which Nest wraps as HttpException: a body that is not JSON,
 * too large or of another type), said in words of this API rather than the framework's.
 */
function fromHttp(exception: HttpException, path: string): ProblemSource {
  const status = exception.getStatus();
  if (status === 404) return problemOf('NOT_FOUND', say`no such route`);
  if (status === 401) return problemOf('UNAUTHENTICATED', say`a valid bearer token is required`);
  if (status === 403) return problemOf('FORBIDDEN', say`this principal may not do that`);
  if (status === 429) return problemOf('RATE_LIMITED', say`too many requests; retry later`);
  if (status >= 400 && status < 500)
    return {
      ...problemOf('VALIDATION_FAILED', clientDetail(status, exception.message, path)),
      status,
    };
  return problemOf('INTERNAL_ERROR', say`the request failed on the server; it has been logged`);
}

function clientDetail(status: number, message: string, path: string) {
  const file = isImportPath(path);
  const limit = file ? MAX_IMPORT_BYTES : MAX_BODY_BYTES;
  if (status === 413) return say`the request body is too large (at most ${limit} bytes)`;
  if (status === 415)
    return file
      ? say`send the file as text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or application/octet-stream`
      : say`send application/json`;
  if (status === 400 && /JSON/.test(message)) return say`the request body is not valid JSON`;
  return verbatim(message);
}
