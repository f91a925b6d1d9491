import {
  Inject,
  Injectable,
  SetMetadata,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { localIso } from '@ledger/domain';
import { LEDGER_CONFIG, type LedgerConfig } from '@ledger/ledger';
import { map, type Observable } from 'rxjs';

/** An instant as the ledger's layers write it: ISO 8601 in UTC. */
const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const STORED_EVENTS = 'ledger:stored-events';

/**
 * A route answering stored events: their `data` and `metadata` go out exactly as stored (an
 * auditor recomputes their hashes), only the answer's own times are shown in local time.
 */
export const StoredEvents = () => SetMetadata(STORED_EVENTS, true);

/**
 * Times in answers carry the deployment's offset (api.md, amended 2026-12-03):
 * `2026-12-03T20:00:00+08:00` instead of `2026-12-03T12:00:00.000Z`, the same instant, read by
 * people in LEDGER_TIME_ZONE. The one place answers are rewritten; the layers below keep UTC.
 */
@Injectable()
export class LocalTimeInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const stored = this.reflector.get<boolean>(STORED_EVENTS, context.getHandler()) ?? false;
    return next.handle().pipe(map((body) => localTimes(body, this.config.timeZone, stored)));
  }
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
