import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * A PostgreSQL primary and a streaming standby of a test's own: `initdb` and `pg_basebackup` into
 * a temporary folder, on free ports of 127.0.0.1, as the `postgres` user when the test runs as
 * root (PostgreSQL refuses to run as root). The machine's own server is never touched.
 */

/** Where initdb, pg_ctl and pg_basebackup are: PG_BINDIR, the newest /usr/lib/postgresql/N/bin, or PATH. */
export function postgresBinaries(): string {
  const candidates = [
    process.env.PG_BINDIR,
    ...(existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort((a, b) => Number(b) - Number(a))
          .map((version) => `/usr/lib/postgresql/${version}/bin`)
      : []),
  ];
  for (const dir of candidates)
    if (dir !== undefined && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')))
      return dir;
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'the failover test needs the PostgreSQL server programs (initdb, pg_ctl, pg_basebackup): ' +
        'install postgresql or set PG_BINDIR',
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const asRoot = process.getuid?.() === 0;
const execFileAsync = promisify(execFile);

export class PgCluster {
  readonly primaryDir: string;
  readonly standbyDir: string;

  private constructor(
    readonly bin: string,
    readonly dir: string,
    readonly primaryPort: number,
    readonly standbyPort: number,
  ) {
    this.primaryDir = join(dir, 'primary');
    this.standbyDir = join(dir, 'standby');
  }

  /** `postgres://root@127.0.0.1:<primary>,127.0.0.1:<standby>/postgres?…` */
  get url(): string {
    return (
      `postgres://root@127.0.0.1:${this.primaryPort},127.0.0.1:${this.standbyPort}/postgres` +
      '?target_session_attrs=read-write'
    );
  }

  urlOf(port: number): string {
    return `postgres://root@127.0.0.1:${port}/postgres`;
  }

  /**
   * A primary that waits for its standby to flush every commit (`synchronous_commit = on`,
   * `synchronous_standby_names = '*'`) and the standby streaming from it, in sync.
   */
  static async start(): Promise<PgCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-failover-'));
    if (asRoot) chownSync(dir, ...postgresIds());
    const cluster = new PgCluster(postgresBinaries(), dir, await freePort(), await freePort());
    try {
      await cluster.init();
    } catch (error) {
      cluster.stop();
      throw error;
    }
    return cluster;
  }

  private command(program: string, args: string[]): [string, string[]] {
    const path = join(this.bin, program);
    return asRoot ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
  }

  private run(program: string, args: string[]): string {
    const [command, argv] = this.command(program, args);
    return execFileSync(command, argv, { encoding: 'utf8', cwd: this.dir, timeout: 120_000 });
  }

  /** As `run`, without blocking the test's event loop (the load goes on meanwhile). */
  private async runAsync(program: string, args: string[]): Promise<void> {
    const [command, argv] = this.command(program, args);
    await execFileAsync(command, argv, { cwd: this.dir, timeout: 120_000 });
  }

  private async init(): Promise<void> {
    this.run('initdb', [
      '-D',
      this.primaryDir,
      '-U',
      'root',
      '-A',
      'trust',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    appendFileSync(
      join(this.primaryDir, 'postgresql.conf'),
      [
        `port = ${this.primaryPort}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${this.dir}'`,
        'wal_level = replica',
        'max_wal_senders = 4',
        'shared_buffers = 32MB',
        // The guarantee: a commit is acknowledged once the standby has flushed it to disk.
        `synchronous_standby_names = '*'`,
        'synchronous_commit = on',
        '',
      ].join('\n'),
    );
    this.pgCtl(this.primaryDir, 'start');
    this.run('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(this.primaryPort),
      '-U',
      'root',
      '-D',
      this.standbyDir,
      '-R',
      '-X',
      'stream',
      '--no-sync',
    ]);
    appendFileSync(
      join(this.standbyDir, 'postgresql.conf'),
      // Promoted, it is alone: demanding a synchronous standby would make every commit wait.
      [`port = ${this.standbyPort}`, `synchronous_standby_names = ''`, ''].join('\n'),
    );
    this.pgCtl(this.standbyDir, 'start');
    const deadline = Date.now() + 60_000;
    while (
      (await this.query(this.primaryPort, `select sync_state from pg_stat_replication`))[0]
        ?.sync_state !== 'sync'
    ) {
      if (Date.now() > deadline) throw new Error('the standby did not catch up in 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private pgCtlArgs(dataDir: string, action: string, extra: string[]): string[] {
    return ['-D', dataDir, '-l', `${dataDir}.log`, '-w', '-t', '60', ...extra, action];
  }

  private pgCtl(dataDir: string, action: string, ...extra: string[]): string {
    return this.run('pg_ctl', this.pgCtlArgs(dataDir, action, extra));
  }

  /** The primary gone at once, as in a crash (`pg_ctl stop -m immediate`: no checkpoint). */
  async crashPrimary(): Promise<void> {
    await this.runAsync('pg_ctl', this.pgCtlArgs(this.primaryDir, 'stop', ['-m', 'immediate']));
  }

  /** The standby made the primary (`pg_ctl promote`), waiting until it takes writes. */
  async promoteStandby(): Promise<void> {
    await this.runAsync('pg_ctl', this.pgCtlArgs(this.standbyDir, 'promote', []));
  }

  async query(port: number, text: string): Promise<Record<string, unknown>[]> {
    const client = new Client({
      connectionString: this.urlOf(port),
      connectionTimeoutMillis: 3000,
    });
    await client.connect();
    try {
      return (await client.query(text)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  }

  /** Both servers stopped (whatever runs) and the folder removed. */
  stop(): void {
    for (const dataDir of [this.primaryDir, this.standbyDir])
      if (existsSync(join(dataDir, 'postmaster.pid')))
        try {
          this.pgCtl(dataDir, 'stop', '-m', 'immediate');
        } catch {
          // already stopped
        }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function postgresIds(): [number, number] {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return [uid, gid];
}
