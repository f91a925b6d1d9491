import {
  Injectable,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { localIso } from '@ledger/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';

/** An instant as the ledger's layers write it: ISO 8601 in UTC. */
const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

type LocalTimeRequest = FastifyRequest & { keepStored?: boolean };

/** Marks the request of a route answering stored events (see `StoredEvents`). */
@Injectable()
class KeepStoredInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    context.switchToHttp().getRequest<LocalTimeRequest>().keepStored = true;
    return next.handle();
  }
}

/**
 * A route answering stored events: their `data` and `metadata` go out exactly as stored (an
 * auditor recomputes their hashes), only the answer's own times are shown in local time.
 */
export const StoredEvents = () => UseInterceptors(KeepStoredInterceptor);

/**
 * Times in answers carry the deployment's offset (api.md, amended 2026-12-03):
 * `2026-12-03T20:00:00+08:00` instead of `2026-12-03T12:00:00.000Z`, the same instant, read by
 * people in LEDGER_TIME_ZONE. The one place answers are rewritten (the API's own routes, not the
 * OpenAPI document's examples); the layers below keep UTC. A Fastify hook before serialisation
 * rather than a Nest interceptor: an interceptor on every route cost a read about a tenth of its
 * CPU (issue 13), and the answer kept for an idempotent replay, UTC, is written the same way.
 */
export function answerLocalTimes(fastify: FastifyInstance, timeZone: string): void {
  fastify.addHook('preSerialization', (request: LocalTimeRequest, _reply, payload, done) => {
    const url = request.url;
    if (!url.startsWith('/v1/') && !url.startsWith('/health')) return done(null, payload);
    done(null, localTimes(payload, timeZone, request.keepStored ?? false));
  });
}

/** `value` with every UTC instant in it written in `timeZone`. */
export function localTimes(value: unknown, timeZone: string, keepStored = false): unknown {
  if (typeof value === 'string')
    return UTC_INSTANT.test(value) ? localIso(new Date(value), timeZone) : value;
  if (Array.isArray(value)) return value.map((v) => localTimes(v, timeZone, keepStored));
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      keepStored && (key === 'data' || key === 'metadata')
        ? v
        : localTimes(v, timeZone, keepStored),
    ]),
  );
}
