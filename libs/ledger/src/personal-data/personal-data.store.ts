import {
  classifiedPg,
  classifyPgError,
  sqlState,
  UNIQUE_VIOLATION,
  type SqlClient,
  type SqlQuery,
} from '@ledger/event-store';

/** A rider's personal data: never in the event log, erasable for good. */
export interface PersonalData {
  readonly name: string;
  readonly phone?: string;
}

/** Whose registration a personal-data row is, and the district its phone is unique in. */
export interface RegistrationClaim {
  /** The registration the row belongs to: a retry of it may write the row again, no other. */
  readonly registrationId: string;
  readonly district: string;
}

/** A row that stood in a reservation's way: the rider id's, or the phone's in the district. */
export interface Holder {
  readonly what: 'rider' | 'phone';
  readonly riderId: string;
  /** The registration that wrote it (`null` for rows older than reservations). */
  readonly registrationId: string | null;
  readonly since: Date;
}

/** What a reservation found: the row is the registration's now, or who holds the id or phone. */
export type Reservation = { readonly reserved: true } | ({ readonly reserved: false } & Holder);

export interface PersonalDataStore {
  /**
   * Writes a registration's name and phone before its event is appended, refusing a phone that
   * another rider of the district holds (a unique index, so two processes cannot both win).
   */
  reserve(riderId: string, claim: RegistrationClaim, data: PersonalData): Promise<Reservation>;
  /** Removes a reservation whose registration was refused (only that registration's row). */
  release(riderId: string, registrationId: string | null): Promise<void>;
  /** The district the rider's phone is unique in, after a transfer (false: another holds it). */
  moveTo(riderId: string, district: string): Promise<boolean>;
  /** `undefined` when there is none (never given, or erased). */
  find(riderId: string): Promise<PersonalData | undefined>;
  /**
   * Deletes the row in the erasure's transaction (`Erasure`, which then rewrites the tables so no
   * copy stays in the database's files) and says what it held.
   */
  deleteIn(query: SqlQuery, riderId: string): Promise<string[]>;
  /** The names of those riders that have one (an erased rider has none). */
  namesOf(riderIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

/** The table beside the log (found by the connection's search path: the deployment's schema). */
export const PERSONAL_DATA_TABLE = 'rider_personal_data';

/**
 * A phone number as compared: its digits, without China's country code (+86 or 0086 before a
 * mobile number), so '138 0013 8000', '138-0013-8000' and '+86 13800138000' are one number.
 */
export const phoneKeySql = (phone: string): string =>
  `nullif(regexp_replace(regexp_replace(${phone}, '[^0-9]', '', 'g'), '^(00)?86(1[0-9]{10})$', '\\2'), '')`;

const DDL = `create table if not exists ${PERSONAL_DATA_TABLE} (
  rider_id text primary key,
  name text not null,
  phone text,
  updated_at timestamptz not null default now()
);
alter table ${PERSONAL_DATA_TABLE} add column if not exists registration_id text;
alter table ${PERSONAL_DATA_TABLE} add column if not exists district text;
alter table ${PERSONAL_DATA_TABLE} add column if not exists phone_key text
  generated always as (${phoneKeySql('phone')}) stored;
create unique index if not exists rider_personal_data_district_phone
  on ${PERSONAL_DATA_TABLE} (district, phone_key) where district is not null and phone_key is not null;
create index if not exists rider_personal_data_phone_key on ${PERSONAL_DATA_TABLE} (phone_key);
create index if not exists rider_personal_data_name on ${PERSONAL_DATA_TABLE} (name text_pattern_ops);
drop index if exists rider_personal_data_phone`;

/** The table in the SQL database beside the log (the embedded folder, or PostgreSQL). */
export class SqlPersonalDataStore implements PersonalDataStore {
  private constructor(private readonly sql: SqlClient) {}

  static async open(sql: SqlClient): Promise<SqlPersonalDataStore> {
    const store = new SqlPersonalDataStore(sql);
    await classifiedPg(() => sql.exec(DDL));
    return store;
  }

  async reserve(
    riderId: string,
    claim: RegistrationClaim,
    data: PersonalData,
  ): Promise<Reservation> {
    // Twice at most: a holder may release its row between the refusal and the look-up.
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      const outcome = await this.insertOwn(riderId, claim, data);
      if (outcome === 'reserved') return { reserved: true };
      const holder = await this.holder(outcome, riderId, claim.district, data.phone ?? '');
      if (holder) return { reserved: false, ...holder };
    }
    throw new Error(`the personal data of rider ${riderId} changed hands while it was reserved`);
  }

  /** The row, unless the rider id is another registration's or the phone another rider's. */
  private async insertOwn(
    riderId: string,
    claim: RegistrationClaim,
    data: PersonalData,
  ): Promise<'reserved' | Holder['what']> {
    try {
      const { rows } = await this.sql.query(
        `insert into ${PERSONAL_DATA_TABLE} (rider_id, name, phone, registration_id, district)
         values ($1, $2, $3, $4, $5)
         on conflict (rider_id) do update set name = excluded.name, phone = excluded.phone,
           district = excluded.district, updated_at = now()
         where ${PERSONAL_DATA_TABLE}.registration_id = excluded.registration_id
         returning rider_id`,
        [riderId, data.name, data.phone ?? null, claim.registrationId, claim.district],
      );
      return rows.length > 0 ? 'reserved' : 'rider';
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) return 'phone';
      throw classifyPgError(error) ?? error;
    }
  }

