import {
  balanceOfEvents,
  bytesToBase64,
  DomainError,
  notFound,
  riderStream,
  say,
  type Actor,
  type Statement,
  type StatementEntry,
} from '@ledger/domain';
import { streamEvents, type EventStore, type StoredEvent } from '@ledger/event-store';
import type { ReadModels } from '@ledger/projections';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Checkpoint, PublicKeyView } from '../audit/signing-key';
import { HEAD_EVERY_MS, TreeHeads } from '../audit/tree-heads';
import { EVENT_STORE, READ_MODELS } from '../infrastructure/tokens';
import { caughtUp, ScopedQuery } from './read-query';
import { readScope } from './riders.queries';

/** The key the tree heads are signed with, and the log's name (published: anyone may ask). */
export class PublicKeyQuery extends Query<PublicKeyView> {}

/** The newest signed tree head (one is signed when the newest is a minute old and the tree grew). */
export class LatestCheckpointQuery extends Query<Checkpoint | DomainError> {
  constructor(readonly now: Date) {
    super();
  }
}

/** RFC 9162 consistency proof between two tree sizes. */
export class ConsistencyQuery extends Query<
  { from: number; to: number; proof: string[] } | DomainError
> {
  constructor(
    readonly from: number,
    readonly to: number,
  ) {
    super();
  }
}

/** A rider's verifiable statement against the newest head signed at or before `asOf`. */
export class StatementQuery extends ScopedQuery<Statement | DomainError> {
  constructor(
    actor: Actor,
    readonly riderId: string,
    readonly asOf: Date | undefined,
    readonly now: Date,
    minPosition?: number,
  ) {
    super(actor, minPosition);
  }
}

@QueryHandler(PublicKeyQuery)
export class PublicKeyHandler implements IQueryHandler<PublicKeyQuery> {
  constructor(private readonly heads: TreeHeads) {}

  execute(): Promise<PublicKeyView> {
    return Promise.resolve(this.heads.signer.view());
  }
}

@QueryHandler(LatestCheckpointQuery)
export class LatestCheckpointHandler implements IQueryHandler<LatestCheckpointQuery> {
  constructor(
    private readonly heads: TreeHeads,
    @Inject(READ_MODELS) private readonly models: ReadModels,
  ) {}

  async execute(query: LatestCheckpointQuery): Promise<Checkpoint | DomainError> {
    await this.models.waitForProjections(['log-tree']);
    const head = await this.heads.sign(query.now, HEAD_EVERY_MS);
    return head ?? notFound(say`a signed tree head (the log is empty)`);
  }
}

@QueryHandler(ConsistencyQuery)
export class ConsistencyHandler implements IQueryHandler<ConsistencyQuery> {
  constructor(private readonly heads: TreeHeads) {}

  async execute({ from, to }: ConsistencyQuery) {
    const size = await this.heads.treeSize();
    if (!(from >= 1 && from <= to && to <= size))
      return new DomainError(
        'VALIDATION_FAILED',
        say`from and to must be tree sizes with 1 ≤ from ≤ to ≤ ${size}`,
      );
    const proof = await this.heads.consistency(from, to);
    return { from, to, proof: proof.map(bytesToBase64) };
  }
}

@QueryHandler(StatementQuery)
export class StatementHandler implements IQueryHandler<StatementQuery> {
  constructor(
    private readonly heads: TreeHeads,
    @Inject(READ_MODELS) private readonly models: ReadModels,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute(query: StatementQuery): Promise<Statement | DomainError> {
    await caughtUp(this.models, query, ['directory', 'log-tree'], query.riderId);
    const refused = await readScope(this.models, query.actor, query.riderId);
    if (refused) return refused;
    const events: StoredEvent[] = [];
    for await (const e of streamEvents(this.store, riderStream(query.riderId))) events.push(e);
    if (events.length === 0) return notFound(say`rider ${query.riderId}`);
    const head =
      query.asOf === undefined || query.asOf >= query.now
        ? await this.heads.sign(query.now, HEAD_EVERY_MS)
        : await this.heads.asOf(query.asOf);
    if (!head)
      return notFound(say`a tree head signed by ${(query.asOf ?? query.now).toISOString()}`);
    const leaves = await this.models.query<{
      leaf_index: string | number;
      position: string | number;
    }>(
      `select leaf_index, position from ${this.models.schema}.log_tree_leaves
       where position = any($1::bigint[]) and leaf_index < $2 order by leaf_index`,
      [events.map((e) => e.position), head.treeSize],
    );
    const byPosition = new Map(events.map((e) => [e.position, e]));
    const listed = leaves.rows.map((r) => ({
      leafIndex: Number(r.leaf_index),
      stored: byPosition.get(Number(r.position)),
    }));
    const proofs = await this.heads.inclusions(
      listed.map((l) => l.leafIndex),
      head.treeSize,
    );
    const entries: StatementEntry[] = listed.flatMap(({ leafIndex, stored }, i) =>
      stored ? [entryOf(leafIndex, stored, proofs[i].map(bytesToBase64))] : [],
    );
    return {
      riderId: query.riderId,
      asOf: (query.asOf ?? query.now).toISOString(),
      balance: balanceOfEvents(entries.map((e) => e.event)),
      checkpoint: head,
      publicKey: this.heads.signer.view(),
      entries,
    };
  }
}

function entryOf(leafIndex: number, e: StoredEvent, inclusionProof: string[]): StatementEntry {
  return {
    leafIndex,
    eventHash: typeof e.metadata.hash === 'string' ? e.metadata.hash : '',
    event: {
      eventId: e.eventId,
      stream: e.streamName,
      revision: e.revision,
      type: e.type,
      schemaVersion: e.schemaVersion,
      data: e.data,
      metadata: e.metadata,
      recordedAt: e.recordedAt.toISOString(),
    },
    inclusionProof,
  };
}

export const STATEMENT_HANDLERS = [
  PublicKeyHandler,
  LatestCheckpointHandler,
  ConsistencyHandler,
  StatementHandler,
];
