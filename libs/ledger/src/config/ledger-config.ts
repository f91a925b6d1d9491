import { parseSigningKey } from './signing-key-text';
import { DEFAULT_STREAM_CACHE_STREAMS } from '../write/stream-writer';
import {
  DEFAULT_PG_POOL_SIZE,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  kurrentDbConnectionString,
  parseDatabaseUrl,
  type EventStoreSettings,
} from '@ledger/event-store';

/** Everything the apps read from the environment, parsed and checked once at start-up. */
export interface LedgerConfig {
  readonly eventStore: EventStoreSettings;
  /** Where read models, idempotency keys and personal data live: the embedded folder or Postgres. */
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly redisUrl: string | undefined;
  readonly adminToken: string | undefined;
  /** The admin token being replaced (`LEDGER_ADMIN_TOKEN_PREVIOUS`): it acts too, while set. */
  readonly previousAdminToken: string | undefined;
  /** What `GET /metrics` accepts besides the admin token (`METRICS_TOKEN`), for a scraper. */
  readonly metricsToken: string | undefined;
  /** `LEDGER_SIGNING_KEY`: the Ed25519 key of the tree heads; unset: the deployment's own. */
  readonly signingKey: string | undefined;
  /** `LEDGER_LOG_ORIGIN`: the log's name in its signed tree heads. */
  readonly logOrigin: string;
  readonly host: string;
  readonly port: number;
  readonly timeZone: string;
  readonly rateLimitPerMinute: number;
  /** Requests without a valid token per client address per minute (0: no limit). */
  readonly rateLimitUnauthenticatedPerMinute: number;
  /** Schema of the read models: `read` in the embedded folder, `<DATABASE_SCHEMA>_read` on PostgreSQL. */
  readonly readSchema: string;
  /** Whether this process runs the projections (in-process without Redis; the worker's job otherwise). */
  readonly runProjections: boolean;
  /** A projection's lease: another process takes it over this long after its holder stops renewing. */
  readonly projectionLeaseMs: number;
  /** A hazard report unverified this long is escalated. */
  readonly hazardEscalationHours: number;
  /** A half-done award or redemption older than this is finished by settlement recovery. */
  readonly recoveryGraceMs: number;
  /** Folded stream states the writer keeps in memory (riders, funds, stations…), least recent dropped. */
  readonly streamCacheStreams: number;
  /** Webhooks: the waits between a failed delivery and the next attempt (the last failure gives up). */
  readonly webhookRetryScheduleMs: readonly number[];
  /** Webhooks: how long a receiver has to answer a delivery. */
  readonly webhookTimeoutMs: number;
  /** Webhooks: how often due deliveries are looked for (a lost trigger or a restart waits this long at most). */
  readonly webhookSweepMs: number;
}

