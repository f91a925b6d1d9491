import { accountOf, say, type Said } from '@ledger/domain';
import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { QueryBus } from '@nestjs/cqrs';
import type { Actor, Role } from '@ledger/domain';
import { AuthenticateQuery } from '@ledger/ledger';
import type { FastifyRequest } from 'fastify';
import { problemOf, ProblemException } from '../http/problem';
import { RateLimits } from './rate-limiter';
import { ROUTE_POLICY, routeKey } from './route-policy';

const PUBLIC = 'ledger:public';

/** No token needed: `/health` and the API documents only. */
export const Public = () => SetMetadata(PUBLIC, true);

export type AuthenticatedRequest = FastifyRequest & { actor?: Actor };

const BEARER = /^Bearer ([A-Za-z0-9_-]{20,200})$/;

/** Every route needs a bearer token unless marked @Public; ROUTE_POLICY says which roles may call it. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly queries: QueryBus,
    private readonly limits: RateLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = BEARER.exec(request.headers.authorization ?? '');
    const actor = match ? await this.queries.execute(new AuthenticateQuery(match[1])) : undefined;
    if (!actor) {
      const wait = await this.limits.addresses.take(`$address:${request.ip}`);
      if (wait > 0) throw rateLimited(say`too many requests without a valid token`, wait);
      throw ProblemException.from(
        problemOf('UNAUTHENTICATED', say`a valid bearer token is required`),
      );
    }
    // HEAD is GET without the body: the same roles may ask.
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const route = routeKey(method, request.routeOptions.url ?? '');
    const roles: readonly Role[] = ROUTE_POLICY[route] ?? [];
    if (!roles.includes(actor.role)) {
      throw ProblemException.from(
        problemOf('FORBIDDEN', say`the ${actor.role} role may not do this`),
      );
    }
    const wait = await this.limits.principals.take(accountOf(actor));
    if (wait > 0) throw rateLimited(say`too many requests from ${actor.principalId}`, wait);
    request.actor = actor;
    return true;
  }
}

function rateLimited(who: Said, wait: number): ProblemException {
  return ProblemException.from(problemOf('RATE_LIMITED', say`${who}; retry in ${wait} s`), {
    'retry-after': String(wait),
  });
}
