import type { SqlClient, SqlQuery } from '@ledger/event-store';

/** What an endpoint may be told of (issue 17): one name per kind of act. */
export const WEBHOOK_EVENTS = [
  'award.made',
  'award.reversed',
  'redemption.made',
  'redemption.cancelled',
  'hazard.verified',
  'selection.closed',
  'fund.below_threshold',
] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly events: readonly WebhookEventName[];
  /** For `fund.below_threshold`: told when a fund's points left fall below this. */
  readonly fundThreshold: number | null;
  readonly secret: string;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly disabledAt: Date | null;
  readonly disabledReason: string | null;
}

export type MessageStatus = 'pending' | 'delivered' | 'failed';

/** One message for one endpoint: what it is told, in the endpoint's order (`seq`). */
export interface WebhookMessage {
  readonly endpointId: string;
  readonly seq: number;
  /** The Standard Webhooks `webhook-id`: the same on every attempt. */
  readonly id: string;
  readonly eventType: WebhookEventName;
  readonly position: number;
  readonly payload: string;
  readonly status: MessageStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date | null;
  readonly createdAt: Date;
  readonly deliveredAt: Date | null;
}

export interface DeliveryAttempt {
  readonly messageId: string;
  readonly attempt: number;
  readonly at: Date;
  /** The receiver's HTTP status; null when none came (refused, timed out). */
  readonly status: number | null;
  readonly error: string | null;
  readonly durationMs: number;
  readonly manual: boolean;
}

export const WEBHOOK_TABLES = [
  'webhook_endpoints',
  'webhook_fanout',
  'webhook_messages',
  'webhook_attempts',
] as const;

const DDL = `create table if not exists webhook_endpoints (
  id text primary key,
  url text not null,
  events jsonb not null,
  fund_threshold bigint,
  secret text not null,
  created_at timestamptz not null default now(),
  created_by text not null,
  after_cursor text not null,
  next_seq bigint not null default 1,
  lease_until timestamptz,
  lease_holder text,
  disabled_at timestamptz,
  disabled_reason text
);
create table if not exists webhook_fanout (
  id integer primary key,
  cursor text not null
);
create table if not exists webhook_messages (
  endpoint_id text not null,
  seq bigint not null,
  id text not null,
  event_type text not null,
  position bigint not null,
  payload text not null,
  status text not null default 'pending',
  attempts integer not null default 0,
  next_attempt_at timestamptz,
  created_at timestamptz not null default now(),
  delivered_at timestamptz,
  finished_at timestamptz,
  primary key (endpoint_id, seq),
  unique (endpoint_id, id)
);
create index if not exists webhook_messages_due on webhook_messages (endpoint_id, seq) where status = 'pending';
create table if not exists webhook_attempts (
  endpoint_id text not null,
  message_id text not null,
  attempt integer not null,
  at timestamptz not null,
  status integer,
  error text,
  duration_ms integer not null,
  manual boolean not null default false,
  primary key (endpoint_id, message_id, attempt)
)`;

interface EndpointRow {
  id: string;
  url: string;
  events: WebhookEventName[] | string;
  fund_threshold: string | number | null;
  secret: string;
  created_at: Date | string;
  created_by: string;
  disabled_at: Date | string | null;
  disabled_reason: string | null;
}

interface MessageRow {
  endpoint_id: string;
  seq: string | number;
  id: string;
  event_type: WebhookEventName;
  position: string | number;
  payload: string;
  status: MessageStatus;
  attempts: number;
  next_attempt_at: Date | string | null;
  created_at: Date | string;
  delivered_at: Date | string | null;
}

const dateOf = (value: Date | string | null): Date | null =>
  value === null ? null : new Date(value);

function endpointOf(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    events: typeof row.events === 'string' ? (JSON.parse(row.events) as never) : row.events,
    fundThreshold: row.fund_threshold === null ? null : Number(row.fund_threshold),
    secret: row.secret,
    createdAt: new Date(row.created_at),
    createdBy: row.created_by,
    disabledAt: dateOf(row.disabled_at),
    disabledReason: row.disabled_reason,
  };
}

export function messageOf(row: MessageRow): WebhookMessage {
  return {
    endpointId: row.endpoint_id,
    seq: Number(row.seq),
    id: row.id,
    eventType: row.event_type,
    position: Number(row.position),
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: dateOf(row.next_attempt_at),
    createdAt: new Date(row.created_at),
    deliveredAt: dateOf(row.delivered_at),
  };
}

