import { PROJECTION_NAMES } from '@ledger/projections';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { NO_STREAM, openEmbeddedEventStore } from '@ledger/event-store';
import { tempDir } from '@ledger/testing';
import { openTestApi } from './api-fixture';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', '..', 'dist', 'apps', 'api', 'src', 'main.js');

describe('the API on the embedded store', () => {
  let app: NestFastifyApplication;
  const dir = tempDir();

  beforeAll(async () => {
    app = await openTestApi(dir.path);
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('GET /health answers 200 and names the store', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ projections: { process: string } }>();
    // The embedded API runs every projection itself, under its own name (issue 11).
    const me = body.projections.process;
    const all = Object.fromEntries(PROJECTION_NAMES.map((name) => [name, me]));
    expect(body).toEqual({
      status: 'ok',
      store: { kind: 'embedded', status: 'up' },
      queue: { kind: 'in-process', status: 'up' },
      projectionLag: 0,
      projections: { process: me, held: [...PROJECTION_NAMES].sort(), holders: all },
    });
    expect(me).toMatch(new RegExp(`/${process.pid}/[0-9a-f]{6}$`));
  });

  it('serves an OpenAPI 3 document at /docs-json and Swagger UI at /docs', async () => {
    const json = await app.inject({ method: 'GET', url: '/docs-json' });
    expect(json.statusCode).toBe(200);
    const doc = json.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/health');
    const ui = await app.inject({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
  });

  it('answers 503 naming the queue when Redis is down', async () => {
    const other = tempDir();
    const down = await openTestApi(other.path, { REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const res = await down.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        status: 'unavailable',
        queue: { kind: 'redis', status: 'down' },
      });
    } finally {
      await down.close();
      other.remove();
    }
  });
});

describe('npm start (the built API as a process)', () => {
  it('never prints a token the operator set', async () => {
    const dir = tempDir();
    const token = 'operator-set-token-0123456789abcdefghijklmnop';
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, DATA_DIR: dir.path, PORT: '0', LEDGER_ADMIN_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await waitFor(() => /Admin token.*\n/.exec(output)?.[0], 60_000);
      expect(output).toMatch(/Admin token\s+from LEDGER_ADMIN_TOKEN \(not shown\)/);
      expect(output).not.toContain(token);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      dir.remove();
    }
  }, 90_000);

  it('prints the URL and a generated token, serves /health, and stops cleanly on Ctrl-C', async () => {
    expect(existsSync(MAIN)).toBe(true); // `npm test` builds before it runs the tests
    const dir = tempDir();
    const eventId = randomUUID();
    const seeded = await openEmbeddedEventStore({ dataDir: dir.path });
    await seeded.append(
      'check-1',
      [{ eventId, type: 'Check', schemaVersion: 1, data: { 文字: '保留' }, metadata: {} }],
      {
        expectedRevision: NO_STREAM,
      },
    );
    await seeded.close();

    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, DATA_DIR: dir.path, PORT: '0', LEDGER_ADMIN_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const url = await waitFor(
        () => /Rider ledger API\s+(http:\/\/\S+)\n/.exec(output)?.[1], // the whole line
        60_000,
      );
      expect(output).toMatch(/Admin token\s+[A-Za-z0-9_-]{43}\s+\(generated/);
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ store: { kind: 'embedded', status: 'up' } });
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output).toContain('stopped cleanly');
      expect(existsSync(join(dir.path, 'ledger.lock'))).toBe(false);

      const reopened = await openEmbeddedEventStore({ dataDir: dir.path });
      const events = await reopened.readStream('check-1');
      await reopened.close();
      expect(events.map((e) => [e.eventId, e.data])).toEqual([[eventId, { 文字: '保留' }]]);
    } finally {
      child.kill('SIGKILL');
      dir.remove();
    }
  }, 90_000);
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
