import type { Actor } from '@ledger/domain';
import type { ProjectionName, ReadModels } from '@ledger/projections';
import { Query } from '@nestjs/cqrs';

/**
 * A read of the read models. `minPosition` is the position of a write the client made: the
 * answer then includes it (api.md, read-your-writes); this process's own acknowledged writes are
 * waited for in any case.
 */
export abstract class ReadQuery<R> extends Query<R> {
  constructor(readonly minPosition?: number) {
    super();
  }
}

/** A read whose answer depends on who asks (scope rules). */
export abstract class ScopedQuery<R> extends ReadQuery<R> {
  constructor(
    readonly actor: Actor,
    minPosition?: number,
  ) {
    super(minPosition);
  }
}

/**
 * Waits until `projections` hold the query's `minPosition` and this process's writes (≤ 5 s); a
 * read of one rider (`riderId`) waits only for the writes that may change it.
 */
export function caughtUp(
  models: ReadModels,
  query: ReadQuery<unknown>,
  projections: readonly ProjectionName[],
  riderId?: string,
): Promise<void> {
  return models.waitForProjections(projections, query.minPosition, undefined, riderId);
}
