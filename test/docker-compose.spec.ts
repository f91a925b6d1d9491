import { CONFIG_VARIABLES, loadConfig } from '@ledger/ledger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

interface Service {
  image?: string;
  build?: { context: string; target: string };
  volumes?: string[];
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}

/** docker-compose.yml cannot be run here (no Docker engine); this keeps it valid and in step. */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as { services: Record<string, Service> };
  const services = compose.services;

  it('has KurrentDB, PostgreSQL, Redis, the API and the worker', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['kurrentdb', 'postgres', 'redis', 'api', 'worker']),
    );
    expect(services.kurrentdb.environment).toMatchObject({
      KURRENTDB_INSECURE: 'true',
      KURRENTDB_CLUSTER_SIZE: '1',
    });
    expect(services.redis.command).toEqual(expect.arrayContaining(['noeviction']));
  });

  it.each(['api', 'worker'])(
    'gives %s only variables the apps read, and a valid config',
    (name) => {
      const env = services[name].environment ?? {};
      for (const key of Object.keys(env)) expect(CONFIG_VARIABLES).toContain(key);
      const resolved = Object.fromEntries(
        Object.entries(env).map(([k, v]) => [k, v.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]),
      );
      expect(loadConfig(resolved).eventStore.kind).toBe('kurrentdb');
      expect(loadConfig({ ...resolved, EVENT_STORE: 'postgres' }).eventStore).toMatchObject({
        databaseUrl: 'postgres://ledger:ledger@postgres:5432/ledger',
      });
      for (const dependency of ['kurrentdb', 'postgres', 'redis']) {
        expect(services[name].depends_on?.[dependency]).toEqual({ condition: 'service_healthy' });
      }
    },
  );

  it('runs the apps from the production image, nothing mounted', () => {
    const stages = dockerfile().map((stage) => stage.name);
    for (const name of ['api', 'worker']) {
      expect(services[name].build).toEqual({ context: '.', target: name });
      expect(stages).toContain(name);
      expect(services[name].volumes ?? []).toEqual([]);
    }
  });
});

interface Stage {
  readonly name: string;
  readonly from: string;
  readonly steps: string[];
}

/** The Dockerfile's stages, each with its instructions (continued lines joined). */
function dockerfile(): Stage[] {
  const text = readFileSync(join(__dirname, '..', 'Dockerfile'), 'utf8');
  const lines = text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const from = /^FROM (\S+) AS (\S+)$/.exec(line);
    if (from) stages.push({ from: from[1], name: from[2], steps: [] });
    else stages[stages.length - 1]?.steps.push(line);
  }
  return stages;
}

/** The image cannot be built here (no Docker engine); this keeps the Dockerfile right and in step. */
describe('Dockerfile', () => {
  const stages = dockerfile();
  const stage = (name: string) => stages.find((s) => s.name === name) as Stage;
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
    engines: { node: string };
  };

  it('builds with every dependency and runs with the runtime ones only, as a user that is not root', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime', 'worker', 'api']);
    expect(stage('build').steps).toEqual(
      expect.arrayContaining(['RUN npm ci', 'RUN npm run build']),
    );
    const runtime = stage('runtime').steps;
    expect(runtime).toContain('RUN npm ci --omit=dev && npm cache clean --force');
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime[runtime.length - 1]).toBe('USER node');
    for (const name of ['worker', 'api']) expect(stage(name).from).toBe('runtime');
    const major = /\d+/.exec(pkg.engines.node)?.[0];
    for (const s of stages.filter((x) => x.from.startsWith('node:')))
      expect(s.from).toMatch(new RegExp(`^node:${major}-`));
  });

  it('starts the API (the default target, checked by /health) and the worker from the paths the build writes', () => {
    const cmd = (name: string) =>
      JSON.parse(
        stage(name)
          .steps.find((s) => s.startsWith('CMD '))
          ?.slice(4) ?? '[]',
      ) as string[];
    expect(cmd('api')).toEqual(['node', 'dist/apps/api/src/main.js']);
    expect(cmd('worker')).toEqual(['node', 'dist/apps/worker/src/main.js']);
    expect(pkg.scripts.start).toContain(cmd('api')[1]);
    expect(pkg.scripts['start:worker']).toContain(cmd('worker')[1]);
    expect(stages[stages.length - 1].name).toBe('api');
    const health = stage('api').steps.find((s) => s.startsWith('HEALTHCHECK'));
    expect(health).toContain("fetch('http://127.0.0.1:3000/health')");
    expect(stage('api').steps).toContain('ENV HOST=0.0.0.0 PORT=3000');
  });

  it('leaves installed and built output out of the build context', () => {
    const ignored = readFileSync(join(__dirname, '..', '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'data', '.git']));
  });
});
