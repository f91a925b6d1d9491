import { classifyPgError, type SqlClient } from '@ledger/event-store';

/** A rider's personal data: never in the event log, erasable for good. */
export interface PersonalData {
  readonly name: string;
  readonly phone?: string;
}

export interface PersonalDataStore {
  save(riderId: string, data: PersonalData): Promise<void>;
  /** `undefined` when there is none (never given, or erased). */
  find(riderId: string): Promise<PersonalData | undefined>;
  /** Deletes the row; the database's own space reuse then overwrites it (no soft delete). */
  erase(riderId: string): Promise<void>;
  /** The names of those riders that have one (an erased rider has none). */
  namesOf(riderIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

/** The table beside the log (found by the connection's search path: the deployment's schema). */
export const PERSONAL_DATA_TABLE = 'rider_personal_data';

const DDL = `create table if not exists ${PERSONAL_DATA_TABLE} (
  rider_id text primary key,
  name text not null,
  phone text,
  updated_at timestamptz not null default now()
);
create index if not exists rider_personal_data_phone on ${PERSONAL_DATA_TABLE} (phone);
create index if not exists rider_personal_data_name on ${PERSONAL_DATA_TABLE} (name text_pattern_ops)`;

/** The table in the SQL database beside the log (the embedded folder, or PostgreSQL). */
export class SqlPersonalDataStore implements PersonalDataStore {
  private constructor(private readonly sql: SqlClient) {}

  static async open(sql: SqlClient): Promise<SqlPersonalDataStore> {
    const store = new SqlPersonalDataStore(sql);
    await store.run(() => sql.exec(DDL));
    return store;
  }

  async save(riderId: string, data: PersonalData): Promise<void> {
    await this.run(() =>
      this.sql.query(
        `insert into rider_personal_data (rider_id, name, phone) values ($1, $2, $3)
         on conflict (rider_id) do update set name = excluded.name, phone = excluded.phone, updated_at = now()`,
        [riderId, data.name, data.phone ?? null],
      ),
    );
  }

  async find(riderId: string): Promise<PersonalData | undefined> {
    const { rows } = await this.run(() =>
      this.sql.query<{ name: string; phone: string | null }>(
        'select name, phone from rider_personal_data where rider_id = $1',
        [riderId],
      ),
    );
    if (rows.length === 0) return undefined;
    return { name: rows[0].name, ...(rows[0].phone !== null && { phone: rows[0].phone }) };
  }

  async erase(riderId: string): Promise<void> {
    await this.run(() =>
      this.sql.query('delete from rider_personal_data where rider_id = $1', [riderId]),
    );
  }

  async namesOf(riderIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    if (riderIds.length === 0) return new Map();
    const { rows } = await this.run(() =>
      this.sql.query<{ rider_id: string; name: string }>(
        'select rider_id, name from rider_personal_data where rider_id = any($1::text[])',
        [riderIds],
      ),
    );
    return new Map(rows.map((r) => [r.rider_id, r.name]));
  }

  private async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw classifyPgError(error) ?? error;
    }
  }
}

/** For tests and the in-memory double. */
export class InMemoryPersonalDataStore implements PersonalDataStore {
  readonly rows = new Map<string, PersonalData>();

  save(riderId: string, data: PersonalData): Promise<void> {
    this.rows.set(riderId, { ...data });
    return Promise.resolve();
  }

  find(riderId: string): Promise<PersonalData | undefined> {
    return Promise.resolve(this.rows.get(riderId));
  }

  erase(riderId: string): Promise<void> {
    this.rows.delete(riderId);
    return Promise.resolve();
  }

  namesOf(riderIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const found = riderIds.flatMap((id) => {
      const row = this.rows.get(id);
      return row ? [[id, row.name] as const] : [];
    });
    return Promise.resolve(new Map(found));
  }
}
