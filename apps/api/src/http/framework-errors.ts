import { say } from '@ledger/domain';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyHttpOptions, FastifyReply, FastifyRequest } from 'fastify';
import { languageOf } from './i18n/language';
import { PROBLEM_JSON, problemIn, problemOf, sendProblem, type Problem } from './problem';

/** Requests larger than this are refused before parsing; ledger bodies are a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

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

/** How deep a body may nest: ledger bodies are 3 deep; deeper ones only exhaust the stack. */
export const MAX_BODY_DEPTH = 32;

/** Fastify's error for a body this API refuses: the filter says it in words. */
export class BodyRefused extends Error {
  readonly statusCode: number;
  constructor(readonly reason: 'too-deep' | 'not-utf8' | 'not-json') {
    super(reason);
    this.statusCode = reason === 'not-json' ? 415 : 400;
  }
}

/** Files an import takes (POST /v1/imports): as large as a city's year of paper ledgers. */
export const MAX_IMPORT_BYTES = 32 * 1024 * 1024;
export const IMPORT_PATH = '/v1/imports';

/** Whether a request path is an import route, where a file is the body. */
export function isImportPath(path: string): boolean {
  return path === IMPORT_PATH || path.startsWith(`${IMPORT_PATH}/`);
}
/** The types an import file may be sent as: CSV, an Excel workbook, or bytes of either. */
export const IMPORT_TYPES = [
  'text/csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/octet-stream',
];

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Bodies are JSON only, UTF-8 and at most MAX_BODY_DEPTH deep. Fastify also parses `text/plain`
 * by default, which would reach the validation as a bare string and answer every field missing;
 * without it such a body is 415. Bytes that are not UTF-8 are refused rather than stored as
 * U+FFFD, and the depth is counted before parsing, so a deep body never reaches code that walks
 * it recursively. Parsing itself is Fastify's (secure-json-parse: `__proto__` and `constructor`
 * keys refused).
 */
export function jsonBodiesOnly(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser(['text/plain', 'application/json']);
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request, body: Buffer, done) => {
      let text: string;
      try {
        text = UTF8.decode(body);
      } catch {
        return done(new BodyRefused('not-utf8'), undefined);
      }
      if (depthOf(text) > MAX_BODY_DEPTH) return done(new BodyRefused('too-deep'), undefined);
      void parse(request, text, done);
    },
  );
  // A file for an import, as bytes (its SHA-256 names it); on any other route, still 415, and
  // said before a byte of the body is read (it may be as large as an import's).
  fastify.addHook('preParsing', (request, reply, payload, done) => {
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const length = Number(request.headers['content-length'] ?? 0);
    const body = request.headers['transfer-encoding'] !== undefined || length > 0;
    // The route the router matched (its pattern), else the path as sent (no route: a 404 anyway).
    const path = request.routeOptions.url ?? request.url.split('?')[0];
    if (!body || !IMPORT_TYPES.includes(type) || isImportPath(path)) return done(null, payload);
    void reply.header('connection', 'close'); // the body is not read: no request may follow it
    done(new BodyRefused('not-json'));
  });
  fastify.addContentTypeParser(
    IMPORT_TYPES,
    { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES },
    (request, body: Buffer, done) => {
      const path = request.url.split('?')[0];
      if (!isImportPath(path)) return done(new BodyRefused('not-json'));
      done(null, body);
    },
  );
}

/** How deeply arrays and objects nest in a JSON text (brackets inside strings do not count). */
export function depthOf(json: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/**
 * Headers of every answer: none may be sniffed as another type or kept by a cache (answers
 * hold balances and names), and HEAD is answered wherever GET is.
 */
export function safeAnswers(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (_request, reply, payload, done) => {
      void reply.header('x-content-type-options', 'nosniff');
      // The console's hashed assets say how long they keep (console-files.ts); nothing else keeps.
      if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
      done(null, payload);
    });
}