  private async holder(
    what: Holder['what'],
    riderId: string,
    district: string,
    phone: string,
  ): Promise<Holder | undefined> {
    const where =
      what === 'rider'
        ? 'rider_id = $1'
        : `district = $2 and phone_key = ${phoneKeySql('$3::text')} and rider_id <> $1`;
    const { rows } = await classifiedPg(() =>
      this.sql.query<{ rider_id: string; registration_id: string | null; updated_at: Date }>(
        `select rider_id, registration_id, updated_at from ${PERSONAL_DATA_TABLE} where ${where}`,
        what === 'rider' ? [riderId] : [riderId, district, phone],
      ),
    );
    const [row] = rows;
    return (
      row && {
        what,
        riderId: row.rider_id,
        registrationId: row.registration_id,
        since: new Date(row.updated_at),
      }
    );
  }

  async release(riderId: string, registrationId: string | null): Promise<void> {
    await classifiedPg(() =>
      this.sql.query(
        `delete from ${PERSONAL_DATA_TABLE}
         where rider_id = $1 and registration_id is not distinct from $2`,
        [riderId, registrationId],
      ),
    );
  }

  async moveTo(riderId: string, district: string): Promise<boolean> {
    try {
      await this.sql.query(
        `update ${PERSONAL_DATA_TABLE} set district = $2, updated_at = now() where rider_id = $1`,
        [riderId, district],
      );
      return true;
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) return false;
      throw classifyPgError(error) ?? error;
    }
  }

  async find(riderId: string): Promise<PersonalData | undefined> {
    const { rows } = await classifiedPg(() =>
      this.sql.query<{ name: string; phone: string | null }>(
        'select name, phone from rider_personal_data where rider_id = $1',
        [riderId],
      ),
    );
    if (rows.length === 0) return undefined;
    return { name: rows[0].name, ...(rows[0].phone !== null && { phone: rows[0].phone }) };
  }

  async deleteIn(query: SqlQuery, riderId: string): Promise<string[]> {
    const { rows } = await query<{ name: string; phone: string | null }>(
      `delete from ${PERSONAL_DATA_TABLE} where rider_id = $1 returning name, phone`,
      [riderId],
    );
    return rows.flatMap((r) => (r.phone === null ? [r.name] : [r.name, r.phone]));
  }

  async namesOf(riderIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    if (riderIds.length === 0) return new Map();
    const { rows } = await classifiedPg(() =>
      this.sql.query<{ rider_id: string; name: string }>(
        'select rider_id, name from rider_personal_data where rider_id = any($1::text[])',
        [riderIds],
      ),
    );
    return new Map(rows.map((r) => [r.rider_id, r.name]));
  }
}
