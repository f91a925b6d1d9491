import { say } from '@ledger/domain';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyHttpOptions, FastifyReply, FastifyRequest } from 'fastify';
import { languageOf } from './i18n/language';
import { problemIn, problemOf, sendProblem, type Problem } from './problem';

/** Requests larger than this are refused before parsing; ledger bodies are a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

/**
 * Fastify's options for the API: the body limit, and problem+json for the errors Fastify and
 * Node answer before any route or filter runs: a URL that does not decode (`frameworkErrors`),
 * and a request Node's HTTP parser refuses (`clientErrorHandler`: raw non-ASCII bytes in the
 * URL, headers too large, a request too slow), which Fastify would answer as bare
 * `{"error":"Bad Request"}`.
 */
export function fastifyOptions(): FastifyHttpOptions<Server> {
  return {
    bodyLimit: MAX_BODY_BYTES,
    frameworkErrors: (_error: unknown, request: FastifyRequest, reply: FastifyReply) => {
      const language = languageOf(request.headers['accept-language']);
      const problem = problemOf('VALIDATION_FAILED', say`the URL is not valid`);
      sendProblem(reply, problemIn(problem, language), language);
    },
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      if (socket.writable) socket.write(rawProblem(clientProblem(error.code)));
      socket.destroy();
    },
  };
}

/**
 * What Node's HTTP parser refused, as the contract's problem: in English, since the request (and
 * its Accept-Language) could not be read.
 */
function clientProblem(code: string | undefined): Problem {
  if (code === 'HPE_HEADER_OVERFLOW')
    return problemIn(
      { ...problemOf('VALIDATION_FAILED', say`the request headers are too large`), status: 431 },
      'en',
    );
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return problemIn(
      { ...problemOf('VALIDATION_FAILED', say`the request took too long to arrive`), status: 408 },
      'en',
    );
  return problemIn(
    problemOf(
      'VALIDATION_FAILED',
      say`the request is not valid HTTP: a URL must percent-encode characters outside ASCII (张 is %E5%BC%A0)`,
    ),
    'en',
  );
}

/** A whole HTTP/1.1 answer written to the socket: the server has no request to reply through. */
function rawProblem(problem: Problem): string {
  const body = Buffer.from(JSON.stringify(problem), 'utf8');
  return (
    `HTTP/1.1 ${problem.status} ${REASONS[problem.status] ?? 'Bad Request'}\r\n` +
    `Content-Type: ${PROBLEM_JSON}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n` +
    body.toString('utf8')
  );
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/**
 * Bodies are JSON only: Fastify also parses `text/plain` by default, which would reach the
 * validation as a bare string and answer every field missing; without it such a body is 415.
 */
export function jsonBodiesOnly(app: NestFastifyApplication): void {
  app.getHttpAdapter().getInstance().removeContentTypeParser('text/plain');
}
