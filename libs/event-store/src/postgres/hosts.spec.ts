import { parseDatabaseUrl } from './hosts';

describe('parseDatabaseUrl (one host or several, as libpq)', () => {
  it('keeps a one-host URL as it is, port and options included', () => {
    const url = parseDatabaseUrl('postgres://root:p%40ss@db.example:6543/ledger?sslmode=disable');
    expect(url).toEqual({
      hosts: [{ host: 'db.example', port: 6543 }],
      targetSessionAttrs: 'any',
      connectionString: 'postgres://root:p%40ss@db.example:6543/ledger?sslmode=disable',
    });
  });

  it('leaves a socket URL (no host in it) to pg', () => {
    const text = 'postgresql:///ledger?host=/var/run/postgresql';
    expect(parseDatabaseUrl(text)).toEqual({
      hosts: [],
      targetSessionAttrs: 'any',
      connectionString: text,
    });
  });

  it('reads several hosts, default ports and IPv6, and takes target_session_attrs out', () => {
    const url = parseDatabaseUrl(
      'postgresql://root@10.0.0.1,10.0.0.2:5433,[::1]:5434/test?target_session_attrs=read-write&application_name=x',
    );
    expect(url.hosts).toEqual([
      { host: '10.0.0.1', port: 5432 },
      { host: '10.0.0.2', port: 5433 },
      { host: '::1', port: 5434 },
    ]);
    expect(url.targetSessionAttrs).toBe('read-write');
    expect(url.connectionString).toBe('postgresql://root@10.0.0.1:5432/test?application_name=x');
  });

  it.each([
    ['mysql://root@db/test', 'must be a postgres:// or postgresql:// URL'],
    ['postgres://root@a,,b/test', '"" is not a host or host:port'],
    ['postgres://root@a:99999/test', 'port 99999 of "a:99999" is out of range'],
    [
      'postgres://root@a,b/test?target_session_attrs=standby',
      'target_session_attrs=standby cannot be used: the ledger writes (read-write, primary or any)',
    ],
  ])('refuses %s, saying why', (text, why) => {
    expect(() => parseDatabaseUrl(text)).toThrow(why);
  });
});