/** Standard Webhooks' schedule (as Svix): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';
const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `5s,5m,2h` → milliseconds; undefined when any part is not a duration (1 ms to 24 h). */
export function parseRetrySchedule(text: string): number[] | undefined {
  const parts = text.split(',').map((part) => part.trim());
  const waits = parts.map((part) => {
    const match = /^(\d{1,9})(ms|s|m|h)$/.exec(part);
    return match ? Number(match[1]) * DURATION_UNITS_MS[match[2]] : NaN;
  });
  const valid = waits.every((ms) => Number.isInteger(ms) && ms >= 1 && ms <= 24 * 3_600_000);
  return valid && waits.length >= 1 && waits.length <= 20 ? waits : undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Every variable `loadConfig` reads; docs/operations.md describes each one. */
export const CONFIG_VARIABLES = [
  'EVENT_STORE',
  'DATA_DIR',
  'DATABASE_URL',
  'DATABASE_SCHEMA',
  'PG_POOL_SIZE',
  'PG_STATEMENT_TIMEOUT_MS',
  'KURRENTDB_URL',
  'REDIS_URL',
  'LEDGER_ADMIN_TOKEN',
  'LEDGER_ADMIN_TOKEN_PREVIOUS',
  'METRICS_TOKEN',
  'HOST',
  'PORT',
  'LEDGER_TIME_ZONE',
  'RATE_LIMIT_PER_MINUTE',
  'RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE',
  'RUN_PROJECTIONS',
  'PROJECTION_LEASE_SECONDS',
  'HAZARD_ESCALATION_HOURS',
  'RECOVERY_GRACE_SECONDS',
  'STREAM_CACHE_STREAMS',
  'LEDGER_SIGNING_KEY',
  'LEDGER_LOG_ORIGIN',
  'WEBHOOK_RETRY_SCHEDULE',
  'WEBHOOK_TIMEOUT_SECONDS',
  'WEBHOOK_SWEEP_SECONDS',
] as const;

export const DEFAULT_DATABASE_URL = 'postgres://root@127.0.0.1:5432/test';
const STORE_KINDS = ['embedded', 'postgres', 'kurrentdb'] as const;
/** Tokens are compared as SHA-256 hashes; a short one would be guessable. */
const MIN_ADMIN_TOKEN_LENGTH = 32;

/** The bearer tokens set by configuration, each long enough not to be guessed. */
function readTokens(env: NodeJS.ProcessEnv, problems: string[]) {
  const adminToken = env.LEDGER_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    problems.push(`LEDGER_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  const previousAdminToken = env.LEDGER_ADMIN_TOKEN_PREVIOUS || undefined;
  if (previousAdminToken !== undefined && adminToken === undefined) {
    problems.push('LEDGER_ADMIN_TOKEN_PREVIOUS is set without LEDGER_ADMIN_TOKEN (the new token)');
  }
  if (previousAdminToken !== undefined && previousAdminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    problems.push(
      `LEDGER_ADMIN_TOKEN_PREVIOUS must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`,
    );
  }
  const metricsToken = env.METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && metricsToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    problems.push(`METRICS_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  return { adminToken, previousAdminToken, metricsToken };
}

function readSigningKey(env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  const text = env.LEDGER_SIGNING_KEY || undefined;
  if (text === undefined) return undefined;
  try {
    parseSigningKey(text);
    return text;
  } catch (error) {
    problems.push(`LEDGER_SIGNING_KEY ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/** Reads the configuration from `env`; throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);
  const kind = read.oneOf('EVENT_STORE', STORE_KINDS, 'embedded');
  const dataDir = read.string('DATA_DIR', './data');
  const databaseUrl = read.databaseUrl('DATABASE_URL', DEFAULT_DATABASE_URL);
  const schema = read.matching('DATABASE_SCHEMA', 'ledger', /^[a-z_][a-z0-9_]{0,62}$/);
  const poolSize = read.integer('PG_POOL_SIZE', DEFAULT_PG_POOL_SIZE, 1, 200);
  const statementTimeoutMs = read.integer(
    'PG_STATEMENT_TIMEOUT_MS',
    DEFAULT_STATEMENT_TIMEOUT_MS,
    100,
    600_000,
  );
  const kurrentDbUrl = readKurrentDbUrl(env, kind, problems);
  const redisUrl = read.optionalUrl('REDIS_URL', ['redis:', 'rediss:']);
  const runMode = read.oneOf('RUN_PROJECTIONS', ['auto', 'yes', 'no'] as const, 'auto');
  const { adminToken, previousAdminToken, metricsToken } = readTokens(env, problems);
  const config: LedgerConfig = {
    eventStore: storeSettings(kind, {
      dataDir,
      databaseUrl,
      schema,
      poolSize,
      statementTimeoutMs,
      kurrentDbUrl,
    }),
    dataDir,
    databaseUrl,
    redisUrl,
    adminToken,
    previousAdminToken,
    metricsToken,
    signingKey: readSigningKey(env, problems),
    logOrigin: read.matching(
      'LEDGER_LOG_ORIGIN',
      `rider-ledger/${kind === 'embedded' ? 'embedded' : schema}`,
      /^[\x21-\x7e]{1,200}$/,
    ),
    host: read.string('HOST', '127.0.0.1'),
    port: read.integer('PORT', 3000, 0, 65535),
    timeZone: read.timeZone('LEDGER_TIME_ZONE', 'Asia/Shanghai'),
    rateLimitPerMinute: read.integer('RATE_LIMIT_PER_MINUTE', 600, 0, 1_000_000),
    rateLimitUnauthenticatedPerMinute: read.integer(
      'RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE',
      60,
      0,
      1_000_000,
    ),
    readSchema: kind === 'embedded' ? 'read' : `${schema}_read`,
    runProjections: runMode === 'yes' || (runMode === 'auto' && redisUrl === undefined),
    projectionLeaseMs: read.integer('PROJECTION_LEASE_SECONDS', 6, 1, 600) * 1000,
    hazardEscalationHours: read.integer('HAZARD_ESCALATION_HOURS', 48, 1, 24 * 365),
    recoveryGraceMs: read.integer('RECOVERY_GRACE_SECONDS', 30, 0, 3600) * 1000,
    streamCacheStreams: read.integer(
      'STREAM_CACHE_STREAMS',
      DEFAULT_STREAM_CACHE_STREAMS,
      100,
      10_000_000,
    ),
    webhookRetryScheduleMs: readRetrySchedule(env, problems),
    webhookTimeoutMs: read.integer('WEBHOOK_TIMEOUT_SECONDS', 15, 1, 300) * 1000,
    webhookSweepMs: read.integer('WEBHOOK_SWEEP_SECONDS', 30, 1, 3600) * 1000,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** `KURRENTDB_URL`, required for the kurrentdb store, checked by the client's own rules. */
function readKurrentDbUrl(
  env: NodeJS.ProcessEnv,
  kind: (typeof STORE_KINDS)[number],
  problems: string[],
): string | undefined {
  const url = env.KURRENTDB_URL;
  if (kind === 'kurrentdb' && !url)
    problems.push('KURRENTDB_URL is required when EVENT_STORE=kurrentdb');
  if (url)
    try {
      kurrentDbConnectionString(url);
    } catch (error) {
      problems.push(`KURRENTDB_URL: ${error instanceof Error ? error.message : String(error)}`);
    }
  return url;
}

function readRetrySchedule(env: NodeJS.ProcessEnv, problems: string[]): number[] {
  const text = env.WEBHOOK_RETRY_SCHEDULE || DEFAULT_WEBHOOK_RETRY_SCHEDULE;
  const schedule = parseRetrySchedule(text);
  if (schedule) return schedule;
  problems.push(
    `WEBHOOK_RETRY_SCHEDULE must be 1 to 20 waits like 5s,5m,2h (ms, s, m or h; at most 24h each) (got "${text}")`,
  );
  return parseRetrySchedule(DEFAULT_WEBHOOK_RETRY_SCHEDULE)!;
}

function storeSettings(
  kind: (typeof STORE_KINDS)[number],
  v: {
    dataDir: string;
    databaseUrl: string;
    schema: string;
    poolSize: number;
    statementTimeoutMs: number;
    kurrentDbUrl?: string;
  },
): EventStoreSettings {
  switch (kind) {
    case 'embedded':
      return { kind, dataDir: v.dataDir };
    case 'postgres':
      return {
        kind,
        databaseUrl: v.databaseUrl,
        schema: v.schema,
        poolSize: v.poolSize,
        statementTimeoutMs: v.statementTimeoutMs,
      };
    case 'kurrentdb':
      return { kind, kurrentDbUrl: v.kurrentDbUrl ?? '' };
  }
}

/** Reads one variable at a time, collecting every problem instead of stopping at the first. */
class EnvReader {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly problems: string[],
  ) {}

  string(name: string, fallback: string): string {
    const value = this.env[name];
    return value === undefined || value === '' ? fallback : value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(name, fallback);
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name, String(fallback));
    const value = Number(raw);
    if (/^\d+$/.test(raw) && Number.isSafeInteger(value) && value >= min && value <= max)
      return value;
    this.problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    return fallback;
  }

  matching(name: string, fallback: string, pattern: RegExp): string {
    const value = this.string(name, fallback);
    if (pattern.test(value)) return value;
    this.problems.push(`${name} must match ${pattern.source} (got "${value}")`);
    return fallback;
  }

  /** A `postgres://` URL, with one host or several (`host1:5432,host2:5432`, as libpq). */
  databaseUrl(name: string, fallback: string): string {
    const value = this.env[name];
    if (value === undefined || value === '') return fallback;
    try {
      parseDatabaseUrl(value);
      return value;
    } catch (error) {
      this.problems.push(`${name} ${error instanceof Error ? error.message : String(error)}`);
      return fallback;
    }
  }

  optionalUrl(name: string, protocols: readonly string[]): string | undefined {
    const value = this.env[name];
    if (value === undefined || value === '') return undefined;
    try {
      if (protocols.includes(new URL(value).protocol)) return value;
    } catch {
      // reported below
    }
    this.problems.push(`${name} must be a ${protocols.join(' or ')}// URL`);
    return undefined;
  }

  timeZone(name: string, fallback: string): string {
    const value = this.string(name, fallback);
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return value;
    } catch {
      this.problems.push(
        `${name} must be an IANA time zone such as Asia/Shanghai (got "${value}")`,
      );
      return fallback;
    }
  }
}
