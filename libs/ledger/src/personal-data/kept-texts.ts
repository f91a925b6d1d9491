import type { KeptText } from '@ledger/domain';
import { classifiedPg, type SqlClient, type SqlQuery } from '@ledger/event-store';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

/** The table beside the log (found by the connection's search path: the deployment's schema). */
export const KEPT_TEXTS_TABLE = 'kept_texts';

const DDL = `create table if not exists ${KEPT_TEXTS_TABLE} (
  text_id text primary key,
  subject text not null,
  body text not null,
  key bytea not null,
  created_at timestamptz not null default now()
);
create index if not exists kept_texts_subject on ${KEPT_TEXTS_TABLE} (subject)`;

/** HMAC-SHA-256 of the text under its key, hex: what the event holds (`KeptText.digest`). */
export function textDigest(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body, 'utf8').digest('hex');
}

/**
 * Free text that may hold personal data, kept beside the log so it can be erased: the event
 * that uses a text holds its id and digest (`KeptText`), never the text. A text is kept before
 * its event is appended and forgotten when the append is refused; one left by a crash between
 * the two is referenced by no event, so nothing shows it, and it goes with its subject's erasure.
 */
export class KeptTexts {
  private constructor(private readonly sql: SqlClient) {}

  static async open(sql: SqlClient): Promise<KeptTexts> {
    const texts = new KeptTexts(sql);
    await classifiedPg(() => sql.exec(DDL));
    return texts;
  }

  /** Keeps `body` as personal data of `subject` (`riderSubject`, `principalSubject`). */
  async keep(subject: string, body: string): Promise<KeptText> {
    const textId = randomUUID();
    const key = randomBytes(32);
    await classifiedPg(() =>
      this.sql.query(
        `insert into ${KEPT_TEXTS_TABLE} (text_id, subject, body, key) values ($1, $2, $3, $4)`,
        [textId, subject, body, key],
      ),
    );
    return { textId, digest: textDigest(key, body) };
  }

  /** Removes a text its event never used (the append was refused). */
  async forget(textId: string): Promise<void> {
    await classifiedPg(() =>
      this.sql.query(`delete from ${KEPT_TEXTS_TABLE} where text_id = $1`, [textId]),
    );
  }

  /** The texts that still exist, by id (an erased one is absent). */
  async textsOf(textIds: readonly (string | null)[]): Promise<ReadonlyMap<string, string>> {
    const ids = [...new Set(textIds.filter((id): id is string => id !== null))];
    if (ids.length === 0) return new Map();
    const { rows } = await classifiedPg(() =>
      this.sql.query<{ text_id: string; body: string }>(
        `select text_id, body from ${KEPT_TEXTS_TABLE} where text_id = any($1::text[])`,
        [ids],
      ),
    );
    return new Map(rows.map((r) => [r.text_id, r.body]));
  }

  /** Whether the kept text still says what its event's digest says (an auditor's check). */
  async matches(text: KeptText): Promise<boolean | undefined> {
    const { rows } = await classifiedPg(() =>
      this.sql.query<{ body: string; key: Buffer }>(
        `select body, key from ${KEPT_TEXTS_TABLE} where text_id = $1`,
        [text.textId],
      ),
    );
    const row = rows[0];
    return row && textDigest(Buffer.from(row.key), row.body) === text.digest;
  }
}

/**
 * Deletes the texts of a subject, or these texts, in the erasure's transaction, and says what they
 * were (so copies of them elsewhere, such as answers kept for retries, can be deleted too).
 */
export async function deleteTexts(
  query: SqlQuery,
  which: { readonly subject: string } | { readonly textIds: readonly string[] },
): Promise<string[]> {
  const { rows } = await query<{ body: string }>(
    'subject' in which
      ? `delete from ${KEPT_TEXTS_TABLE} where subject = $1 returning body`
      : `delete from ${KEPT_TEXTS_TABLE} where text_id = any($1::text[]) returning body`,
    ['subject' in which ? which.subject : which.textIds],
  );
  return rows.map((r) => r.body);
}

/** Items with their kept texts looked up in one query (`null` for an erased one). */
export async function withKeptTexts<T, R>(
  texts: KeptTexts,
  items: readonly T[],
  idOf: (item: T) => string | null,
  fill: (item: T, text: string | null) => R,
): Promise<R[]> {
  const found = await texts.textsOf(items.map(idOf));
  return items.map((item) => {
    const id = idOf(item);
    return fill(item, id === null ? null : (found.get(id) ?? null));
  });
}
