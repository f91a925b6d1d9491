import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/**
 * The built apps (the integration run comes after `npm test`, which builds): this file runs from
 * `test/support` under Jest and from `dist/test/support` in the bench.
 */
const DIST = join(
  __dirname,
  '..',
  '..',
  ...(__dirname.split(sep).includes('dist') ? [] : ['dist']),
  'apps',
);
export const ADMIN_TOKEN = 'reliability-admin-token-0123456789abcdefghij';

export interface AppProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr (the last 1 MB). */
  output(): string;
}

/** Resident memory of a process now, in MB (Linux: /proc/<pid>/status). */
export function rssMb(app: AppProcess): number {
  const status = readFileSync(`/proc/${app.child.pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 102.4) / 10;
}

export interface ApiProcess extends AppProcess {
  readonly url: string;
}

/** Starts an app as its own process and waits until it prints `ready` (a regular expression). */
async function startApp(
  app: 'api' | 'worker',
  env: Record<string, string>,
  ready: RegExp,
): Promise<AppProcess & { match: RegExpExecArray }> {
  const child = spawn(process.execPath, [join(DIST, app, 'src', 'main.js')], {
    env: {
      ...process.env,
      ...env,
      LEDGER_ADMIN_TOKEN: ADMIN_TOKEN,
      RATE_LIMIT_PER_MINUTE: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // A long run (the soak) prints a line per request: keep the tail only.
  const keep = (c: Buffer) => {
    output += c.toString();
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const match = ready.exec(output);
    if (match) return { child, output: () => output, match };
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`the ${app} did not start:\n${output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The API on a free port; resolves once it prints its URL. */
export async function startApi(env: Record<string, string>): Promise<ApiProcess> {
  const { match, ...app } = await startApp(
    'api',
    { ...env, PORT: '0' },
    /Rider ledger API\s+(http:\/\/\S+)\n/,
  );
  return { ...app, url: match[1] };
}

/** The worker (projections and jobs); resolves once it says it is ready. */
export function startWorker(env: Record<string, string>): Promise<AppProcess> {
  return startApp('worker', env, /worker ready/);
}

export async function kill(app: AppProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  const exited = new Promise((resolve) => app.child.once('exit', resolve));
  app.child.kill(signal);
  await exited;
}

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One request as the admin (or `token`); the body parsed as JSON, `{}` when it is not. */
export async function call(
  api: ApiProcess,
  method: string,
  path: string,
  body?: unknown,
  options: { key?: string; token?: string; signal?: AbortSignal } = {},
): Promise<Answer> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.token ?? ADMIN_TOKEN}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(options.key !== undefined && { 'idempotency-key': options.key }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
    ...(options.signal && { signal: options.signal }),
  });
  return {
    status: res.status,
    body: (await res.json().catch(() => ({}))) as Record<string, unknown>,
  };
}

/** Polls `check` every 100 ms until it returns true; false after `ms`. */
export async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts a replay-and-compare over HTTP and waits for its report. */
export async function replay(api: ApiProcess, ms = 60_000): Promise<Record<string, unknown>> {
  const started = await call(api, 'POST', '/v1/audit/replays');
  let status: Record<string, unknown> = started.body;
  await eventually(async () => {
    status = (await call(api, 'GET', `/v1/audit/replays/${String(started.body.id)}`)).body;
    return status.status === 'done' || status.status === 'failed';
  }, ms);
  return status;
}

/** Ledger lines of a rider, every page. */
export async function ledgerOf(api: ApiProcess, riderId: string) {
  const lines: { entryId: string; type: string; points: number }[] = [];
  for (let cursor: string | null = ''; cursor !== null;) {
    const page = await call(
      api,
      'GET',
      `/v1/riders/${riderId}/ledger?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
    );
    lines.push(...(page.body.items as typeof lines));
    cursor = page.body.nextCursor as string | null;
  }
  return lines;
}