export interface NewMessage {
  readonly id: string;
  readonly eventType: WebhookEventName;
  readonly position: number;
  readonly payload: string;
}

/**
 * Webhook endpoints and what they are told, in the SQL database beside the log (as idempotency
 * keys and personal data are): delivery is the ledger telling others, not an act on points, so
 * none of it is in the log. The messages are an outbox: written in the transaction that moves
 * the fan-out's cursor, delivered from there in `seq` order per endpoint.
 */
export class WebhookStore {
  private constructor(readonly sql: SqlClient) {}

  /** Creates the tables; the fan-out starts at `head` (acts before the first start are not sent). */
  static async open(sql: SqlClient, head: () => Promise<string>): Promise<WebhookStore> {
    await sql.exec(DDL);
    const { rows } = await sql.query<{ n: number }>(
      'select count(*)::int as n from webhook_fanout',
    );
    if (rows[0]?.n === 0)
      await sql.query(
        'insert into webhook_fanout (id, cursor) values (1, $1) on conflict (id) do nothing',
        [await head()],
      );
    return new WebhookStore(sql);
  }

  /**
   * Registers an endpoint in a transaction that holds the fan-out's cursor: every fan-out step is
   * either done before it (and tells it nothing) or sees it, so the endpoint is told of every act
   * the fan-out reads after the cursor it holds (`after_cursor`, kept for the record): from about
   * the moment it is registered (the fan-out's lag), never with a gap. No position is compared:
   * on PostgreSQL positions do not grow in log order (docs/architecture.md, "Position and cursor").
   */
  async register(
    endpoint: Omit<WebhookEndpoint, 'disabledAt' | 'disabledReason' | 'createdAt'>,
  ): Promise<WebhookEndpoint> {
    return this.sql.transaction(async (query) => {
      const { rows: held } = await query<{ cursor: string }>(
        'select cursor from webhook_fanout where id = 1 for update',
      );
      const { rows } = await query<EndpointRow>(
        `insert into webhook_endpoints (id, url, events, fund_threshold, secret, created_by, after_cursor)
         values ($1, $2, $3::jsonb, $4, $5, $6, $7) returning *`,
        [
          endpoint.id,
          endpoint.url,
          JSON.stringify(endpoint.events),
          endpoint.fundThreshold,
          endpoint.secret,
          endpoint.createdBy,
          held[0]?.cursor ?? '',
        ],
      );
      return endpointOf(rows[0]);
    });
  }

  async cursor(): Promise<string> {
    const { rows } = await this.sql.query<{ cursor: string }>(
      'select cursor from webhook_fanout where id = 1',
    );
    return rows[0]?.cursor ?? '';
  }

  async endpoints(query: SqlQuery = this.query): Promise<WebhookEndpoint[]> {
    const { rows } = await query<EndpointRow>(
      'select * from webhook_endpoints order by created_at, id',
    );
    return rows.map(endpointOf);
  }

  async endpoint(id: string): Promise<WebhookEndpoint | undefined> {
    const { rows } = await this.sql.query<EndpointRow>(
      'select * from webhook_endpoints where id = $1',
      [id],
    );
    return rows[0] && endpointOf(rows[0]);
  }

  /**
   * One fan-out step in one transaction: holds the cursor and, if it is still `from` (no other
   * process moved it meanwhile), writes the messages `build` makes for the enabled endpoints,
   * numbered in each endpoint's order, and moves the cursor to `to`. Answers the endpoints given
   * messages, or `moved` when another process took the step first or `build` asks for it again
   * (read again from the cursor).
   */
  async fanOut(
    from: string,
    to: string,
    build: (endpoints: readonly WebhookEndpoint[]) => Map<string, NewMessage[]> | 'again',
  ): Promise<{ moved: true } | { moved: false; endpointIds: string[] }> {
    return this.sql.transaction(async (query) => {
      const { rows } = await query<{ cursor: string }>(
        'select cursor from webhook_fanout where id = 1 for update',
      );
      if ((rows[0]?.cursor ?? '') !== from) return { moved: true as const };
      const endpoints = (await this.endpoints(query)).filter((e) => e.disabledAt === null);
      const messages = endpoints.length > 0 ? build(endpoints) : new Map<string, NewMessage[]>();
      if (messages === 'again') return { moved: true as const };
      const endpointIds: string[] = [];
      for (const [endpointId, list] of messages) {
        if (list.length === 0) continue;
        endpointIds.push(endpointId);
        await this.insertMessages(query, endpointId, list);
      }
      await query('update webhook_fanout set cursor = $1 where id = 1', [to]);
      return { moved: false as const, endpointIds };
    });
  }

