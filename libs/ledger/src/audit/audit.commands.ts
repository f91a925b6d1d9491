import { DomainError, isDomainError, sealDecider, SEALS_STREAM, say } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE } from '../infrastructure/tokens';
import type { LedgerRequest } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';
import { headsDigest } from '../write/chain';
import { VerifiedStarts } from './verified-start';
import { verifiedHeads } from './verify';

export interface SealResult {
  readonly sealed: boolean;
  readonly headPosition: number;
  readonly digest: string;
  readonly position: number | null;
}

export class SealLogCommand extends Command<SealResult | DomainError> {
  constructor(readonly request: LedgerRequest) {
    super();
  }
}

/**
 * Seals the log at its head: verifies it first (a seal must never vouch for a tampered log), from
 * the last seal a run verified, then records the digest of every stream's head, and leaves the new
 * seal as the next run's start. Nothing new since the last seal: nothing written.
 */
@CommandHandler(SealLogCommand)
export class SealLogHandler implements ICommandHandler<SealLogCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly starts: VerifiedStarts,
  ) {}

  async execute({ request }: SealLogCommand): Promise<SealResult | DomainError> {
    const start = await this.starts.load(this.store);
    const run = await verifiedHeads(this.store, undefined, start);
    const { verification: verified, heads, headCursor } = run;
    if (!verified.ok) await this.starts.clear();
    if (!verified.ok)
      return new DomainError(
        'RULE_VIOLATION',
        say`the log does not verify at position ${verified.firstBadPosition ?? '?'}: ${verified.problem ?? '?'}; not sealed`,
      );
    const digest = headsDigest(heads);
    // An empty log has no head to vouch for (and no event a verifier could find the seal at).
    if (verified.head === null) return { sealed: false, headPosition: 0, digest, position: null };
    const headPosition = verified.head;
    const written = await this.writer.execute(
      sealDecider,
      SEALS_STREAM,
      { type: 'SealLog', headPosition, headCursor, streams: heads.size, digest },
      request,
    );
    if (isDomainError(written)) return written;
    if (written.appended > 0 && written.position !== undefined) {
      const seal = { position: written.position, headPosition, headCursor, digest };
      await this.starts.save({ seal, changed: run.changed }, start !== undefined);
    }
    return {
      sealed: written.appended > 0,
      headPosition,
      digest,
      position: written.position ?? null,
    };
  }
}
