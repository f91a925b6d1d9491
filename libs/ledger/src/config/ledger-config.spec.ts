import { InvalidArgument, kurrentDbConnectionString } from '@ledger/event-store';
import { ConfigError, DEFAULT_DATABASE_URL, loadConfig } from './ledger-config';

describe('loadConfig', () => {
  it('defaults to the embedded store in ./data on 127.0.0.1:3000, Asia/Shanghai', () => {
    const config = loadConfig({});
    expect(config.eventStore).toEqual({ kind: 'embedded', dataDir: './data' });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      timeZone: 'Asia/Shanghai',
      rateLimitPerMinute: 600,
      redisUrl: undefined,
      adminToken: undefined,
      databaseUrl: DEFAULT_DATABASE_URL,
    });
  });

  it('reads the postgres and kurrentdb settings', () => {
    expect(
      loadConfig({
        EVENT_STORE: 'postgres',
        DATABASE_URL: 'postgres://u@db:5432/ledger',
        PG_POOL_SIZE: '20',
        PG_STATEMENT_TIMEOUT_MS: '15000',
      }).eventStore,
    ).toEqual({
      kind: 'postgres',
      databaseUrl: 'postgres://u@db:5432/ledger',
      schema: 'ledger',
      poolSize: 20,
      statementTimeoutMs: 15000,
    });
    expect(loadConfig({ EVENT_STORE: 'postgres' }).eventStore).toMatchObject({
      statementTimeoutMs: 5000,
    });
    expect(
      loadConfig({ EVENT_STORE: 'kurrentdb', KURRENTDB_URL: 'esdb://k:2113?tls=false' }).eventStore,
    ).toEqual({ kind: 'kurrentdb', kurrentDbUrl: 'esdb://k:2113?tls=false' });
  });

  it('takes a DATABASE_URL with several hosts (a primary and its standby), as libpq writes it', () => {
    const url = 'postgres://u@db1:5432,db2:5432/ledger?target_session_attrs=read-write';
    expect(loadConfig({ EVENT_STORE: 'postgres', DATABASE_URL: url }).eventStore).toMatchObject({
      databaseUrl: url,
    });
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://u@db1,db2/l?target_session_attrs=standby' }),
    ).toThrow(/DATABASE_URL target_session_attrs=standby cannot be used/);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({
        EVENT_STORE: 'mysql',
        PORT: '70000',
        LEDGER_TIME_ZONE: 'Mars/Olympus',
        REDIS_URL: 'http://x',
        LEDGER_ADMIN_TOKEN: 'short',
        METRICS_TOKEN: 'short too',
        LEDGER_ADMIN_TOKEN_PREVIOUS: 'old and short',
        RATE_LIMIT_PER_MINUTE: '-1',
        PG_STATEMENT_TIMEOUT_MS: '10',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'EVENT_STORE',
      'PORT',
      'LEDGER_TIME_ZONE',
      'REDIS_URL',
      'LEDGER_ADMIN_TOKEN',
      'METRICS_TOKEN',
      'LEDGER_ADMIN_TOKEN_PREVIOUS',
      'RATE_LIMIT_PER_MINUTE',
      'PG_STATEMENT_TIMEOUT_MS',
    ]) {
      expect(problems).toContain(name);
    }
  });

  it('takes a previous admin token only beside a new one', () => {
    const previous = 'p'.repeat(32);
    expect(() => loadConfig({ LEDGER_ADMIN_TOKEN_PREVIOUS: previous })).toThrow(
      /LEDGER_ADMIN_TOKEN_PREVIOUS is set without LEDGER_ADMIN_TOKEN/,
    );
    const config = loadConfig({
      LEDGER_ADMIN_TOKEN: 'n'.repeat(32),
      LEDGER_ADMIN_TOKEN_PREVIOUS: previous,
    });
    expect(config.previousAdminToken).toBe(previous);
  });

  it('requires KURRENTDB_URL for the kurrentdb store', () => {
    expect(() => loadConfig({ EVENT_STORE: 'kurrentdb' })).toThrow(/KURRENTDB_URL/);
  });

  it('reads KurrentDB’s own schemes, and names the variable of a connection string it cannot read', () => {
    for (const url of [
      'kurrentdb://k:2113?tls=false',
      'kurrent://k:2113?tls=false',
      'kdb://k:2113?tls=false',
      'kdb+discover://k1:2113,k2:2113?tls=false',
    ])
      expect(kurrentDbConnectionString(url)).toMatch(/^esdb(\+discover)?:\/\/k/);
    expect(
      loadConfig({ EVENT_STORE: 'kurrentdb', KURRENTDB_URL: 'kurrent://k:2113' }).eventStore,
    ).toEqual({ kind: 'kurrentdb', kurrentDbUrl: 'kurrent://k:2113' });
    for (const bad of ['http://k:2113', 'esdb://k:2113?tls=maybe', 'esdb://']) {
      expect(() => loadConfig({ EVENT_STORE: 'kurrentdb', KURRENTDB_URL: bad })).toThrow(
        /KURRENTDB_URL: not a KurrentDB connection string/,
      );
      expect(() => kurrentDbConnectionString(bad)).toThrow(InvalidArgument);
    }
  });
});
