import { accountOf, say, type Actor } from '@ledger/domain';
import {
  HTTP_CODE_METADATA,
  INTERCEPTORS_METADATA,
  METHOD_METADATA,
} from '@nestjs/common/constants';
import {
  Inject,
  Injectable,
  RequestMethod,
  type Type,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { languageOf } from '../http/i18n/language';
import { problemOf, ProblemException, STATUS_OF, type Problem } from '../http/problem';
import { IdempotencyStore } from '@ledger/ledger';

/** api.md: 1–128 visible ASCII characters. */
const KEY = /^[\x21-\x7e]{1,128}$/;
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * `Idempotency-Key` on write routes: the same key with the same request returns the first
 * response again and writes nothing; with another request it is 409 IDEMPOTENCY_KEY_REUSED; while
 * the first is still running, 409 IDEMPOTENCY_KEY_IN_USE. A request that failed validation or on
 * the server keeps nothing under its key, so it can be retried. Domain refusals (409, 422) are
 * kept and answered again, like successes.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(@Inject(IdempotencyStore) private readonly store: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const key = request.headers['idempotency-key'];
    if (!WRITES.has(request.method) || key === undefined || !request.actor) return next.handle();
    const status =
      (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ??
      (request.method === 'POST' ? 201 : 200);
    return from(this.once(request, reply, String(key), status, next));
  }

  private async once(
    request: AuthenticatedRequest,
    reply: FastifyReply,
    key: string,
    status: number,
    next: CallHandler,
  ): Promise<unknown> {
    if (!KEY.test(key)) {
      throw ProblemException.from(
        problemOf(
          'VALIDATION_FAILED',
          say`Idempotency-Key must be 1-128 visible ASCII characters`,
          [{ field: 'Idempotency-Key', message: say`must be 1-128 visible ASCII characters` }],
        ),
      );
    }
    const principalId = accountOf(request.actor as Actor);
    const hash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    const claim = await this.store.claim(principalId, key, hash);
    if (claim.kind === 'reused')
      throw ProblemException.from(
        problemOf('IDEMPOTENCY_KEY_REUSED', say`this Idempotency-Key was used for another request`),
      );
    if (claim.kind === 'in-use')
      throw ProblemException.from(
        problemOf(
          'IDEMPOTENCY_KEY_IN_USE',
          say`the first request with this Idempotency-Key is still running; retry shortly`,
        ),
      );
    if (claim.kind === 'replay') {
      void reply
        .status(claim.response.status)
        .header('content-type', claim.response.contentType)
        .header('idempotent-replayed', 'true');
      if (claim.response.status >= 400)
        throw ProblemException.replay(claim.response.body as Problem);
      return claim.response.body;
    }
    try {
      const body: unknown = await lastValueFrom(next.handle() as Observable<unknown>, {
        defaultValue: undefined,
      });
      await this.store.complete(principalId, key, claim.claimId, {
        status,
        body,
        contentType: 'application/json',
      });
      return body;
    } catch (error) {
      // A refusal is kept as it was said, in the language of the first request.
      const problem =
        error instanceof ProblemException
          ? error.answer(languageOf(request.headers['accept-language']))
          : undefined;
      if (problem && problem.code !== 'VALIDATION_FAILED' && STATUS_OF[problem.code] < 500) {
        await this.store.complete(principalId, key, claim.claimId, {
          status: problem.status,
          body: problem,
          contentType: 'application/problem+json',
        });
      } else {
        await this.store.releaseOrRetry(principalId, key, claim.claimId);
      }
      throw error;
    }
  }
}

const WRITE_METHODS = new Set([
  RequestMethod.POST,
  RequestMethod.PUT,
  RequestMethod.PATCH,
  RequestMethod.DELETE,
]);

/**
 * Puts the idempotency interceptor on every write route of `controllers` (first, outside any
 * interceptor of the route's own) and on no read: a global interceptor cost every read about a
 * tenth of its CPU for nothing (issue 13). Returns `controllers`.
 */
export function idempotentWrites<T extends Type[]>(controllers: T): T {
  for (const controller of controllers) {
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined || !WRITE_METHODS.has(method)) continue;
      const own = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) as unknown[]) ?? [];
      if (own.includes(IdempotencyInterceptor)) continue;
      Reflect.defineMetadata(INTERCEPTORS_METADATA, [IdempotencyInterceptor, ...own], handler);
    }
  }
  return controllers;
}