  private async insertMessages(query: SqlQuery, endpointId: string, list: readonly NewMessage[]) {
    const { rows } = await query<{ first: string | number }>(
      `update webhook_endpoints set next_seq = next_seq + $2 where id = $1
       returning next_seq - $2 as first`,
      [endpointId, list.length],
    );
    await query(
      `insert into webhook_messages (endpoint_id, seq, id, event_type, position, payload)
       select $1, $2::bigint + m.n - 1, m.id, m.event_type, m.position, m.payload
       from jsonb_to_recordset($3::jsonb) as m(n bigint, id text, event_type text, position bigint, payload text)
       on conflict do nothing`,
      [
        endpointId,
        Number(rows[0].first),
        JSON.stringify(
          list.map((m, i) => ({
            n: i + 1,
            id: m.id,
            event_type: m.eventType,
            position: m.position,
            payload: m.payload,
          })),
        ),
      ],
    );
  }

  /**
   * Takes the endpoint's delivery lease (one deliverer per endpoint, so its messages go in order)
   * unless another holds it unexpired; answers whether it was taken.
   */
  async lease(endpointId: string, holder: string, ms: number): Promise<boolean> {
    const { rows } = await this.sql.query<{ id: string }>(
      `update webhook_endpoints set lease_holder = $2, lease_until = now() + $3 * interval '1 millisecond'
       where id = $1 and disabled_at is null
         and (lease_until is null or lease_until < now() or lease_holder = $2)
       returning id`,
      [endpointId, holder, ms],
    );
    return rows.length > 0;
  }

  async release(endpointId: string, holder: string): Promise<void> {
    await this.sql.query(
      `update webhook_endpoints set lease_holder = null, lease_until = null
       where id = $1 and lease_holder = $2`,
      [endpointId, holder],
    );
  }

  /** The endpoint's first pending message: the one every later one waits for. */
  async head(endpointId: string): Promise<WebhookMessage | undefined> {
    const { rows } = await this.sql.query<MessageRow>(
      `select * from webhook_messages where endpoint_id = $1 and status = 'pending'
       order by seq limit 1`,
      [endpointId],
    );
    return rows[0] && messageOf(rows[0]);
  }

  async message(endpointId: string, messageId: string): Promise<WebhookMessage | undefined> {
    const { rows } = await this.sql.query<MessageRow>(
      'select * from webhook_messages where endpoint_id = $1 and id = $2',
      [endpointId, messageId],
    );
    return rows[0] && messageOf(rows[0]);
  }

