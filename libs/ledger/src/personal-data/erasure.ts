import { riderSubject } from '@ledger/domain';
import { classifiedPg, type SqlClient, type SqlQuery } from '@ledger/event-store';
import { deleteAnswersRepeating, IDEMPOTENCY_TABLE } from '../idempotency/idempotency.store';
import { deleteTexts, KEPT_TEXTS_TABLE } from './kept-texts';
import { PERSONAL_DATA_TABLE, type PersonalDataStore } from './personal-data.store';
import { shredDeletedRows } from './shred';

/**
 * Erasure beside the log: in one transaction, the subject's rows and every answer kept for an
 * idempotent retry that repeats what they held; then the tables are rewritten so no copy stays in
 * the database's files (`shredDeletedRows`). The log keeps ids and digests, which tell nothing
 * once the texts and their keys are gone.
 */
export class Erasure {
  constructor(
    private readonly sql: SqlClient,
    private readonly personalData: PersonalDataStore,
  ) {}

  /** A rider's name and phone, and the texts kept as its (hazard descriptions, its principal's name). */
  rider(riderId: string): Promise<void> {
    return this.erase([PERSONAL_DATA_TABLE, KEPT_TEXTS_TABLE], async (query) => [
      ...(await this.personalData.deleteIn(query, riderId)),
      ...(await deleteTexts(query, { subject: riderSubject(riderId) })),
    ]);
  }

  /** Kept texts by id (a principal's name). */
  texts(textIds: readonly string[]): Promise<void> {
    return this.erase([KEPT_TEXTS_TABLE], (query) => deleteTexts(query, { textIds }));
  }

  private async erase(
    tables: readonly string[],
    deleteRows: (query: SqlQuery) => Promise<string[]>,
  ): Promise<void> {
    const touched = await classifiedPg(() =>
      this.sql.transaction(async (query) => {
        const erased = await deleteRows(query);
        const answers = await deleteAnswersRepeating(query, erased);
        return answers ? [...tables, IDEMPOTENCY_TABLE] : tables;
      }),
    );
    await classifiedPg(() => shredDeletedRows(this.sql, touched));
  }
}
