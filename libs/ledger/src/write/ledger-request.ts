import { accountOf, type CommandContext } from '@ledger/domain';
import { createHash, randomUUID } from 'node:crypto';

/** Who asks and why: the context every command is decided in, and what goes into metadata. */
export interface LedgerRequest {
  readonly context: CommandContext;
  /** Ties together every event one request causes (across streams). */
  readonly correlationId: string;
  /** The event or request that caused this one, when there is one. */
  readonly causationId?: string;
  /** The client's Idempotency-Key: the same key makes the same entry ids, so a retry changes nothing. */
  readonly idempotencyKey?: string;
}

/**
 * The id of the ledger entry a request creates (award, reversal, redemption). With an idempotency
 * key it is derived from the principal, the key and the kind of act, so a retried request names
 * the same entry and the deciders recognise it; without one it is random.
 */
export function entryIdFor(request: LedgerRequest, kind: string): string {
  if (request.idempotencyKey === undefined) return randomUUID();
  return derivedId(accountOf(request.context.actor), kind, request.idempotencyKey);
}

/**
 * An id that is a function of its parts: the award of a task completion or a hazard confirmation
 * is the same entry however often, and by whomever, it is retried.
 */
export function derivedId(...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  // Shaped as a version-8 (custom) UUID so it fits every id column and pattern.
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-8${digest.slice(13, 16)}-a${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
}