  /**
   * Records an attempt and, with `after`, the message's state after it, in one transaction that
   * holds the message's row (attempts are numbered one by one). The deliverer's own outcome
   * (`seen`: the attempts it saw) changes the message only if nothing else did meanwhile; a
   * manual delivery marks it delivered, whatever it was; without `after` it stays as it is.
   */
  async recordAttempt(
    message: WebhookMessage,
    attempt: DeliveryAttempt,
    after?: { status: MessageStatus; nextAttemptAt: Date | null; seen?: number },
  ): Promise<void> {
    await this.sql.transaction(async (query) => {
      await query(
        'select seq from webhook_messages where endpoint_id = $1 and id = $2 for update',
        [message.endpointId, message.id],
      );
      const { rows } = await query<{ n: number }>(
        `select coalesce(max(attempt), 0)::int as n from webhook_attempts
         where endpoint_id = $1 and message_id = $2`,
        [message.endpointId, message.id],
      );
      await query(
        `insert into webhook_attempts (endpoint_id, message_id, attempt, at, status, error, duration_ms, manual)
         values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          message.endpointId,
          message.id,
          (rows[0]?.n ?? 0) + 1,
          attempt.at,
          attempt.status,
          attempt.error,
          attempt.durationMs,
          attempt.manual,
        ],
      );
      if (!after) return;
      await query(
        `update webhook_messages set status = $3, next_attempt_at = $4,
           attempts = attempts + case when $6::int is null then 0 else 1 end,
           delivered_at = case when $3 = 'delivered' then $5 else delivered_at end,
           finished_at = case when $3 = 'pending' then null else $5 end
         where endpoint_id = $1 and id = $2 and status <> 'delivered'
           and ($6::int is null or (status = 'pending' and attempts = $6::int))`,
        [
          message.endpointId,
          message.id,
          after.status,
          after.nextAttemptAt,
          attempt.at,
          after.seen ?? null,
        ],
      );
    });
  }

  /** Disables an endpoint; its messages still pending are given up (`failed`) with it. */
  async disable(endpointId: string, reason: string): Promise<void> {
    await this.sql.transaction(async (query) => {
      await query(
        `update webhook_endpoints set disabled_at = now(), disabled_reason = $2
         where id = $1 and disabled_at is null`,
        [endpointId, reason],
      );
      await query(
        `update webhook_messages set status = 'failed', next_attempt_at = null, finished_at = now()
         where endpoint_id = $1 and status = 'pending'`,
        [endpointId],
      );
    });
  }

  /** Forgets messages delivered or given up before `before`, with their attempts. */
  async purge(before: Date): Promise<number> {
    return this.sql.transaction(async (query) => {
      const { rows } = await query<{ endpoint_id: string; id: string }>(
        `delete from webhook_messages where status <> 'pending' and finished_at < $1
         returning endpoint_id, id`,
        [before],
      );
      if (rows.length > 0)
        await query(
          `delete from webhook_attempts a using jsonb_to_recordset($1::jsonb) as m(endpoint_id text, id text)
           where a.endpoint_id = m.endpoint_id and a.message_id = m.id`,
          [JSON.stringify(rows)],
        );
      return rows.length;
    });
  }

  /** How many messages each endpoint has, by status. */
  async counts(): Promise<Map<string, Partial<Record<MessageStatus, number>>>> {
    const { rows } = await this.sql.query<{
      endpoint_id: string;
      status: MessageStatus;
      n: number;
    }>(
      'select endpoint_id, status, count(*)::int as n from webhook_messages group by endpoint_id, status',
    );
    const counts = new Map<string, Partial<Record<MessageStatus, number>>>();
    for (const row of rows)
      counts.set(row.endpoint_id, { ...counts.get(row.endpoint_id), [row.status]: row.n });
    return counts;
  }

  /** Endpoints with a pending message due by `at` (the sweep's list). */
  async endpointsDue(at: Date): Promise<string[]> {
    const { rows } = await this.sql.query<{ endpoint_id: string }>(
      `select distinct m.endpoint_id from webhook_messages m
       join webhook_endpoints e on e.id = m.endpoint_id and e.disabled_at is null
       where m.status = 'pending' and (m.next_attempt_at is null or m.next_attempt_at <= $1)`,
      [at],
    );
    return rows.map((r) => r.endpoint_id);
  }

  /** One page of an endpoint's messages, newest first, with their attempts. */
  async deliveries(
    endpointId: string,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<{ message: WebhookMessage; attempts: DeliveryAttempt[] }[]> {
    const { rows } = await this.sql.query<MessageRow>(
      `select * from webhook_messages where endpoint_id = $1 and ($2::bigint is null or seq < $2)
       order by seq desc limit $3`,
      [endpointId, beforeSeq ?? null, limit],
    );
    const messages = rows.map(messageOf);
    if (messages.length === 0) return [];
    const { rows: attemptRows } = await this.sql.query<{
      message_id: string;
      attempt: number;
      at: Date | string;
      status: number | null;
      error: string | null;
      duration_ms: number;
      manual: boolean;
    }>(
      `select * from webhook_attempts where endpoint_id = $1 and message_id = any($2::text[])
       order by attempt`,
      [endpointId, messages.map((m) => m.id)],
    );
    return messages.map((message) => ({
      message,
      attempts: attemptRows
        .filter((a) => a.message_id === message.id)
        .map((a) => ({
          messageId: a.message_id,
          attempt: a.attempt,
          at: new Date(a.at),
          status: a.status,
          error: a.error,
          durationMs: a.duration_ms,
          manual: a.manual,
        })),
    }));
  }

  private get query(): SqlQuery {
    return (text, params) => this.sql.query(text, params);
  }
}
