import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { LedgerRequest } from '@ledger/ledger';
import { randomUUID } from 'node:crypto';
import type { AuthenticatedRequest } from '../auth/auth.guard';

/** The authenticated caller and the request time, as the ledger's commands take them. */
export const Ledger = createParamDecorator(
  (
    _: unknown,
    context: ExecutionContext,
  ): Omit<LedgerRequest, 'context'> & { actor: NonNullable<AuthenticatedRequest['actor']> } => {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.actor) throw new Error('a ledger route ran without the auth guard');
    const key = request.headers['idempotency-key'];
    return {
      actor: request.actor,
      correlationId: randomUUID(),
      ...(typeof key === 'string' && { idempotencyKey: key }),
    };
  },
);
